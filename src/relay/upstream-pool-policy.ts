/**
 * Which upstream connection a new stream goes to (pure; upstream.ts carries it
 * out). Each connection the relay keeps for new streams (open, or still being
 * set up; not draining) is described by its load: the streams given to it and
 * the most the server lets it carry (SETTINGS_MAX_CONCURRENT_STREAMS; a stream
 * beyond that would wait inside nghttp2 for a slot, with nothing to say why).
 *
 * - While the pool is below its size (RELAY_UPSTREAM_CONNECTIONS) and every
 *   connection already carries a stream, a new connection is opened for it:
 *   the pool grows as streams come, one connection per stream at first.
 * - Otherwise the stream goes to the connection with the fewest streams that is
 *   below its server's limit (the oldest on a tie).
 * - When every connection is at its limit, another is opened, beyond the size,
 *   up to the hard maximum (RELAY_UPSTREAM_MAX_CONNECTIONS); past that the
 *   stream is refused ('full'), never queued.
 *
 * `mayOpen` is false while no connection may be opened (after a failed attempt,
 * until the backoff has passed; while shutting down): then only the existing
 * connections are used.
 */

export interface ConnectionLoad {
  /** Streams given to the connection (open, or about to be opened). */
  streams: number;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS for it (Infinity: none advertised). */
  limit: number;
}

export interface PoolLimits {
  /** RELAY_UPSTREAM_CONNECTIONS: connections kept for new streams while the servers' limits allow. */
  size: number;
  /** RELAY_UPSTREAM_MAX_CONNECTIONS: the hard maximum, growth for the servers' limits included. */
  max: number;
  mayOpen: boolean;
}

export type PoolChoice = { kind: 'use'; index: number } | { kind: 'open' } | { kind: 'full' };

export function chooseConnection(conns: readonly ConnectionLoad[], limits: PoolLimits): PoolChoice {
  let best = -1;
  conns.forEach((c, i) => {
    if (c.streams < c.limit && (best < 0 || c.streams < conns[best]!.streams)) best = i;
  });
  const mayOpen = limits.mayOpen && conns.length < limits.max;
  if (mayOpen && conns.length < limits.size && (best < 0 || conns[best]!.streams > 0)) return { kind: 'open' };
  if (best >= 0) return { kind: 'use', index: best };
  return mayOpen ? { kind: 'open' } : { kind: 'full' };
}
