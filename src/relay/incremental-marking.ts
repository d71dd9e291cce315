/**
 * V8's incremental marking, switched by the relay's heap size
 * (RELAY_V8_INCREMENTAL_MARKING=auto, the default; why: v8-flags.ts).
 *
 * Off while the old generation is small: there V8 starts marking as soon as
 * the room left before its limit is smaller than the young generation, which
 * under bulk meant a full GC every ~80 ms. On once it is large (thousands of
 * streams): the room left is then larger than the young generation, and
 * incremental marking keeps the full-GC pauses short (125 ms instead of 192 ms
 * at 10,000 streams). The two thresholds apart keep it from flapping.
 */
import * as v8 from 'node:v8';
import type { IncrementalMarking, MarkingMode } from '../common/contracts/relay-status';

export type { MarkingMode } from '../common/contracts/relay-status';

export const MARKING_ON_ABOVE_BYTES = 48 * 1024 * 1024;
export const MARKING_OFF_BELOW_BYTES = 32 * 1024 * 1024;

/** Pure: whether marking should be on, given the old generation's used bytes and whether it is on now. */
export function markingWanted(mode: MarkingMode, oldGenerationBytes: number, on: boolean): boolean {
  if (mode !== 'auto') return mode === 'on';
  if (on) return oldGenerationBytes >= MARKING_OFF_BELOW_BYTES;
  return oldGenerationBytes > MARKING_ON_ABOVE_BYTES;
}

/** Old, code and large-object spaces, used bytes: what V8 weighs against its old-generation limit. */
export function oldGenerationBytes(): number {
  let n = 0;
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_name !== 'new_space' && s.space_name !== 'new_large_object_space') n += s.space_used_size;
  return n;
}

/** What /status shows (`switches`: times `auto` switched it since start). */
export type MarkingRecord = IncrementalMarking;

export interface MarkingSwitch {
  readonly record: MarkingRecord;
  stop(): void;
}

/**
 * Sets the starting state (off for `auto`; v8-tuning.ts set it already when
 * the relay's entry point started the process, but an embedding may not have:
 * this keeps `/status` true either way), then in auto mode looks at the heap
 * every `everyMs` (unref'd timer) and switches when the policy says so.
 */
export function startMarkingSwitch(opts: {
  mode: MarkingMode;
  everyMs?: number;
  heapBytes?: () => number;
  setFlag?: (on: boolean) => void;
  onSwitch?: (on: boolean, oldGenerationBytes: number) => void;
}): MarkingSwitch {
  const record: MarkingRecord = { mode: opts.mode, on: opts.mode === 'on', switches: 0 };
  const setFlag = opts.setFlag ?? ((on: boolean) => v8.setFlagsFromString(on ? '--incremental-marking' : '--no-incremental-marking'));
  setFlag(record.on);
  if (opts.mode !== 'auto') return { record, stop: () => undefined };
  const heapBytes = opts.heapBytes ?? oldGenerationBytes;
  const timer = setInterval(() => {
    const bytes = heapBytes();
    const want = markingWanted('auto', bytes, record.on);
    if (want === record.on) return;
    setFlag(want);
    record.on = want;
    record.switches++;
    opts.onSwitch?.(want, bytes);
  }, opts.everyMs ?? 1000);
  timer.unref();
  return { record, stop: () => clearInterval(timer) };
}
