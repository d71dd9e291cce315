import { type MarkingMode, MarkingModeSchema } from '../common/contracts/relay-status';

/**
 * The V8 flags of the relay process, from its environment (pure). Both are
 * read by V8 at every GC, so setting them at run time (v8-tuning.ts) works.
 *
 * `--heap-growing-percent=N` (RELAY_V8_HEAP_GROWING_PERCENT, default 50): after
 * a full garbage collection V8 lets the old generation grow to (1 + N/100)
 * times what survived before the next one; without the flag its factor is its
 * own, up to 4x on a heap as small as the relay's. After an upstream restart
 * thousands of streams a second arrive and are refused for a while: short-lived
 * objects that survive a scavenge or two end up in the old generation, and with
 * V8's factor the heap (and RSS) grows to several times its live size before
 * they are collected (docs/relay-performance.md, "Back after an upstream
 * restart"). `0` leaves V8's own factor.
 *
 * `--no-incremental-marking` (RELAY_V8_INCREMENTAL_MARKING `off`, and `auto`
 * at start; `auto`, the default, switches it on while the heap is large:
 * incremental-marking.ts). V8 starts marking a heap of more than 8 MB
 * incrementally as soon as the room left before its old-generation limit is
 * smaller than its young generation (up to 16 MB). The relay's heap is about 9 MB, and the room left shrinks with
 * the external memory (the relayed chunks) allocated since the last full GC;
 * so while bulk goes through, a full GC followed every ~80 ms (40-100 per GiB)
 * and the relay spent 25-40 % more CPU per GiB than a bare node:http2 pipe
 * whose heap is under 8 MB. Without incremental marking, a full GC runs only
 * when the limit itself is reached, in one pause (measured in
 * docs/relay-performance.md, "Full GCs under bulk: incremental marking").
 *
 * A value the configuration refuses sets nothing here; the relay's
 * configuration then reports it and exits.
 */
export const HEAP_GROWING_PERCENT_ENV = 'RELAY_V8_HEAP_GROWING_PERCENT';
export const DEFAULT_HEAP_GROWING_PERCENT = 50;
export const INCREMENTAL_MARKING_ENV = 'RELAY_V8_INCREMENTAL_MARKING';
export const MARKING_MODES: readonly MarkingMode[] = MarkingModeSchema.options;
export const DEFAULT_INCREMENTAL_MARKING: MarkingMode = 'auto';

export function relayV8Flags(env: Record<string, string | undefined>): string | undefined {
  const flags: string[] = [];
  const text = (env[HEAP_GROWING_PERCENT_ENV] ?? '').trim();
  const percent = text === '' ? DEFAULT_HEAP_GROWING_PERCENT : /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (percent > 0 && percent <= 1000) flags.push(`--heap-growing-percent=${percent}`);
  const marking = (env[INCREMENTAL_MARKING_ENV] ?? '').trim().toLowerCase() || DEFAULT_INCREMENTAL_MARKING;
  // auto starts off (incremental-marking.ts switches it on once the heap is large); a refused value sets nothing
  if (marking === 'auto' || marking === 'off') flags.push('--no-incremental-marking');
  return flags.length ? flags.join(' ') : undefined;
}
