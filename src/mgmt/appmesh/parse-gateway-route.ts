import type { BodyReader } from './json-reader';
import { IGNORED_BODY_FIELDS, NAME, NAME_TEXT, SERVICE_NAME, SERVICE_NAME_TEXT, readMeshName } from './parse-resources';
import { METHODS, parseHeaders, parseQuery } from './parse-route';
import type { GatewayProtocol, GatewayRoute, GatewayRouteMatch, HostnameMatch, JsonObject, PathRewrite } from './types';

/**
 * Shape checks of a create-gateway-route body: exactly one of httpRoute,
 * http2Route, grpcRoute; its match, target and rewrite, normalised with App
 * Mesh's defaults (the Host becomes the target service's name; a prefix match
 * has its matched prefix replaced by "/"). Pure. Rules (README.md):
 *
 *  - http/http2 match: at most one of `prefix` and `path`, and at least one of
 *    `prefix`, `path`, `hostname` (`prefix: "/"` matches every request);
 *    gRPC match: at least one of `serviceName`, `hostname`, `metadata`;
 *  - prefixes under `/aws-appmesh` and `/aws-app-mesh`, and gRPC service
 *    names under `aws.appmesh` and `aws.app-mesh`, are reserved by App Mesh;
 *  - `rewrite.prefix` needs a prefix match and takes at most one of
 *    `defaultPrefix` and `value`; a `value` starts and ends with "/" and then
 *    the matched prefix must end with "/" too (so the rest of the path keeps
 *    its leading "/");
 *  - `rewrite.path` needs a whole-path match (`path.exact` or `path.regex`, as
 *    App Mesh's console offers it for both) and starts with "/".
 */

const ROUTE_KEYS = { httpRoute: 'http', http2Route: 'http2', grpcRoute: 'grpc' } as const satisfies Record<string, GatewayProtocol>;
type RouteKey = keyof typeof ROUTE_KEYS;

const RESERVED_PREFIXES = ['/aws-appmesh', '/aws-app-mesh'];
const RESERVED_SERVICES = ['aws.appmesh', 'aws.app-mesh'];
const HOSTNAME = /^[A-Za-z0-9._-]{1,253}$/;
const HOSTNAME_TEXT = 'a host name of 1-253 letters, digits, ".", "-" or "_" (no port)';
const ENABLED = ['ENABLED', 'DISABLED'] as const;

/** Whether a field is given (JSON null counts as absent, as the reader's getters take it). */
function given(o: JsonObject, key: string): boolean {
  return o[key] !== undefined && o[key] !== null;
}

function parseHostname(r: BodyReader, m: JsonObject, at: string): HostnameMatch | undefined {
  const h = r.object(m, 'hostname', at);
  if (!h) return undefined;
  const hAt = `${at}.hostname`;
  r.keys(h, hAt, ['exact', 'suffix']);
  const kind = r.exactlyOne(h, hAt, ['exact', 'suffix'] as const, 'hostname match');
  const value = kind ? r.string(h, kind, hAt, { required: true, pattern: HOSTNAME, patternText: HOSTNAME_TEXT }) : undefined;
  return kind && value !== undefined ? { kind, value: value.toLowerCase() } : undefined;
}

function parseHttpMatch(r: BodyReader, route: JsonObject, path: string): GatewayRouteMatch {
  const out: GatewayRouteMatch = { headers: [], query: [] };
  const m = r.object(route, 'match', path, true);
  if (!m) return out;
  const at = `${path}.match`;
  r.keys(m, at, ['prefix', 'path', 'hostname', 'method', 'headers', 'queryParameters', 'port']);
  if (given(m, 'prefix') && given(m, 'path')) r.problem(at, 'path match: only one of prefix, path may be set');
  else if (!given(m, 'prefix') && !given(m, 'path') && !given(m, 'hostname')) r.problem(at, 'needs one of prefix, path, hostname (prefix "/" matches every request)');
  const prefix = r.string(m, 'prefix', at, { pattern: /^\//, patternText: 'a prefix starting with "/"' });
  if (prefix !== undefined && RESERVED_PREFIXES.some((p) => prefix.startsWith(p))) r.problem(`${at}.prefix`, `${JSON.stringify(prefix)}: prefixes under ${RESERVED_PREFIXES.join(' and ')} are reserved by App Mesh`);
  else if (prefix !== undefined) out.path = { kind: 'prefix', value: prefix };
  const p = r.object(m, 'path', at);
  if (p && prefix === undefined) {
    r.keys(p, `${at}.path`, ['exact', 'regex']);
    const kind = r.exactlyOne(p, `${at}.path`, ['exact', 'regex'] as const, 'path');
    const value = kind ? r.string(p, kind, `${at}.path`, { required: true, ...(kind === 'exact' ? { pattern: /^\//, patternText: 'a path starting with "/"' } : {}) }) : undefined;
    if (kind && value !== undefined) out.path = { kind, value };
  }
  const hostname = parseHostname(r, m, at);
  if (hostname) out.hostname = hostname;
  const port = r.int(m, 'port', at, { min: 1, max: 65535 });
  if (port !== undefined) out.port = port;
  out.headers = parseHeaders(r, m, 'headers', at);
  const method = r.oneOf(m, 'method', at, METHODS);
  if (method) out.headers.push({ name: ':method', invert: false, match: { kind: 'exact', value: method } });
  out.query = parseQuery(r, m, at);
  return out;
}

function parseGrpcMatch(r: BodyReader, route: JsonObject, path: string): GatewayRouteMatch {
  const out: GatewayRouteMatch = { headers: [], query: [] };
  const m = r.object(route, 'match', path, true);
  if (!m) return out;
  const at = `${path}.match`;
  r.keys(m, at, ['serviceName', 'hostname', 'metadata', 'port']);
  if (!given(m, 'serviceName') && !given(m, 'hostname') && !given(m, 'metadata')) r.problem(at, 'needs one of serviceName, hostname, metadata');
  const service = r.string(m, 'serviceName', at, { pattern: /^[^/\s]+$/, patternText: 'a gRPC service name such as "pkg.Service"' });
  if (service !== undefined && RESERVED_SERVICES.some((s) => service.startsWith(s))) r.problem(`${at}.serviceName`, `${JSON.stringify(service)}: service names under ${RESERVED_SERVICES.join(' and ')} are reserved by App Mesh`);
  else if (service !== undefined) out.path = { kind: 'prefix', value: `/${service}/` };
  const hostname = parseHostname(r, m, at);
  if (hostname) out.hostname = hostname;
  const port = r.int(m, 'port', at, { min: 1, max: 65535 });
  if (port !== undefined) out.port = port;
  out.headers = parseHeaders(r, m, 'metadata', at);
  return out;
}

function parseTarget(r: BodyReader, action: JsonObject, at: string): GatewayRoute['target'] | undefined {
  const t = r.object(action, 'target', at, true);
  if (!t) return undefined;
  const tAt = `${at}.target`;
  r.keys(t, tAt, ['virtualService', 'port']);
  const vs = r.object(t, 'virtualService', tAt, true);
  if (vs) r.keys(vs, `${tAt}.virtualService`, ['virtualServiceName']);
  const service = vs ? r.string(vs, 'virtualServiceName', `${tAt}.virtualService`, { required: true, pattern: SERVICE_NAME, patternText: SERVICE_NAME_TEXT }) : undefined;
  const port = r.int(t, 'port', tAt, { min: 1, max: 65535 });
  return service === undefined ? undefined : { service, ...(port !== undefined ? { port } : {}) };
}

/** `rewrite` with App Mesh's defaults: the Host rewritten, a matched prefix replaced by "/". */
function parseRewrite(r: BodyReader, action: JsonObject, at: string, kind: GatewayProtocol, match: GatewayRouteMatch): { hostRewrite: boolean; pathRewrite: PathRewrite } {
  const matched = match.path;
  let pathRewrite: PathRewrite = kind !== 'grpc' && matched?.kind === 'prefix' ? { kind: 'prefix', to: '/' } : { kind: 'keep' };
  let hostRewrite = true;
  const rw = r.object(action, 'rewrite', at);
  if (!rw) return { hostRewrite, pathRewrite };
  const rwAt = `${at}.rewrite`;
  r.keys(rw, rwAt, kind === 'grpc' ? ['hostname'] : ['hostname', 'prefix', 'path']);
  const host = r.object(rw, 'hostname', rwAt);
  if (host) {
    r.keys(host, `${rwAt}.hostname`, ['defaultTargetHostname']);
    hostRewrite = r.oneOf(host, 'defaultTargetHostname', `${rwAt}.hostname`, ENABLED) !== 'DISABLED';
  }
  if (kind === 'grpc') return { hostRewrite, pathRewrite };
  const prefix = r.object(rw, 'prefix', rwAt);
  if (prefix) {
    const pAt = `${rwAt}.prefix`;
    r.keys(prefix, pAt, ['defaultPrefix', 'value']);
    if (matched?.kind !== 'prefix') r.problem(pAt, 'a prefix rewrite needs a prefix match (match.prefix)');
    if (given(prefix, 'defaultPrefix') && given(prefix, 'value')) r.problem(pAt, 'only one of defaultPrefix, value may be set');
    const def = r.oneOf(prefix, 'defaultPrefix', pAt, ENABLED);
    const value = r.string(prefix, 'value', pAt, { pattern: /^\/(.*\/)?$/, patternText: 'a prefix starting and ending with "/"' });
    if (value !== undefined && matched?.kind === 'prefix' && !matched.value.endsWith('/')) {
      r.problem(`${pAt}.value`, `rewriting to a value needs a match prefix ending with "/" (got ${JSON.stringify(matched.value)})`);
    }
    if (matched?.kind === 'prefix') {
      if (value !== undefined) pathRewrite = { kind: 'prefix', to: value };
      else if (def === 'DISABLED') pathRewrite = { kind: 'keep' };
    }
  }
  const path = r.object(rw, 'path', rwAt);
  if (path) {
    const pAt = `${rwAt}.path`;
    r.keys(path, pAt, ['exact']);
    if (matched === undefined || matched.kind === 'prefix') r.problem(pAt, 'a path rewrite needs a whole-path match (match.path.exact or match.path.regex)');
    const to = r.string(path, 'exact', pAt, { required: true, pattern: /^\//, patternText: 'a path starting with "/"' });
    if (to !== undefined && matched !== undefined && matched.kind !== 'prefix') pathRewrite = { kind: 'path', to };
  }
  return { hostRewrite, pathRewrite };
}

/** Replacing a prefix with itself is no rewrite (a "/" match with the default rewrite). */
function normalised(pr: PathRewrite, match: GatewayRouteMatch): PathRewrite {
  return pr.kind === 'prefix' && match.path?.value === pr.to ? { kind: 'keep' } : pr;
}

export function parseGatewayRoute(r: BodyReader, body: JsonObject): GatewayRoute | undefined {
  r.keys(body, '', ['meshName', 'virtualGatewayName', 'gatewayRouteName', 'spec'], IGNORED_BODY_FIELDS);
  const mesh = readMeshName(r, body);
  const gateway = r.string(body, 'virtualGatewayName', '', { required: true, pattern: NAME, patternText: NAME_TEXT });
  const name = r.string(body, 'gatewayRouteName', '', { required: true, pattern: NAME, patternText: NAME_TEXT });
  const spec = r.object(body, 'spec', '', true);
  if (!spec) return undefined;
  r.keys(spec, 'spec', ['priority', ...Object.keys(ROUTE_KEYS)]);
  const priority = r.int(spec, 'priority', 'spec', { min: 0, max: 1000 });
  const which = r.exactlyOne(spec, 'spec', Object.keys(ROUTE_KEYS) as RouteKey[], 'gateway route type');
  if (!which) return undefined;
  const route = r.object(spec, which, 'spec', true);
  if (!route) return undefined;
  const kind = ROUTE_KEYS[which];
  const at = `spec.${which}`;
  r.keys(route, at, ['match', 'action']);
  const match = kind === 'grpc' ? parseGrpcMatch(r, route, at) : parseHttpMatch(r, route, at);
  const action = r.object(route, 'action', at, true);
  let target: GatewayRoute['target'] | undefined;
  let rewrite: { hostRewrite: boolean; pathRewrite: PathRewrite } = { hostRewrite: true, pathRewrite: { kind: 'keep' } };
  if (action) {
    r.keys(action, `${at}.action`, ['target', 'rewrite']);
    target = parseTarget(r, action, `${at}.action`);
    rewrite = parseRewrite(r, action, `${at}.action`, kind, match);
    rewrite.pathRewrite = normalised(rewrite.pathRewrite, match);
  }
  if (mesh === undefined || gateway === undefined || name === undefined || target === undefined) return undefined;
  return { mesh, gateway, name, priority, kind, match, target, ...rewrite };
}
