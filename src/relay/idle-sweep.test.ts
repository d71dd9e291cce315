import { describe, expect, it } from 'vitest';
import { idleExpired, newIdleClock, startIdleSweep, sweepIntervalMs } from './idle-sweep';

describe('idle sweep', () => {
  it('a stream is idle once its counters have not moved for the timeout, counted from the sweep that last saw them move', () => {
    const c = newIdleClock(0, 0);
    expect(idleExpired(c, 0, 900, 1000)).toBe(false);
    expect(idleExpired(c, 10, 950, 1000)).toBe(false); // moved: quiet counts from 950
    expect(idleExpired(c, 10, 1900, 1000)).toBe(false);
    expect(idleExpired(c, 10, 1950, 1000)).toBe(true);
    expect(idleExpired(c, 11, 5000, 1000)).toBe(false); // any byte restarts it
    expect(c).toEqual({ seen: 11, since: 5000 });
  });

  it('is never early: with sweeps every interval, expiry comes between the timeout and two intervals after it', () => {
    const timeout = 1000;
    const every = sweepIntervalMs(timeout);
    for (const lastByteAt of [0, 1, every - 1, every, every + 7]) {
      const c = newIdleClock(0, 0);
      let activity = 0;
      let expiredAt: number | undefined;
      for (let t = every; expiredAt === undefined && t < 10 * timeout; t += every) {
        if (lastByteAt > t - every && lastByteAt <= t) activity++; // a byte between the previous sweep and this one
        if (idleExpired(c, activity, t, timeout)) expiredAt = t;
      }
      expect(expiredAt! - lastByteAt).toBeGreaterThanOrEqual(timeout);
      expect(expiredAt! - lastByteAt).toBeLessThanOrEqual(timeout + 2 * every);
    }
  });

  it('sweeps every eighth of the timeout, between 10 ms and 30 s', () => {
    expect(sweepIntervalMs(250)).toBe(31);
    expect(sweepIntervalMs(40)).toBe(10);
    expect(sweepIntervalMs(2_400_000)).toBe(30_000);
    expect(sweepIntervalMs(60_000)).toBe(7500);
  });

  it('the sweep asks every stream, and is off with a timeout of 0', async () => {
    expect(startIdleSweep(0, () => [])).toBeUndefined();
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      const sweep = startIdleSweep(
        80,
        () => [{ checkIdle: (now: number) => seen.push(now) }, { checkIdle: (now: number) => seen.push(now) }],
        () => 42,
      );
      const t = setInterval(() => {
        if (seen.length >= 4) {
          clearInterval(t);
          sweep!.stop();
          resolve();
        }
      }, 5);
    });
    expect(seen.slice(0, 4)).toEqual([42, 42, 42, 42]);
  });
});
