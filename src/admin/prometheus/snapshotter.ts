import { checkConsistency } from './consistency';
import { computeDelta } from './delta';
import { metricsExtension } from './metrics-extension';
import type { MetricFamily } from './model';
import { parsePrometheusText } from './parse';

/** The log methods the snapshotter uses (a pino `Logger` fits). */
export interface SnapshotterLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface StatsSnapshotterOptions {
  /**
   * Envoy's `GET /stats?format=prometheus&filter=appmesh&usedonly` body. Must
   * reject on a transport error or a non-200 status (the admin client's job).
   */
  fetch: () => Promise<string>;
  log: SnapshotterLog;
  /** Default 60 s; the first snapshot is taken one interval after `start()`. */
  intervalMs?: number;
  /** Clock for `deltaAt`. */
  now?: () => Date;
}

/** What one snapshot did (for tests and logs). */
export type SnapshotOutcome = 'stored' | 'fetch-failed' | 'parse-failed' | 'discarded';

export const DEFAULT_SNAPSHOT_INTERVAL_MS = 60_000;

/**
 * The stats snapshotter (docs/reference-agent/status-and-admin.md#the-stats-snapshotter;
 * only created when `ENABLE_STATS_SNAPSHOT` is true). Every interval it fetches Envoy's App
 * Mesh stats, keeps the metrics-extension families (`envoy_appmesh_*`, prefix stripped),
 * and stores the delta against the previous snapshot (`computeDelta`).
 *
 * - A failed fetch, an unparsable body or an inconsistent metric set is logged
 *   and skipped: the previous snapshot and delta stay.
 * - `discardSnapshot()` (before every Envoy start) forgets the previous
 *   snapshot, so the next one counts as the first (raw values, never negative
 *   after Envoy's counters restart from zero). A snapshot whose fetch was
 *   already under way is dropped too: it may hold the old Envoy's numbers.
 *   The last delta is kept, with its `deltaAt`, until the next snapshot.
 * - Ticks never overlap: a tick while a snapshot is running is skipped.
 */
export class StatsSnapshotter {
  private readonly fetch: () => Promise<string>;
  private readonly log: SnapshotterLog;
  private readonly intervalMs: number;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SnapshotOutcome> | undefined;
  private previous: MetricFamily[] | undefined;
  private latest: { readonly families: readonly MetricFamily[]; readonly at: Date } | undefined;
  /** Bumped by `discardSnapshot()` and `stop()`: results of older snapshots are dropped. */
  private epoch = 0;

  constructor(opts: StatsSnapshotterOptions) {
    this.fetch = opts.fetch;
    this.log = opts.log;
    this.intervalMs = opts.intervalMs ?? DEFAULT_SNAPSHOT_INTERVAL_MS;
    this.now = opts.now ?? (() => new Date());
    if (!(this.intervalMs > 0)) throw new RangeError(`snapshot interval must be positive, got ${this.intervalMs}`);
  }

  /** Schedule a snapshot every interval (the first one interval from now). Idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) {
        this.log.debug({}, 'stats snapshot skipped: the previous one is still running');
        return;
      }
      void this.snapshot();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stop the schedule; a snapshot under way is not stored. Idempotent. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.epoch++;
  }

  /** Forget the previous snapshot (call before every Envoy start). */
  discardSnapshot(): void {
    this.previous = undefined;
    this.epoch++;
  }

  /** The latest delta (metrics-extension families, not yet rendered), or undefined before the first snapshot. */
  delta(): readonly MetricFamily[] | undefined {
    return this.latest?.families;
  }

  /** When the latest delta was computed. */
  get deltaAt(): Date | undefined {
    return this.latest?.at;
  }

  /** Take one snapshot now; joins the one under way if any. Never rejects. */
  snapshot(): Promise<SnapshotOutcome> {
    this.running ??= this.take().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async take(): Promise<SnapshotOutcome> {
    const epoch = this.epoch;
    let body: string;
    try {
      body = await this.fetch();
    } catch (err) {
      this.log.warn({ err }, 'stats snapshot skipped: fetching stats from Envoy failed');
      return 'fetch-failed';
    }
    let current: MetricFamily[];
    try {
      current = metricsExtension(parsePrometheusText(body));
      checkConsistency(current);
    } catch (err) {
      this.log.warn({ err }, 'stats snapshot skipped: error processing prometheus stats');
      return 'parse-failed';
    }
    if (epoch !== this.epoch) {
      this.log.debug({}, 'stats snapshot dropped: Envoy was restarted (or the snapshotter stopped) while it was taken');
      return 'discarded';
    }
    const { families, omitted } = computeDelta(current, this.previous);
    if (omitted.length > 0) {
      const names = [...new Set(omitted.map((o) => `${o.family} (${o.type})`))];
      this.log.error({ families: names, samples: omitted.length }, 'stats delta: summary and untyped metrics have no delta; left out');
    }
    this.latest = { families, at: this.now() };
    this.previous = current;
    return 'stored';
  }
}
