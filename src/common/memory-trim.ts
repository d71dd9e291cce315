import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/**
 * Gives memory back once a process has been quiet after a burst.
 *
 * V8 grows its young generation (up to 2 × 16 MiB here) while a process
 * allocates fast: a relay opening thousands of streams, a reconnect storm, a
 * large push. It never shrinks it again by itself while the process stays idle,
 * so an idle relay holding 10,000 streams kept ~30 MiB it no longer used
 * (docs/relay-performance.md, "Memory given back when quiet"). A full GC of the
 * "last resort" kind (the one V8 runs under memory pressure) compacts the old
 * generation and shrinks the young one to its first size; it costs one pause
 * proportional to the live heap, so it runs once per quiet spell, never while
 * the process is busy.
 */

/** What the policy is told at each tick. */
export interface TrimSample {
  /** Any counter that moves with work done (bytes relayed, streams opened, requests served). */
  activity: number;
  /** Current size of V8's young generation, bytes. */
  youngBytes: number;
  nowMs: number;
}

/**
 * When to trim (pure): once the activity counter has not moved for `quietMs`
 * after it last moved, and only if the young generation has grown past
 * `minYoungBytes` (otherwise there is nothing to give back). Once per quiet
 * spell, unless V8 kept its young generation: it shrinks it only when its
 * allocation rate over the last ~5 s was low, and something short of
 * "activity" (a large `/status` read, say) can make it decline. Then it is
 * tried again after another quiet interval, up to RETRIES times; after
 * that the next trim needs new activity.
 */
export class QuietTrimPolicy {
  static readonly RETRIES = 2;
  private lastActivity: number | undefined;
  private changedAtMs = 0;
  private armed = true;
  private retries = 0;

  constructor(
    private readonly quietMs: number,
    private readonly minYoungBytes: number,
  ) {}

  /** New activity has been seen and its quiet spell has not been dealt with yet. */
  get pending(): boolean {
    return this.armed;
  }

  /** True when a trim is due now. */
  tick(s: TrimSample): boolean {
    if (s.activity !== this.lastActivity) {
      if (this.lastActivity !== undefined) this.armed = true;
      this.retries = 0;
      this.lastActivity = s.activity;
      this.changedAtMs = s.nowMs;
      return false;
    }
    if (!this.armed || s.nowMs - this.changedAtMs < this.quietMs) return false;
    this.armed = false;
    return s.youngBytes > this.minYoungBytes;
  }

  /** A trim ran and left the young generation at `youngBytes`: if V8 kept it, try again after another quiet interval. */
  trimmed(youngBytes: number, nowMs: number): void {
    if (youngBytes <= this.minYoungBytes || this.retries >= QuietTrimPolicy.RETRIES) return;
    this.retries++;
    this.armed = true;
    this.changedAtMs = nowMs;
  }
}

export interface TrimRecord {
  /** Trims run since start. */
  trims: number;
  /** A quiet spell is being waited for (false once it was dealt with: trimmed, or nothing to give back). */
  pending: boolean;
  /** The last one: when (ISO time), how long the pause was, RSS and V8's young generation before and after (bytes). */
  last?: { at: string; pauseMs: number; rssBefore: number; rssAfter: number; youngBefore: number; youngAfter: number };
}

export interface MemoryTrimmer {
  readonly record: TrimRecord;
  stop(): void;
}

/** The young generation's current size (new_space; new_large_object_space is freed by any GC). */
export function youngGenerationBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * V8's gc() with the memory-reducing ("last resort") flavour. Node exposes no
 * API for it: `--expose-gc` set at run time makes `gc` exist in contexts
 * created afterwards, and a fresh vm context hands it over.
 */
export function lastResortGc(): GcFunction {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as GcFunction;
}

/** Ticks every `quietMs / 4` (unref'd timer); undefined when `quietMs` is 0 (off). */
export function startMemoryTrimmer(opts: {
  quietMs: number;
  activity: () => number;
  minYoungBytes?: number;
  onTrim?: (last: NonNullable<TrimRecord['last']>) => void;
}): MemoryTrimmer | undefined {
  if (opts.quietMs <= 0) return undefined;
  const policy = new QuietTrimPolicy(opts.quietMs, opts.minYoungBytes ?? 4 * 1024 * 1024);
  const record: TrimRecord = { trims: 0, pending: true };
  let gc: GcFunction | undefined;
  const timer = setInterval(
    () => {
      const due = policy.tick({ activity: opts.activity(), youngBytes: youngGenerationBytes(), nowMs: Date.now() });
      record.pending = policy.pending;
      if (!due) return;
      gc ??= lastResortGc();
      const rssBefore = process.memoryUsage.rss();
      const youngBefore = youngGenerationBytes();
      const t0 = performance.now();
      gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      const pauseMs = +(performance.now() - t0).toFixed(1);
      const last = { at: new Date().toISOString(), pauseMs, rssBefore, rssAfter: process.memoryUsage.rss(), youngBefore, youngAfter: youngGenerationBytes() };
      record.trims++;
      record.last = last;
      policy.trimmed(last.youngAfter, Date.now());
      record.pending = policy.pending;
      opts.onTrim?.(last);
    },
    Math.max(250, Math.floor(opts.quietMs / 4)),
  );
  timer.unref();
  return { record, stop: () => clearInterval(timer) };
}
