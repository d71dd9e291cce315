import { resolveTarget, type ResolvedTarget } from './egress-plan';
import type { ModelIndex } from './model-index';
import { egressClusterName } from './names';
import { routeFitsListener, type HeaderMatch, type Protocol, type Route, type RouteMatch, type Timeouts, type VirtualService } from './types';

/**
 * App Mesh routes -> Envoy v3 route objects (proto JSON, snake_case), shared by
 * the Envoy sidecar's egress RouteConfigurations and the proxyless clients'
 * ones. Pure.
 */

type Obj = Record<string, unknown>;

/** Milliseconds as a proto JSON Duration ("1.5s"). */
export function duration(ms: number): string {
  return `${ms / 1000}s`;
}

export function headerMatcher(h: HeaderMatch): Obj {
  const m = h.match;
  const base: Obj = { name: h.name, ...(h.invert ? { invert_match: true } : {}) };
  switch (m.kind) {
    case 'present':
      return { ...base, present_match: true };
    case 'range':
      return { ...base, range_match: { start: m.start, end: m.end } };
    case 'regex':
      return { ...base, string_match: { safe_regex: { regex: m.value } } };
    default:
      return { ...base, string_match: { [m.kind]: m.value } };
  }
}

export function routeMatch(m: RouteMatch): Obj {
  const out: Obj = {};
  const p = m.path ?? { kind: 'prefix', value: '/' };
  if (p.kind === 'prefix') out['prefix'] = p.value;
  else if (p.kind === 'exact') out['path'] = p.value;
  else out['safe_regex'] = { regex: p.value };
  if (m.headers.length > 0) out['headers'] = m.headers.map(headerMatcher);
  if (m.query.length > 0) {
    out['query_parameters'] = m.query.map((q) => (q.exact === undefined ? { name: q.name, present_match: true } : { name: q.name, string_match: { exact: q.exact } }));
  }
  return out;
}

/**
 * Every target of a route (validation guarantees they resolve), weight 0
 * included: a target at weight 0 keeps its cluster and its place in the
 * weighted clusters, so moving a split 0 -> 25 changes only the route's
 * weights, never the clients' set of clusters (no cluster churn, nothing for a
 * client to fetch before the calls can go).
 */
export function routeTargets(index: ModelIndex, route: Route): ResolvedTarget[] {
  return route.targets.flatMap((t) => {
    const r = resolveTarget(index, route.mesh, t);
    return typeof r === 'string' ? [] : [r];
  });
}

/** The targets that take traffic (weight above 0): where a weight of 0 is not allowed (tcp_proxy). */
export function liveTargets(index: ModelIndex, route: Route): ResolvedTarget[] {
  return routeTargets(index, route).filter((t) => t.weight > 0);
}

export function targetClusterName(t: ResolvedTarget): string {
  return egressClusterName(t.node.mesh, t.node.name, t.listener.protocol, t.listener.port);
}

function timeouts(t: Timeouts | undefined, grpc: boolean): Obj {
  const out: Obj = {};
  if (t?.perRequestMs !== undefined) {
    out['timeout'] = duration(t.perRequestMs);
    // gRPC clients (and grpc-js-xds) read the per-call limit from max_stream_duration.
    if (grpc) out['max_stream_duration'] = { max_stream_duration: duration(t.perRequestMs) };
  }
  if (t?.idleMs !== undefined) out['idle_timeout'] = duration(t.idleMs);
  return out;
}

/**
 * Weighted clusters. App Mesh weights need not add up to 100; when they do
 * not, `total_weight` says what they add up to: the field is deprecated (Envoy
 * and grpc-js-xds take the sum), but gRPC C-core releases still in
 * distributions (e.g. 1.51) take 100 when it is absent and refuse the route.
 */
export function weightedClusters(clusters: ReadonlyArray<{ name: string; weight: number }>): Obj {
  const sum = clusters.reduce((n, c) => n + c.weight, 0);
  return { clusters, ...(sum !== 100 && sum > 0 ? { total_weight: sum } : {}) };
}

/** A route's action: weighted clusters, timeouts, retry policy (also behind a virtual gateway's routes). */
export function routeAction(index: ModelIndex, route: Route): Obj {
  const action: Obj = {
    weighted_clusters: weightedClusters(routeTargets(index, route).map((t) => ({ name: targetClusterName(t), weight: t.weight }))),
    ...timeouts(route.timeout, route.kind === 'grpc'),
  };
  const r = route.retry;
  if (r && r.maxRetries > 0 && r.retryOn.length > 0) {
    action['retry_policy'] = { retry_on: r.retryOn.join(','), num_retries: r.maxRetries, per_try_timeout: duration(r.perRetryTimeoutMs) };
  }
  return action;
}

export function envoyRoute(index: ModelIndex, route: Route): Obj {
  return { name: route.name, match: routeMatch(route.match), route: routeAction(index, route) };
}

/** The routes of the service's router that serve a listener (port, protocol); an httpRoute serves an http2 listener and vice versa. */
export function routesFor(index: ModelIndex, service: VirtualService, port: number, protocol: Protocol): Route[] {
  const p = service.provider;
  if (p?.kind !== 'virtualRouter') return [];
  return index.routesOf(service.mesh, p.name).filter((r) => routeFitsListener(r.kind, protocol) && (r.match.port === undefined || r.match.port === port) && liveTargets(index, r).length > 0);
}

/** One virtual host for a virtual service reached on `port`: domains "<name>" and "<name>:<port>". */
export function virtualHost(index: ModelIndex, service: VirtualService, port: number, protocol: Protocol): Obj {
  const p = service.provider;
  let routes: Obj[] = [];
  if (p?.kind === 'virtualNode') {
    const node = index.node(service.mesh, p.name);
    const listener = node?.listeners.find((l) => l.port === port);
    if (node && listener) routes = [{ name: 'default', match: { prefix: '/' }, route: { cluster: egressClusterName(node.mesh, node.name, listener.protocol, port) } }];
  } else if (p?.kind === 'virtualRouter') {
    routes = routesFor(index, service, port, protocol).map((r) => envoyRoute(index, r));
  }
  return { name: `${service.name}:${port}`, domains: [service.name, `${service.name}:${port}`], routes };
}

/** Every cluster a virtual service on `port` sends to (for CDS/EDS). */
export function serviceTargets(index: ModelIndex, service: VirtualService, port: number, protocol: Protocol): ResolvedTarget[] {
  const p = service.provider;
  if (p?.kind === 'virtualNode') {
    const node = index.node(service.mesh, p.name);
    const listener = node?.listeners.find((l) => l.port === port);
    return node && listener ? [{ node, listener, weight: 1 }] : [];
  }
  return routesFor(index, service, port, protocol).flatMap((r) => routeTargets(index, r));
}
