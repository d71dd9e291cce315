import type { BodyReader } from './json-reader';
import { parseClientPolicy, parseConnectionPool, parseListenerTls, parseLogging } from './parse-policies';
import { IGNORED_BODY_FIELDS, NAME, NAME_TEXT, parseHealthCheck, readMeshName } from './parse-resources';
import { GATEWAY_PROTOCOLS, type GatewayListener, type JsonObject, type VirtualGateway } from './types';

/**
 * Shape checks of a create-virtual-gateway body (gateway routes:
 * parse-gateway-route.ts). Pure. The listener's `tls` and `connectionPool`
 * and the spec's `backendDefaults` and `logging` are read as for a virtual
 * node (parse-policies.ts); the listener's `healthCheck` is checked and kept,
 * not translated (the gateway has no local application).
 *
 * App Mesh takes exactly one listener per virtual gateway; this model takes
 * one or more (distinct ports), as it does for virtual routers, so a gateway
 * can serve, say, http on 8080 and grpc on 8081.
 */

function parseListener(r: BodyReader, l: JsonObject, at: string): GatewayListener | undefined {
  r.keys(l, at, ['portMapping', 'healthCheck', 'tls', 'connectionPool']);
  const pm = r.object(l, 'portMapping', at, true);
  let port: number | undefined;
  let protocol: GatewayListener['protocol'] | undefined;
  if (pm) {
    const pmAt = `${at}.portMapping`;
    r.keys(pm, pmAt, ['port', 'protocol']);
    port = r.int(pm, 'port', pmAt, { min: 1, max: 65535, required: true });
    protocol = r.oneOf(pm, 'protocol', pmAt, GATEWAY_PROTOCOLS, true);
  }
  const healthCheck = parseHealthCheck(r, l, at, GATEWAY_PROTOCOLS);
  // App Mesh: "This port must match the port defined in the PortMapping for the listener."
  if (healthCheck?.port !== undefined && port !== undefined && healthCheck.port !== port) {
    r.problem(`${at}.healthCheck.port`, `must be the listener's port ${port} (got ${healthCheck.port})`);
  }
  const tls = parseListenerTls(r, l, at);
  const connectionPool = parseConnectionPool(r, l, at, protocol);
  if (port === undefined || protocol === undefined) return undefined;
  return { port, protocol, ...(healthCheck ? { healthCheck } : {}), ...(tls ? { tls } : {}), ...(connectionPool ? { connectionPool } : {}) };
}

export function parseVirtualGateway(r: BodyReader, body: JsonObject): VirtualGateway | undefined {
  r.keys(body, '', ['meshName', 'virtualGatewayName', 'spec'], IGNORED_BODY_FIELDS);
  const mesh = readMeshName(r, body);
  const name = r.string(body, 'virtualGatewayName', '', { required: true, pattern: NAME, patternText: NAME_TEXT });
  const spec = r.object(body, 'spec', '', true);
  const listeners: GatewayListener[] = [];
  let backendDefaults: VirtualGateway['backendDefaults'];
  let accessLog: VirtualGateway['accessLog'];
  if (spec) {
    r.keys(spec, 'spec', ['listeners', 'backendDefaults', 'logging']);
    const defaults = r.object(spec, 'backendDefaults', 'spec');
    if (defaults) r.keys(defaults, 'spec.backendDefaults', ['clientPolicy']);
    backendDefaults = defaults ? parseClientPolicy(r, defaults, 'spec.backendDefaults') : undefined;
    accessLog = parseLogging(r, spec);
    for (const [l, at] of r.objects(spec, 'listeners', 'spec', { required: true, min: 1 })) {
      const parsed = parseListener(r, l, at);
      if (!parsed) continue;
      if (listeners.some((x) => x.port === parsed.port)) r.problem(`${at}.portMapping.port`, `port ${parsed.port} is used by another listener of this virtual gateway`);
      else listeners.push(parsed);
    }
  }
  if (mesh === undefined || name === undefined) return undefined;
  return { mesh, name, listeners, ...(backendDefaults ? { backendDefaults } : {}), ...(accessLog ? { accessLog } : {}) };
}
