/**
 * The App Mesh model, in two forms:
 *
 *  - `AppMeshDocument`: what operators write and what `GET /appmesh` returns —
 *    the request bodies of `aws appmesh create-mesh`, `create-virtual-node`,
 *    `create-virtual-service`, `create-virtual-router`, `create-route`,
 *    `create-virtual-gateway` and `create-gateway-route` exactly as the AWS CLI
 *    takes them (`--cli-input-json`), kept as given, plus
 *    the local `endpoints` extension (see README.md);
 *  - `AppMeshModel`: the validated, typed form the xDS translation reads
 *    (durations in milliseconds, route matches normalised, names resolved).
 */

export type JsonObject = Record<string, unknown>;

export interface AppMeshDocument {
  meshes: JsonObject[];
  virtualNodes: JsonObject[];
  virtualServices: JsonObject[];
  virtualRouters: JsonObject[];
  routes: JsonObject[];
  virtualGateways: JsonObject[];
  gatewayRoutes: JsonObject[];
  /** Extension: "<mesh>/<virtualNode>" (or a virtual node name unique across meshes) -> ["127.0.0.1:50051", ...]. */
  endpoints?: Record<string, string[]>;
}

export const RESOURCE_LISTS = ['meshes', 'virtualNodes', 'virtualServices', 'virtualRouters', 'routes', 'virtualGateways', 'gatewayRoutes'] as const;
export type ResourceList = (typeof RESOURCE_LISTS)[number];

export function emptyDocument(): AppMeshDocument {
  return { meshes: [], virtualNodes: [], virtualServices: [], virtualRouters: [], routes: [], virtualGateways: [], gatewayRoutes: [] };
}

export const PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** http, http2 and grpc listeners are HTTP connection managers; tcp is a tcp_proxy. */
export function isHttpFamily(p: Protocol): boolean {
  return p !== 'tcp';
}

/**
 * Whether a route of `kind` serves a listener of `protocol`. httpRoute and
 * http2Route are both HTTP routes and App Mesh takes either on an http or
 * http2 listener (its getting-started walkthrough puts an httpRoute on an
 * http2 router); grpc and tcp routes need a listener of their own protocol.
 */
export function routeFitsListener(kind: Protocol, protocol: Protocol): boolean {
  const http = (p: Protocol) => p === 'http' || p === 'http2';
  return kind === protocol || (http(kind) && http(protocol));
}

export interface Timeouts {
  perRequestMs?: number;
  idleMs?: number;
}

export interface HealthCheck {
  protocol: Protocol;
  path?: string;
  port?: number;
  intervalMillis: number;
  timeoutMillis: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export interface PortMapping {
  port: number;
  protocol: Protocol;
}

/** A certificate and its key: files on the Envoy's host, or a secret from the local SDS agent. */
export type TlsCertificate = { kind: 'file'; certificateChain: string; privateKey: string } | { kind: 'sds'; secretName: string };
/** Certificate authorities to trust: a file, or a secret from the local SDS agent. */
export type TlsTrust = { kind: 'file'; certificateChain: string } | { kind: 'sds'; secretName: string };

export interface TlsValidation {
  trust: TlsTrust;
  /** subjectAlternativeNames.match.exact: the peer certificate must carry one of these (none: any). */
  subjectAlternativeNames: string[];
}

/** A listener's `tls`: what it serves (STRICT: TLS only, PERMISSIVE: TLS and plaintext, DISABLED: plaintext). */
export interface ListenerTls {
  mode: 'STRICT' | 'PERMISSIVE' | 'DISABLED';
  certificate: TlsCertificate;
  /** mTLS: client certificates are required and checked. */
  validation?: TlsValidation;
}

/** A backend's (or the backend defaults') `clientPolicy.tls`: TLS origination to the backend. */
export interface ClientPolicy {
  /** App Mesh's default is true; false leaves the policy unapplied. */
  enforce: boolean;
  /** Target listener ports it applies to; empty: every port. */
  ports: number[];
  /** A client certificate, for mTLS. */
  certificate?: TlsCertificate;
  validation: TlsValidation;
}

export interface OutlierDetection {
  maxServerErrors: number;
  intervalMs: number;
  baseEjectionMs: number;
  maxEjectionPercent: number;
}

/** A listener's `connectionPool`, for its protocol. */
export interface ConnectionPool {
  maxConnections?: number;
  maxPendingRequests?: number;
  maxRequests?: number;
}

export type AccessLogFormat = { kind: 'text'; text: string } | { kind: 'json'; fields: Array<{ key: string; value: string }> };

/** `logging.accessLog.file`. */
export interface AccessLog {
  path: string;
  format?: AccessLogFormat;
}

export const IP_PREFERENCES = ['IPv6_PREFERRED', 'IPv4_PREFERRED', 'IPv4_ONLY', 'IPv6_ONLY'] as const;
export type IpPreference = (typeof IP_PREFERENCES)[number];

export interface NodeListener extends PortMapping {
  timeout?: Timeouts;
  healthCheck?: HealthCheck;
  tls?: ListenerTls;
  outlierDetection?: OutlierDetection;
  connectionPool?: ConnectionPool;
}

export type ServiceDiscovery =
  | { kind: 'dns'; hostname: string; responseType: 'ENDPOINTS' | 'LOADBALANCER'; ipPreference?: IpPreference }
  | { kind: 'cloudMap'; namespaceName: string; serviceName: string; attributes?: ReadonlyArray<{ key: string; value: string }>; ipPreference?: IpPreference };

export interface Mesh {
  name: string;
  egressFilter: 'ALLOW_ALL' | 'DROP_ALL';
  /** serviceDiscovery.ipPreference: the default of the mesh's virtual nodes. */
  ipPreference?: IpPreference;
}

export interface VirtualNode {
  mesh: string;
  name: string;
  listeners: NodeListener[];
  /** Virtual service names. */
  backends: string[];
  discovery: ServiceDiscovery | undefined;
  /** backends[].virtualService.clientPolicy, by virtual service name. */
  backendPolicies?: Readonly<Record<string, ClientPolicy>>;
  /** backendDefaults.clientPolicy: for backends without their own. */
  backendDefaults?: ClientPolicy;
  accessLog?: AccessLog;
}

export type Provider = { kind: 'virtualNode'; name: string } | { kind: 'virtualRouter'; name: string };

export interface VirtualService {
  mesh: string;
  name: string;
  provider: Provider | undefined;
}

export interface VirtualRouter {
  mesh: string;
  name: string;
  listeners: PortMapping[];
}

export type StringMatch = { kind: 'exact' | 'prefix' | 'suffix' | 'regex'; value: string };
export type HeaderMatchSpec = StringMatch | { kind: 'range'; start: number; end: number } | { kind: 'present' };

export interface HeaderMatch {
  name: string;
  invert: boolean;
  match: HeaderMatchSpec;
}

export interface QueryMatch {
  name: string;
  /** undefined: the parameter only has to be present. */
  exact: string | undefined;
}

export interface RouteMatch {
  /** Only requests arriving on this router listener port. */
  port?: number;
  /** undefined for tcp routes. */
  path?: { kind: 'prefix' | 'exact' | 'regex'; value: string };
  /** Header matches, including :method, :scheme and gRPC metadata. */
  headers: HeaderMatch[];
  query: QueryMatch[];
}

export interface WeightedTarget {
  node: string;
  weight: number;
  port?: number;
}

export interface RetryPolicy {
  maxRetries: number;
  perRetryTimeoutMs: number;
  /** Envoy retry_on conditions. */
  retryOn: string[];
}

/** Which of httpRoute / http2Route / grpcRoute / tcpRoute the route is. */
export type RouteKind = Protocol;

export interface Route {
  mesh: string;
  router: string;
  name: string;
  priority: number | undefined;
  kind: RouteKind;
  match: RouteMatch;
  targets: WeightedTarget[];
  retry?: RetryPolicy;
  timeout?: Timeouts;
}

export const GATEWAY_PROTOCOLS = ['http', 'http2', 'grpc'] as const;
export type GatewayProtocol = (typeof GATEWAY_PROTOCOLS)[number];

export interface GatewayListener {
  port: number;
  protocol: GatewayProtocol;
  /** Accepted and kept; Envoy is not told (the gateway has no local app to check). */
  healthCheck?: HealthCheck;
  tls?: ListenerTls;
  connectionPool?: ConnectionPool;
}

export interface VirtualGateway {
  mesh: string;
  name: string;
  listeners: GatewayListener[];
  /** backendDefaults.clientPolicy: TLS origination to every target. */
  backendDefaults?: ClientPolicy;
  accessLog?: AccessLog;
}

export type HostnameMatch = { kind: 'exact' | 'suffix'; value: string };

export interface GatewayRouteMatch extends RouteMatch {
  /** Matched against :authority (the Host), whatever port it carries. */
  hostname?: HostnameMatch;
}

/**
 * What happens to the path on the way to the target, normalised from
 * App Mesh's `rewrite` (and its defaults):
 *  - `keep`: unchanged (grpc routes, exact/regex matches without a path
 *    rewrite, prefix matches with defaultPrefix DISABLED);
 *  - `prefix`: the matched prefix is replaced by `to` ("/" by default, App
 *    Mesh's behaviour for a prefix match without a rewrite);
 *  - `path`: the whole path becomes `to` (rewrite.path.exact).
 */
export type PathRewrite = { kind: 'keep' } | { kind: 'prefix'; to: string } | { kind: 'path'; to: string };

export interface GatewayRoute {
  mesh: string;
  gateway: string;
  name: string;
  priority: number | undefined;
  kind: GatewayProtocol;
  match: GatewayRouteMatch;
  target: { service: string; port?: number };
  /** defaultTargetHostname ENABLED (App Mesh's default): the Host becomes the target virtual service's name. */
  hostRewrite: boolean;
  pathRewrite: PathRewrite;
}

export interface LocalEndpoint {
  address: string;
  /** undefined: the virtual node listener's port. */
  port?: number;
}

export interface AppMeshModel {
  meshes: Mesh[];
  nodes: VirtualNode[];
  services: VirtualService[];
  routers: VirtualRouter[];
  routes: Route[];
  gateways: VirtualGateway[];
  gatewayRoutes: GatewayRoute[];
  /** "<mesh>/<virtualNode>" -> endpoints (from the `endpoints` extension). */
  endpoints: ReadonlyMap<string, LocalEndpoint[]>;
  /**
   * Not stored: the instances AWS Cloud Map returned for the Cloud Map nodes'
   * queries (cloud-map/), keyed by `cloudMapQueryKey`; absent without Cloud Map.
   */
  discovered?: ReadonlyMap<string, readonly DiscoveredInstance[]>;
}

/** One instance registered in AWS Cloud Map (its AWS_INSTANCE_* attributes). */
export interface DiscoveredInstance {
  id: string;
  ipv4?: string;
  ipv6?: string;
  /** AWS_INSTANCE_PORT, when registered. */
  port?: number;
}

export function nodeKey(mesh: string, node: string): string {
  return `${mesh}/${node}`;
}
