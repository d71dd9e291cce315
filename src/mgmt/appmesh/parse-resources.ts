import { BodyReader } from './json-reader';
import { parseClientPolicy, parseConnectionPool, parseIpPreference, parseListenerTls, parseLogging, parseOutlierDetection } from './parse-policies';
import {
  PROTOCOLS,
  type ClientPolicy,
  type HealthCheck,
  type JsonObject,
  type Mesh,
  type NodeListener,
  type PortMapping,
  type Protocol,
  type Provider,
  type ServiceDiscovery,
  type Timeouts,
  type VirtualNode,
  type VirtualRouter,
  type VirtualService,
} from './types';

// App Mesh's AwsCloudMapInstanceAttribute patterns.
const CLOUD_MAP_KEY = /^[!-~]{1,255}$/;
const CLOUD_MAP_VALUE = /^(?=.{1,1024}$)[!-~]([ \t!-~]*[!-~])?$/;

/**
 * Shape checks of the create-mesh / create-virtual-node / create-virtual-service /
 * create-virtual-router bodies (routes: parse-route.ts). Pure: problems are
 * pushed through the reader; references between resources are checked later
 * (references.ts).
 */

/** Mesh, virtual node, virtual router and route names (App Mesh: up to 255 letters, numbers, hyphens and underscores). */
export const NAME = /^[A-Za-z0-9_-]{1,255}$/;
export const NAME_TEXT = 'a name of 1-255 letters, digits, "-" or "_"';
/** Virtual service names are DNS-style names. */
export const SERVICE_NAME = /^[A-Za-z0-9_-]([A-Za-z0-9._-]{0,253}[A-Za-z0-9_-])?$/;
export const SERVICE_NAME_TEXT = 'a DNS-style name of 1-255 letters, digits, ".", "-" or "_"';

/** Top-level fields the AWS CLI accepts besides the names and spec; kept, not used. */
export const IGNORED_BODY_FIELDS = ['tags', 'clientToken', 'meshOwner'] as const;

export function readMeshName(r: BodyReader, body: JsonObject): string | undefined {
  return r.string(body, 'meshName', '', { required: true, pattern: NAME, patternText: NAME_TEXT });
}

export function parseMesh(r: BodyReader, body: JsonObject): Mesh | undefined {
  r.keys(body, '', ['meshName', 'spec'], IGNORED_BODY_FIELDS);
  const name = readMeshName(r, body);
  const spec = r.object(body, 'spec', '');
  let egressFilter: Mesh['egressFilter'] = 'DROP_ALL';
  let ipPreference: Mesh['ipPreference'];
  if (spec) {
    r.keys(spec, 'spec', ['egressFilter', 'serviceDiscovery']);
    const ef = r.object(spec, 'egressFilter', 'spec');
    if (ef) {
      r.keys(ef, 'spec.egressFilter', ['type']);
      egressFilter = r.oneOf(ef, 'type', 'spec.egressFilter', ['ALLOW_ALL', 'DROP_ALL'] as const, true) ?? 'DROP_ALL';
    }
    const sd = r.object(spec, 'serviceDiscovery', 'spec');
    if (sd) {
      r.keys(sd, 'spec.serviceDiscovery', ['ipPreference']);
      ipPreference = parseIpPreference(r, sd, 'spec.serviceDiscovery');
    }
  }
  return name === undefined ? undefined : { name, egressFilter, ...(ipPreference ? { ipPreference } : {}) };
}

export function parsePortMapping(r: BodyReader, parent: JsonObject, path: string): PortMapping | undefined {
  const pm = r.object(parent, 'portMapping', path, true);
  if (!pm) return undefined;
  const at = r.at(path, 'portMapping');
  r.keys(pm, at, ['port', 'protocol']);
  const port = r.int(pm, 'port', at, { min: 1, max: 65535, required: true });
  const protocol = r.oneOf(pm, 'protocol', at, PROTOCOLS, true);
  return port === undefined || protocol === undefined ? undefined : { port, protocol };
}

function parseTimeouts(r: BodyReader, parent: JsonObject, key: string, path: string, tcp: boolean): Timeouts | undefined {
  const t = r.object(parent, key, path);
  if (!t) return undefined;
  const at = r.at(path, key);
  r.keys(t, at, tcp ? ['idle'] : ['perRequest', 'idle']);
  const out: Timeouts = {};
  const perRequestMs = tcp ? undefined : r.durationMs(t, 'perRequest', at);
  const idleMs = r.durationMs(t, 'idle', at);
  if (perRequestMs !== undefined) out.perRequestMs = perRequestMs;
  if (idleMs !== undefined) out.idleMs = idleMs;
  return out;
}

/** A listener's or route's `timeout`: {"<protocol>": {perRequest?, idle?}} keyed by the listener protocol. */
export function parseListenerTimeout(r: BodyReader, parent: JsonObject, path: string, protocol: PortMapping['protocol'] | undefined): Timeouts | undefined {
  const t = r.object(parent, 'timeout', path);
  if (!t || protocol === undefined) return undefined;
  const at = r.at(path, 'timeout');
  r.keys(t, at, [protocol]);
  return parseTimeouts(r, t, protocol, at, protocol === 'tcp');
}

/** A route's `timeout` ({perRequest?, idle?}, or {idle?} for tcp). */
export function parseRouteTimeout(r: BodyReader, parent: JsonObject, path: string, tcp: boolean): Timeouts | undefined {
  return parseTimeouts(r, parent, 'timeout', path, tcp);
}

/** A listener's `healthCheck`; `protocols` are the ones the listener kind allows (virtual gateways have no tcp). */
export function parseHealthCheck(r: BodyReader, parent: JsonObject, path: string, protocols: readonly Protocol[] = PROTOCOLS): HealthCheck | undefined {
  const hc = r.object(parent, 'healthCheck', path);
  if (!hc) return undefined;
  const at = r.at(path, 'healthCheck');
  r.keys(hc, at, ['protocol', 'path', 'port', 'intervalMillis', 'timeoutMillis', 'healthyThreshold', 'unhealthyThreshold']);
  const protocol = r.oneOf(hc, 'protocol', at, protocols, true);
  const hcPath = r.string(hc, 'path', at, { pattern: /^\//, patternText: 'a path starting with "/"' });
  if ((protocol === 'http' || protocol === 'http2') && hcPath === undefined && hc['path'] === undefined) r.problem(r.at(at, 'path'), `required for ${protocol} health checks`);
  const port = r.int(hc, 'port', at, { min: 1, max: 65535 });
  const intervalMillis = r.int(hc, 'intervalMillis', at, { min: 5000, max: 300000, required: true });
  const timeoutMillis = r.int(hc, 'timeoutMillis', at, { min: 2000, max: 60000, required: true });
  const healthyThreshold = r.int(hc, 'healthyThreshold', at, { min: 2, max: 10, required: true });
  const unhealthyThreshold = r.int(hc, 'unhealthyThreshold', at, { min: 2, max: 10, required: true });
  if (protocol === undefined || intervalMillis === undefined || timeoutMillis === undefined || healthyThreshold === undefined || unhealthyThreshold === undefined) return undefined;
  return {
    protocol,
    ...(hcPath !== undefined ? { path: hcPath } : {}),
    ...(port !== undefined ? { port } : {}),
    intervalMillis,
    timeoutMillis,
    healthyThreshold,
    unhealthyThreshold,
  };
}

function parseNodeListener(r: BodyReader, l: JsonObject, path: string): NodeListener | undefined {
  r.keys(l, path, ['portMapping', 'timeout', 'healthCheck', 'tls', 'outlierDetection', 'connectionPool']);
  const pm = parsePortMapping(r, l, path);
  const timeout = parseListenerTimeout(r, l, path, pm?.protocol);
  const healthCheck = parseHealthCheck(r, l, path);
  const tls = parseListenerTls(r, l, path);
  const outlierDetection = parseOutlierDetection(r, l, path);
  const connectionPool = parseConnectionPool(r, l, path, pm?.protocol);
  if (!pm) return undefined;
  return {
    ...pm,
    ...(timeout ? { timeout } : {}),
    ...(healthCheck ? { healthCheck } : {}),
    ...(tls ? { tls } : {}),
    ...(outlierDetection ? { outlierDetection } : {}),
    ...(connectionPool ? { connectionPool } : {}),
  };
}

function parseDiscovery(r: BodyReader, spec: JsonObject): ServiceDiscovery | undefined {
  const sd = r.object(spec, 'serviceDiscovery', 'spec');
  if (!sd) return undefined;
  const at = 'spec.serviceDiscovery';
  r.keys(sd, at, ['dns', 'awsCloudMap']);
  const which = r.exactlyOne(sd, at, ['dns', 'awsCloudMap'] as const, 'service discovery');
  if (which === 'dns') {
    const dns = r.object(sd, 'dns', at, true);
    if (!dns) return undefined;
    r.keys(dns, `${at}.dns`, ['hostname', 'responseType', 'ipPreference']);
    const hostname = r.string(dns, 'hostname', `${at}.dns`, { required: true, pattern: /^[^\s/]+$/, patternText: 'a host name or IP address' });
    const responseType = r.oneOf(dns, 'responseType', `${at}.dns`, ['ENDPOINTS', 'LOADBALANCER'] as const) ?? 'ENDPOINTS';
    const ipPreference = parseIpPreference(r, dns, `${at}.dns`);
    return hostname === undefined ? undefined : { kind: 'dns', hostname, responseType, ...(ipPreference ? { ipPreference } : {}) };
  }
  if (which === 'awsCloudMap') {
    const cm = r.object(sd, 'awsCloudMap', at, true);
    if (!cm) return undefined;
    r.keys(cm, `${at}.awsCloudMap`, ['namespaceName', 'serviceName', 'attributes', 'ipPreference']);
    const namespaceName = r.string(cm, 'namespaceName', `${at}.awsCloudMap`, { required: true });
    const serviceName = r.string(cm, 'serviceName', `${at}.awsCloudMap`, { required: true });
    const attributes = r.objects(cm, 'attributes', `${at}.awsCloudMap`).flatMap(([a, aAt]) => {
      r.keys(a, aAt, ['key', 'value']);
      const key = r.string(a, 'key', aAt, { required: true, pattern: CLOUD_MAP_KEY, patternText: 'a Cloud Map attribute key (1-255 printable ASCII characters, no spaces)' });
      const value = r.string(a, 'value', aAt, { required: true, pattern: CLOUD_MAP_VALUE, patternText: 'a Cloud Map attribute value (1-1024 printable ASCII characters, no spaces at either end)' });
      return key === undefined || value === undefined ? [] : [{ key, value }];
    });
    const ipPreference = parseIpPreference(r, cm, `${at}.awsCloudMap`);
    if (namespaceName === undefined || serviceName === undefined) return undefined;
    return { kind: 'cloudMap', namespaceName, serviceName, ...(attributes.length > 0 ? { attributes } : {}), ...(ipPreference ? { ipPreference } : {}) };
  }
  return undefined;
}

export function parseVirtualNode(r: BodyReader, body: JsonObject): VirtualNode | undefined {
  r.keys(body, '', ['meshName', 'virtualNodeName', 'spec'], IGNORED_BODY_FIELDS);
  const mesh = readMeshName(r, body);
  const name = r.string(body, 'virtualNodeName', '', { required: true, pattern: NAME, patternText: NAME_TEXT });
  const spec = r.object(body, 'spec', '', true);
  if (!spec) return mesh === undefined || name === undefined ? undefined : { mesh, name, listeners: [], backends: [], discovery: undefined };
  r.keys(spec, 'spec', ['listeners', 'backends', 'serviceDiscovery', 'backendDefaults', 'logging']);
  const listeners: NodeListener[] = [];
  const ports = new Set<number>();
  for (const [l, at] of r.objects(spec, 'listeners', 'spec')) {
    const parsed = parseNodeListener(r, l, at);
    if (!parsed) continue;
    if (ports.has(parsed.port)) r.problem(`${at}.portMapping.port`, `port ${parsed.port} is used by another listener of this virtual node`);
    ports.add(parsed.port);
    listeners.push(parsed);
  }
  const backends: string[] = [];
  const backendPolicies: Record<string, ClientPolicy> = {};
  for (const [b, at] of r.objects(spec, 'backends', 'spec')) {
    r.keys(b, at, ['virtualService']);
    const vs = r.object(b, 'virtualService', at, true);
    if (!vs) continue;
    r.keys(vs, `${at}.virtualService`, ['virtualServiceName', 'clientPolicy']);
    const vsName = r.string(vs, 'virtualServiceName', `${at}.virtualService`, { required: true, pattern: SERVICE_NAME, patternText: SERVICE_NAME_TEXT });
    const policy = parseClientPolicy(r, vs, `${at}.virtualService`);
    if (vsName === undefined) continue;
    if (backends.includes(vsName)) r.problem(`${at}.virtualService.virtualServiceName`, `virtual service "${vsName}" is listed twice`);
    else backends.push(vsName);
    if (policy) backendPolicies[vsName] = policy;
  }
  const defaults = r.object(spec, 'backendDefaults', 'spec');
  if (defaults) r.keys(defaults, 'spec.backendDefaults', ['clientPolicy']);
  const backendDefaults = defaults ? parseClientPolicy(r, defaults, 'spec.backendDefaults') : undefined;
  const accessLog = parseLogging(r, spec);
  const discovery = parseDiscovery(r, spec);
  if (mesh === undefined || name === undefined) return undefined;
  return {
    mesh,
    name,
    listeners,
    backends,
    discovery,
    ...(Object.keys(backendPolicies).length > 0 ? { backendPolicies } : {}),
    ...(backendDefaults ? { backendDefaults } : {}),
    ...(accessLog ? { accessLog } : {}),
  };
}

export function parseVirtualService(r: BodyReader, body: JsonObject): VirtualService | undefined {
  r.keys(body, '', ['meshName', 'virtualServiceName', 'spec'], IGNORED_BODY_FIELDS);
  const mesh = readMeshName(r, body);
  const name = r.string(body, 'virtualServiceName', '', { required: true, pattern: SERVICE_NAME, patternText: SERVICE_NAME_TEXT });
  const spec = r.object(body, 'spec', '', true);
  let provider: Provider | undefined;
  if (spec) {
    r.keys(spec, 'spec', ['provider']);
    const p = r.object(spec, 'provider', 'spec');
    if (p) {
      r.keys(p, 'spec.provider', ['virtualNode', 'virtualRouter']);
      const which = r.exactlyOne(p, 'spec.provider', ['virtualNode', 'virtualRouter'] as const, 'provider');
      if (which) {
        const inner = r.object(p, which, 'spec.provider', true);
        const key = which === 'virtualNode' ? 'virtualNodeName' : 'virtualRouterName';
        if (inner) {
          r.keys(inner, `spec.provider.${which}`, [key]);
          const target = r.string(inner, key, `spec.provider.${which}`, { required: true, pattern: NAME, patternText: NAME_TEXT });
          if (target !== undefined) provider = { kind: which, name: target };
        }
      }
    }
  }
  if (mesh === undefined || name === undefined) return undefined;
  return { mesh, name, provider };
}

export function parseVirtualRouter(r: BodyReader, body: JsonObject): VirtualRouter | undefined {
  r.keys(body, '', ['meshName', 'virtualRouterName', 'spec'], IGNORED_BODY_FIELDS);
  const mesh = readMeshName(r, body);
  const name = r.string(body, 'virtualRouterName', '', { required: true, pattern: NAME, patternText: NAME_TEXT });
  const spec = r.object(body, 'spec', '', true);
  if (!spec) return mesh === undefined || name === undefined ? undefined : { mesh, name, listeners: [] };
  r.keys(spec, 'spec', ['listeners']);
  const listeners: PortMapping[] = [];
  for (const [l, at] of r.objects(spec, 'listeners', 'spec', { required: true, min: 1 })) {
    r.keys(l, at, ['portMapping']);
    const pm = parsePortMapping(r, l, at);
    if (!pm) continue;
    if (listeners.some((x) => x.port === pm.port)) r.problem(`${at}.portMapping.port`, `port ${pm.port} is used by another listener of this virtual router`);
    else listeners.push(pm);
  }
  if (mesh === undefined || name === undefined) return undefined;
  return { mesh, name, listeners };
}
