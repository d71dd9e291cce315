import type { BodyReader } from './json-reader';
import { IGNORED_BODY_FIELDS, NAME, NAME_TEXT, parseRouteTimeout, readMeshName } from './parse-resources';
import type { HeaderMatch, HeaderMatchSpec, JsonObject, QueryMatch, RetryPolicy, Route, RouteKind, RouteMatch, WeightedTarget } from './types';

/**
 * Shape checks of a create-route body: exactly one of httpRoute, http2Route,
 * grpcRoute, tcpRoute; its match, weighted targets (weights 0-100, not all
 * zero), retry policy and timeout. Pure.
 */

const ROUTE_KEYS = { httpRoute: 'http', http2Route: 'http2', grpcRoute: 'grpc', tcpRoute: 'tcp' } as const;
type RouteKey = keyof typeof ROUTE_KEYS;

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;
const MAX_TARGETS = 10;

/** App Mesh retry events -> Envoy retry_on conditions. */
const HTTP_RETRY_EVENTS: Record<string, string> = {
  'server-error': '5xx',
  'gateway-error': 'gateway-error',
  'client-error': 'retriable-4xx',
  'stream-error': 'refused-stream',
};
const TCP_RETRY_EVENTS: Record<string, string> = { 'connection-error': 'connect-failure' };
const GRPC_RETRY_EVENTS = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];

function parseHeaderMatch(r: BodyReader, h: JsonObject, path: string): HeaderMatch | undefined {
  r.keys(h, path, ['name', 'invert', 'match']);
  const name = r.string(h, 'name', path, { required: true, pattern: /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,50}$/, patternText: 'a header name of 1-50 token characters' });
  const invert = r.bool(h, 'invert', path) ?? false;
  const m = r.object(h, 'match', path);
  let match: HeaderMatchSpec = { kind: 'present' };
  if (m) {
    const at = `${path}.match`;
    r.keys(m, at, ['exact', 'prefix', 'suffix', 'regex', 'range']);
    const which = r.exactlyOne(m, at, ['exact', 'prefix', 'suffix', 'regex', 'range'] as const, 'header match');
    if (which === 'range') {
      const range = r.object(m, 'range', at, true);
      if (range) {
        r.keys(range, `${at}.range`, ['start', 'end']);
        const start = r.int(range, 'start', `${at}.range`, { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, required: true });
        const end = r.int(range, 'end', `${at}.range`, { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, required: true });
        if (start !== undefined && end !== undefined && start >= end) r.problem(`${at}.range`, `start (${start}) must be below end (${end})`);
        if (start !== undefined && end !== undefined) match = { kind: 'range', start, end };
      }
    } else if (which) {
      const value = r.string(m, which, at, { required: true });
      if (value !== undefined) match = { kind: which, value };
    }
  }
  return name === undefined ? undefined : { name: name.toLowerCase(), invert, match };
}

/** Header matches (route `headers`, gRPC `metadata`): at most 10; names lower-cased as HTTP/2 carries them. */
export function parseHeaders(r: BodyReader, match: JsonObject, key: string, path: string): HeaderMatch[] {
  const out: HeaderMatch[] = [];
  for (const [h, at] of r.objects(match, key, path, { max: 10 })) {
    const parsed = parseHeaderMatch(r, h, at);
    if (parsed) out.push(parsed);
  }
  return out;
}

function parseHttpMatch(r: BodyReader, route: JsonObject, path: string): RouteMatch {
  const m = r.object(route, 'match', path, true);
  const out: RouteMatch = { headers: [], query: [] };
  if (!m) return out;
  const at = `${path}.match`;
  r.keys(m, at, ['prefix', 'path', 'method', 'scheme', 'headers', 'queryParameters', 'port']);
  const which = r.exactlyOne(m, at, ['prefix', 'path'] as const, 'path match');
  if (which === 'prefix') {
    const prefix = r.string(m, 'prefix', at, { required: true, pattern: /^\//, patternText: 'a prefix starting with "/"' });
    if (prefix !== undefined) out.path = { kind: 'prefix', value: prefix };
  } else if (which === 'path') {
    const p = r.object(m, 'path', at, true);
    if (p) {
      r.keys(p, `${at}.path`, ['exact', 'regex']);
      const kind = r.exactlyOne(p, `${at}.path`, ['exact', 'regex'] as const, 'path');
      const value = kind ? r.string(p, kind, `${at}.path`, { required: true }) : undefined;
      if (kind && value !== undefined) out.path = { kind, value };
    }
  }
  const port = r.int(m, 'port', at, { min: 1, max: 65535 });
  if (port !== undefined) out.port = port;
  out.headers = parseHeaders(r, m, 'headers', at);
  const method = r.oneOf(m, 'method', at, METHODS);
  if (method) out.headers.push({ name: ':method', invert: false, match: { kind: 'exact', value: method } });
  const scheme = r.oneOf(m, 'scheme', at, ['http', 'https'] as const);
  if (scheme) out.headers.push({ name: ':scheme', invert: false, match: { kind: 'exact', value: scheme } });
  out.query = parseQuery(r, m, at);
  return out;
}

/** `queryParameters` (at most 10): a name, and optionally the exact value. */
export function parseQuery(r: BodyReader, match: JsonObject, at: string): QueryMatch[] {
  const out: QueryMatch[] = [];
  for (const [q, qAt] of r.objects(match, 'queryParameters', at, { max: 10 })) {
    r.keys(q, qAt, ['name', 'match']);
    const name = r.string(q, 'name', qAt, { required: true });
    const qm = r.object(q, 'match', qAt);
    if (qm) r.keys(qm, `${qAt}.match`, ['exact']);
    const exact = qm ? r.string(qm, 'exact', `${qAt}.match`, { required: true }) : undefined;
    if (name !== undefined) out.push({ name, exact });
  }
  return out;
}

function parseGrpcMatch(r: BodyReader, route: JsonObject, path: string): RouteMatch {
  const m = r.object(route, 'match', path, true);
  const out: RouteMatch = { path: { kind: 'prefix', value: '/' }, headers: [], query: [] };
  if (!m) return out;
  const at = `${path}.match`;
  r.keys(m, at, ['serviceName', 'methodName', 'metadata', 'port']);
  const service = r.string(m, 'serviceName', at, { pattern: /^[^/\s]+$/, patternText: 'a gRPC service name such as "pkg.Service"' });
  const method = r.string(m, 'methodName', at, { pattern: /^[^/\s]+$/, patternText: 'a gRPC method name' });
  if (method !== undefined && m['serviceName'] === undefined) r.problem(`${at}.methodName`, 'needs serviceName');
  if (service !== undefined) out.path = method !== undefined ? { kind: 'exact', value: `/${service}/${method}` } : { kind: 'prefix', value: `/${service}/` };
  const port = r.int(m, 'port', at, { min: 1, max: 65535 });
  if (port !== undefined) out.port = port;
  out.headers = parseHeaders(r, m, 'metadata', at);
  return out;
}

function parseTcpMatch(r: BodyReader, route: JsonObject, path: string): RouteMatch {
  const out: RouteMatch = { headers: [], query: [] };
  const m = r.object(route, 'match', path);
  if (!m) return out;
  r.keys(m, `${path}.match`, ['port']);
  const port = r.int(m, 'port', `${path}.match`, { min: 1, max: 65535 });
  if (port !== undefined) out.port = port;
  return out;
}

function parseTargets(r: BodyReader, route: JsonObject, path: string): WeightedTarget[] {
  const action = r.object(route, 'action', path, true);
  if (!action) return [];
  const at = `${path}.action`;
  r.keys(action, at, ['weightedTargets']);
  const targets: WeightedTarget[] = [];
  const items = r.objects(action, 'weightedTargets', at, { required: true, min: 1, max: MAX_TARGETS });
  let weightsValid = true;
  for (const [t, tAt] of items) {
    r.keys(t, tAt, ['virtualNode', 'weight', 'port']);
    const node = r.string(t, 'virtualNode', tAt, { required: true, pattern: NAME, patternText: NAME_TEXT });
    const weight = r.int(t, 'weight', tAt, { min: 0, max: 100, required: true });
    const port = r.int(t, 'port', tAt, { min: 1, max: 65535 });
    if (weight === undefined) weightsValid = false;
    if (node === undefined) continue;
    if (targets.some((x) => x.node === node && x.port === port)) {
      r.problem(`${tAt}.virtualNode`, `virtual node "${node}"${port !== undefined ? ` port ${port}` : ''} is targeted twice`);
      continue;
    }
    // A target with a bad weight is kept (weight 0) so its node is still checked.
    targets.push({ node, weight: weight ?? 0, ...(port !== undefined ? { port } : {}) });
  }
  if (items.length > 0 && weightsValid && targets.every((t) => t.weight === 0)) {
    r.problem(`${at}.weightedTargets`, 'every weight is 0: at least one target needs a weight above 0');
  }
  return targets;
}

function parseRetry(r: BodyReader, route: JsonObject, path: string, kind: RouteKind): RetryPolicy | undefined {
  const rp = r.object(route, 'retryPolicy', path);
  if (!rp) return undefined;
  const at = `${path}.retryPolicy`;
  const eventKeys = kind === 'grpc' ? ['grpcRetryEvents', 'httpRetryEvents', 'tcpRetryEvents'] : ['httpRetryEvents', 'tcpRetryEvents'];
  r.keys(rp, at, ['maxRetries', 'perRetryTimeout', ...eventKeys]);
  const maxRetries = r.int(rp, 'maxRetries', at, { min: 0, max: 2 ** 31 - 1, required: true });
  const perRetryTimeoutMs = r.durationMs(rp, 'perRetryTimeout', at, true);
  const retryOn: string[] = [];
  const events = (key: string, table: Record<string, string>) => {
    (r.list(rp, key, at) ?? []).forEach((e, i) => {
      if (typeof e === 'string' && e in table) retryOn.push(table[e]!);
      else r.problem(`${at}.${key}[${i}]`, `expected one of ${Object.keys(table).join(', ')}, got ${JSON.stringify(e)}`);
    });
  };
  events('httpRetryEvents', HTTP_RETRY_EVENTS);
  events('tcpRetryEvents', TCP_RETRY_EVENTS);
  if (kind === 'grpc') events('grpcRetryEvents', Object.fromEntries(GRPC_RETRY_EVENTS.map((e) => [e, e])));
  if (eventKeys.every((k) => rp[k] === undefined)) r.problem(at, `needs at least one of ${eventKeys.join(', ')}`);
  if (maxRetries === undefined || perRetryTimeoutMs === undefined) return undefined;
  return { maxRetries, perRetryTimeoutMs, retryOn: [...new Set(retryOn)] };
}

export function parseRoute(r: BodyReader, body: JsonObject): Route | undefined {
  r.keys(body, '', ['meshName', 'virtualRouterName', 'routeName', 'spec'], IGNORED_BODY_FIELDS);
  const mesh = readMeshName(r, body);
  const router = r.string(body, 'virtualRouterName', '', { required: true, pattern: NAME, patternText: NAME_TEXT });
  const name = r.string(body, 'routeName', '', { required: true, pattern: NAME, patternText: NAME_TEXT });
  const spec = r.object(body, 'spec', '', true);
  if (!spec) return undefined;
  r.keys(spec, 'spec', ['priority', ...Object.keys(ROUTE_KEYS)]);
  const priority = r.int(spec, 'priority', 'spec', { min: 0, max: 1000 });
  const which = r.exactlyOne(spec, 'spec', Object.keys(ROUTE_KEYS) as RouteKey[], 'route type');
  if (!which) return undefined;
  const route = r.object(spec, which, 'spec', true);
  if (!route) return undefined;
  const kind = ROUTE_KEYS[which];
  const at = `spec.${which}`;
  r.keys(route, at, kind === 'tcp' ? ['match', 'action', 'timeout'] : ['match', 'action', 'retryPolicy', 'timeout']);
  const match = kind === 'tcp' ? parseTcpMatch(r, route, at) : kind === 'grpc' ? parseGrpcMatch(r, route, at) : parseHttpMatch(r, route, at);
  const targets = parseTargets(r, route, at);
  const retry = kind === 'tcp' ? undefined : parseRetry(r, route, at, kind);
  const timeout = parseRouteTimeout(r, route, at, kind === 'tcp');
  if (mesh === undefined || router === undefined || name === undefined) return undefined;
  return { mesh, router, name, priority, kind, match, targets, ...(retry ? { retry } : {}), ...(timeout ? { timeout } : {}) };
}
