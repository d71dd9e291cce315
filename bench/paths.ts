/**
 * The paths the round-trip and throughput phases measure the same way, in the
 * same run, interleaved:
 *   direct: client -> server over TLS
 *   relay:  client -> relay Unix socket (h2c) -> server over TLS, SigV4 per stream
 *   floor:  client -> bench/floor-proxy Unix socket (h2c, a bare pipe) -> server over TLS
 */
import type { Target } from './load-client';
import type { Child } from './processes';

export type PathName = 'direct' | 'relay' | 'floor';
/** The proxied paths: their proxy process has the same name in CPU figures. */
export type ProxyPath = Exclude<PathName, 'direct'>;
/** One value per measured path; `floor` only when that path is measured. */
export type PerPath<T> = { direct: T; relay: T; floor?: T };

export interface Paths {
  /** Measured paths, in the order of the first repetition. */
  names: PathName[];
  client: Child;
  targets: PerPath<Target>;
  /** The processes whose CPU time counts on each path, by name: client, the proxy if any, server. */
  pids: PerPath<Record<string, number>>;
}

export function makePaths(client: Child, server: Child, direct: Target, proxies: { relay: { pid: number; socket: string }; floor?: { pid: number; socket: string } | undefined }): Paths {
  const c = client.proc.pid!;
  const s = server.proc.pid!;
  const { relay, floor } = proxies;
  return {
    names: floor ? ['direct', 'relay', 'floor'] : ['direct', 'relay'],
    client,
    targets: { direct, relay: { kind: 'uds', socket: relay.socket }, ...(floor ? { floor: { kind: 'uds', socket: floor.socket } } : {}) },
    pids: { direct: { client: c, server: s }, relay: { client: c, relay: relay.pid, server: s }, ...(floor ? { floor: { client: c, floor: floor.pid, server: s } } : {}) },
  };
}

/** `f` of each measured path. */
export function perPath<T>(names: PathName[], f: (p: PathName) => T): PerPath<T> {
  return Object.fromEntries(names.map((p) => [p, f(p)])) as PerPath<T>;
}

/** Repetition `rep` runs the paths forwards when even, backwards when odd. */
export function repOrder(names: PathName[], rep: number): PathName[] {
  return rep % 2 === 0 ? names : [...names].reverse();
}
