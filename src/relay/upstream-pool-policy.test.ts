import { describe, expect, it } from 'vitest';
import { type ConnectionLoad, type PoolLimits, chooseConnection } from './upstream-pool-policy';

const load = (...streams: Array<number | [number, number]>): ConnectionLoad[] =>
  streams.map((s) => (Array.isArray(s) ? { streams: s[0], limit: s[1] } : { streams: s, limit: Infinity }));
const limits = (size: number, max = 8, mayOpen = true): PoolLimits => ({ size, max, mayOpen });

describe('chooseConnection (which upstream connection a new stream goes to)', () => {
  it('grows to the configured size as streams come: a new connection while every one carries a stream', () => {
    expect(chooseConnection([], limits(4))).toEqual({ kind: 'open' });
    expect(chooseConnection(load(0), limits(4))).toEqual({ kind: 'use', index: 0 });
    expect(chooseConnection(load(1), limits(4))).toEqual({ kind: 'open' });
    expect(chooseConnection(load(1, 0), limits(4))).toEqual({ kind: 'use', index: 1 });
    expect(chooseConnection(load(3, 2, 2), limits(4))).toEqual({ kind: 'open' });
  });

  it('at its size: the connection with the fewest streams, the oldest on a tie', () => {
    expect(chooseConnection(load(5, 3, 4, 3), limits(4))).toEqual({ kind: 'use', index: 1 });
    expect(chooseConnection(load(7), limits(1))).toEqual({ kind: 'use', index: 0 });
  });

  it("never gives a connection more streams than its server's SETTINGS_MAX_CONCURRENT_STREAMS", () => {
    expect(chooseConnection(load([1, 2], [2, 2]), limits(1))).toEqual({ kind: 'use', index: 0 });
    expect(chooseConnection(load([2, 2], [1, 2]), limits(1))).toEqual({ kind: 'use', index: 1 });
    // every one at its limit: one more connection, beyond the configured size
    expect(chooseConnection(load([2, 2], [2, 2]), limits(1))).toEqual({ kind: 'open' });
    // a server that lowered its limit below what the connection carries
    expect(chooseConnection(load([5, 2]), limits(1))).toEqual({ kind: 'open' });
  });

  it('refuses at the hard maximum instead of queueing', () => {
    expect(chooseConnection(load([2, 2], [2, 2]), limits(1, 2))).toEqual({ kind: 'full' });
    expect(chooseConnection(load([1, 2], [2, 2]), limits(1, 2))).toEqual({ kind: 'use', index: 0 });
    expect(chooseConnection(load(1, 1), limits(4, 2))).toEqual({ kind: 'use', index: 0 });
  });

  it('while it may not open one (backoff after a failed attempt, shutting down): only the existing connections', () => {
    expect(chooseConnection(load(3), limits(4, 8, false))).toEqual({ kind: 'use', index: 0 });
    expect(chooseConnection(load([2, 2]), limits(4, 8, false))).toEqual({ kind: 'full' });
    expect(chooseConnection([], limits(4, 8, false))).toEqual({ kind: 'full' });
  });
});
