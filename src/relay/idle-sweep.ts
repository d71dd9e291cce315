/**
 * RELAY_STREAM_IDLE_TIMEOUT without a timer per stream (pure core, thin shell).
 *
 * A per-stream `Http2Stream.setTimeout` is refreshed by Node on every chunk
 * read or written (a libuv clock read and a timer-list insert each: ~4 % of
 * the relay's instructions per round trip). Instead, one relay-wide sweep
 * looks at each stream's byte counters, which the data path keeps anyway: a
 * stream whose counters have not moved for the timeout is idle. A stream is
 * never ended early (its quiet is counted from the sweep that last saw it
 * move, which is at or after its last byte); it is ended at most two sweep
 * intervals late. The interval is an eighth of the timeout, between 10 ms and
 * 30 s (40 min default timeout: 30 s).
 */

/** One stream's idle clock. */
export interface IdleClock {
  /** Its activity counter (bytes either way) at the last sweep. */
  seen: number;
  /** When that counter last changed (as seen by a sweep), ms. */
  since: number;
}

export function newIdleClock(activity: number, now: number): IdleClock {
  return { seen: activity, since: now };
}

/** Pure: note this sweep's reading; true once the stream has been quiet for `timeoutMs`. */
export function idleExpired(c: IdleClock, activity: number, now: number, timeoutMs: number): boolean {
  if (activity !== c.seen) {
    c.seen = activity;
    c.since = now;
    return false;
  }
  return now - c.since >= timeoutMs;
}

export function sweepIntervalMs(timeoutMs: number): number {
  return Math.min(30_000, Math.max(10, Math.floor(timeoutMs / 8)));
}

export interface IdleSwept {
  /** Called by the sweep; the stream checks its own clock and ends itself if idle. */
  checkIdle(now: number): void;
}

/** Sweeps `streams()` every sweepIntervalMs(timeoutMs) (unref'd); undefined when the timeout is 0 (off). */
export function startIdleSweep(timeoutMs: number, streams: () => Iterable<IdleSwept>, now: () => number = () => performance.now()): { stop(): void } | undefined {
  if (timeoutMs <= 0) return undefined;
  const timer = setInterval(() => {
    const t = now();
    for (const s of streams()) s.checkIdle(t);
  }, sweepIntervalMs(timeoutMs));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
