import type { ResourceObject } from '../resource-codec';
import { TypeUrl } from '../snapshot';
import type { ResolvedTarget } from './egress-plan';
import { cloudMapQueryKey, instanceEndpoints, queryOf } from './cloud-map/query';
import { localEndpoints } from './endpoints';
import { allowedEndpoints, localAppAddress, nodeIpPreference } from './ip-preference';
import { ingressClusterName, passthroughClusterName } from './names';
import type { AppMeshModel, ClientPolicy, ConnectionPool, HealthCheck, IpPreference, NodeListener } from './types';
import { circuitBreakers, dnsLookupFamily, outlierDetection } from './xds-policies';
import { duration, targetClusterName } from './xds-route';
import { upstreamTls } from './xds-tls';

/**
 * Clusters and ClusterLoadAssignments (proto JSON). A virtual node listener
 * with local endpoints (see endpoints.ts) is an EDS cluster whose assignment
 * has one locality of HEALTHY endpoints (what grpc-js-xds requires); a DNS
 * name is a STRICT_DNS cluster for Envoy (LOGICAL_DNS with responseType
 * LOADBALANCER, and always for proxyless clients, the only DNS type grpc-js-xds
 * has); Cloud Map without local endpoints is an EDS cluster of the instances
 * AWS Cloud Map returned (cloud-map/; none when Cloud Map is not configured).
 */

export type ClientKind = 'envoy' | 'proxyless';

const HTTP_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
const CONNECT_TIMEOUT = '1s';
const LOCALITY = { region: 'local', zone: 'local' };

function http2Options(protocol: NodeListener['protocol']): Record<string, unknown> {
  if (protocol !== 'http2' && protocol !== 'grpc') return {};
  return { typed_extension_protocol_options: { [HTTP_OPTIONS]: { '@type': `type.googleapis.com/${HTTP_OPTIONS}`, explicit_http_config: { http2_protocol_options: {} } } } };
}

function lbEndpoint(address: string, port: number, healthPort?: number): Record<string, unknown> {
  return {
    endpoint: { address: { socket_address: { address, port_value: port } }, ...(healthPort !== undefined ? { health_check_config: { port_value: healthPort } } : {}) },
    health_status: 'HEALTHY',
  };
}

export function assignment(clusterName: string, endpoints: ReadonlyArray<{ address: string; port: number }>, healthPort?: number): ResourceObject {
  return {
    '@type': TypeUrl.ClusterLoadAssignment,
    cluster_name: clusterName,
    endpoints: endpoints.length === 0 ? [] : [{ locality: LOCALITY, load_balancing_weight: 1, lb_endpoints: endpoints.map((e) => lbEndpoint(e.address, e.port, healthPort)) }],
  };
}

function edsCluster(name: string, protocol: NodeListener['protocol']): ResourceObject {
  return {
    '@type': TypeUrl.Cluster,
    name,
    type: 'EDS',
    connect_timeout: CONNECT_TIMEOUT,
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: name },
    lb_policy: 'ROUND_ROBIN',
    ...http2Options(protocol),
  };
}

/** What the caller adds to a target's cluster: TLS origination (its client policy), limits (a gateway listener's pool). */
export interface CallerPolicies {
  tls?: ClientPolicy;
  pool?: ConnectionPool;
}

/**
 * The cluster (and, for EDS, its assignment) of a route target or
 * node-provided service. An Envoy's cluster also carries the target
 * listener's outlier detection and the caller's policies; a proxyless
 * client's does not (gRPC ejects on success rate or failure percentage,
 * never on consecutive 5xx, and takes TLS from its own bootstrap).
 */
export function targetResources(model: AppMeshModel, t: ResolvedTarget, client: ClientKind, caller: CallerPolicies = {}): ResourceObject[] {
  const name = targetClusterName(t);
  const ipPreference = nodeIpPreference(model, t.node);
  const listed = localEndpoints(model, t.node, t.listener.port);
  const d = t.node.discovery;
  const found = !listed && d?.kind === 'cloudMap' ? model.discovered?.get(cloudMapQueryKey(queryOf(d))) : undefined;
  const local = listed ? allowedEndpoints(listed, ipPreference) : found && instanceEndpoints(found, t.listener.port, ipPreference);
  const policies =
    client === 'envoy'
      ? { ...outlierDetection(t.listener.outlierDetection), ...circuitBreakers(caller.pool), ...(caller.tls ? { transport_socket: upstreamTls(caller.tls, t.listener.protocol) } : {}) }
      : {};
  if (local || d?.kind !== 'dns') return [{ ...edsCluster(name, t.listener.protocol), ...policies }, assignment(name, local ?? [])];
  const type = client === 'proxyless' || d.responseType === 'LOADBALANCER' ? 'LOGICAL_DNS' : 'STRICT_DNS';
  return [
    {
      '@type': TypeUrl.Cluster,
      name,
      type,
      connect_timeout: CONNECT_TIMEOUT,
      lb_policy: 'ROUND_ROBIN',
      load_assignment: { cluster_name: name, endpoints: [{ locality: LOCALITY, lb_endpoints: [{ endpoint: { address: { socket_address: { address: d.hostname, port_value: t.listener.port } } } }] }] },
      ...dnsLookupFamily(ipPreference),
      ...http2Options(t.listener.protocol),
      ...policies,
    },
  ];
}

function healthChecks(hc: HealthCheck | undefined): Record<string, unknown> {
  if (!hc) return {};
  const kind =
    hc.protocol === 'tcp'
      ? { tcp_health_check: {} }
      : hc.protocol === 'grpc'
        ? { grpc_health_check: {} }
        : { http_health_check: { path: hc.path ?? '/', ...(hc.protocol === 'http2' ? { codec_client_type: 'HTTP2' } : {}) } };
  return {
    health_checks: [
      {
        timeout: duration(hc.timeoutMillis),
        interval: duration(hc.intervalMillis),
        healthy_threshold: hc.healthyThreshold,
        unhealthy_threshold: hc.unhealthyThreshold,
        ...kind,
      },
    ],
  };
}

/** The local application behind one listener of the sidecar's own node: 127.0.0.1 (::1 under an IPv6 preference), the listener's port. */
export function ingressCluster(mesh: string, node: string, l: NodeListener, ipPreference?: IpPreference): ResourceObject {
  const name = ingressClusterName(mesh, node, l.protocol, l.port);
  const { '@type': _t, ...load } = assignment(name, [{ address: localAppAddress(ipPreference), port: l.port }], l.healthCheck?.port);
  return {
    '@type': TypeUrl.Cluster,
    name,
    type: 'STATIC',
    connect_timeout: CONNECT_TIMEOUT,
    lb_policy: 'ROUND_ROBIN',
    load_assignment: load,
    ...http2Options(l.protocol),
    ...healthChecks(l.healthCheck),
    // The listener's connection pool limits what this Envoy sends to its local application.
    ...circuitBreakers(l.connectionPool),
  };
}

/** egressFilter ALLOW_ALL: traffic to anything outside the mesh goes where it was sent. */
export function passthroughCluster(mesh: string): ResourceObject {
  return { '@type': TypeUrl.Cluster, name: passthroughClusterName(mesh), type: 'ORIGINAL_DST', connect_timeout: CONNECT_TIMEOUT, lb_policy: 'CLUSTER_PROVIDED' };
}
