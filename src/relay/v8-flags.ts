/**
 * The V8 flags of the relay process, from its environment (pure).
 *
 * `--heap-growing-percent=N` (RELAY_V8_HEAP_GROWING_PERCENT, default 50): after
 * a full garbage collection V8 lets the old generation grow to (1 + N/100)
 * times what survived before the next one; without the flag its factor is its
 * own, up to 4x on a heap as small as the relay's. After an upstream restart
 * thousands of streams a second arrive and are refused for a while: short-lived
 * objects that survive a scavenge or two end up in the old generation, and with
 * V8's factor the heap (and RSS) grows to several times its live size before
 * they are collected (docs/relay-performance.md, "Back after an upstream
 * restart"). The flag is read at every GC, so setting it at run time works.
 * `0` leaves V8's own factor. A value that is not an integer from 0 to 1000
 * sets nothing here; the relay's configuration then reports it and exits.
 */
export const HEAP_GROWING_PERCENT_ENV = 'RELAY_V8_HEAP_GROWING_PERCENT';
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

export function relayV8Flags(env: Record<string, string | undefined>): string | undefined {
  const text = (env[HEAP_GROWING_PERCENT_ENV] ?? '').trim();
  const percent = text === '' ? DEFAULT_HEAP_GROWING_PERCENT : /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!(percent > 0 && percent <= 1000)) return undefined;
  return `--heap-growing-percent=${percent}`;
}
