import type { ResourceObject } from '../resource-codec';
import { TypeUrl } from '../snapshot';
import { egressPlan, type EgressPort } from './egress-plan';
import { bindAddress, nodeIpPreference } from './ip-preference';
import type { ModelIndex } from './model-index';
import { EGRESS_PORT, INGRESS_PORT, egressListenerName, egressRouteName, ingressClusterName, ingressListenerName, ingressRouteName, passthroughClusterName } from './names';
import { isHttpFamily, type ClientPolicy, type IpPreference, type NodeListener, type VirtualNode } from './types';
import { ingressCluster, passthroughCluster, targetResources } from './xds-clusters';
import { accessLog } from './xds-policies';
import { duration, liveTargets, routesFor, serviceTargets, targetClusterName, virtualHost } from './xds-route';
import { TLS_INSPECTOR, needsTlsInspector, policyApplies, tlsChains } from './xds-tls';

/**
 * A virtual node's Envoy sidecar (node id `mesh/<mesh>/virtualNode/<node>`), as
 * App Mesh configures it behind the ECS proxy configuration's iptables
 * redirect: an ingress listener on 0.0.0.0:15000 (one filter chain per node
 * listener, matched on the original destination port, to the app on
 * 127.0.0.1:<port>) and an egress listener on 0.0.0.0:15001 (one filter chain
 * per backend port: HTTP via RDS `rds_egress_http_<port>` with a virtual host
 * per virtual service, TCP via tcp_proxy). An `ipPreference` binds both
 * listeners to every IPv4 and IPv6 address and may move the app to ::1
 * (ip-preference.ts). Pure; proto JSON out.
 */

type Obj = Record<string, unknown>;
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } };
const TCP_PROXY = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
const ORIGINAL_DST = { name: 'envoy.filters.listener.original_dst', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst' } };

/** An HTTP connection manager over ADS RDS with the router filter (also a virtual gateway's listeners); `log`: its access_log. */
export function hcm(statPrefix: string, routeName: string, log: Obj = {}): Obj {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': HCM,
      stat_prefix: statPrefix,
      codec_type: 'AUTO',
      rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: routeName },
      http_filters: [ROUTER],
      ...log,
    },
  };
}

function tcpProxy(statPrefix: string, target: { cluster: string } | { weighted_clusters: Obj }, idleMs: number | undefined, log: Obj): Obj {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: { '@type': TCP_PROXY, stat_prefix: statPrefix, ...target, ...(idleMs !== undefined ? { idle_timeout: duration(idleMs) } : {}), ...log },
  };
}

interface ListenerOptions {
  defaultChain?: Obj;
  tlsInspector?: boolean;
  ipPreference?: IpPreference | undefined;
}

function listener(name: string, port: number, direction: 'INBOUND' | 'OUTBOUND', chains: Obj[], { defaultChain, tlsInspector = false, ipPreference }: ListenerOptions): ResourceObject {
  return {
    '@type': TypeUrl.Listener,
    name,
    address: bindAddress(ipPreference, port),
    traffic_direction: direction,
    listener_filters: tlsInspector ? [ORIGINAL_DST, TLS_INSPECTOR] : [ORIGINAL_DST],
    filter_chains: chains,
    ...(defaultChain ? { default_filter_chain: defaultChain } : {}),
  };
}

/** One node listener's filter chains: its port, HTTP or TCP, under its `tls` (xds-tls.ts). */
function ingressChains(node: VirtualNode, l: NodeListener): Obj[] {
  const cluster = ingressClusterName(node.mesh, node.name, l.protocol, l.port);
  const log = accessLog(node.accessLog);
  const filter = isHttpFamily(l.protocol) ? hcm('ingress', ingressRouteName(l.port), log) : tcpProxy('ingress', { cluster }, l.timeout?.idleMs, log);
  return tlsChains({ name: `ingress_${l.protocol}_${l.port}`, filter_chain_match: { destination_port: l.port }, filters: [filter] }, l.tls, l.protocol);
}

function ingressRoute(node: VirtualNode, l: NodeListener): ResourceObject {
  const action: Obj = { cluster: ingressClusterName(node.mesh, node.name, l.protocol, l.port) };
  if (l.timeout?.perRequestMs !== undefined) action['timeout'] = duration(l.timeout.perRequestMs);
  if (l.timeout?.idleMs !== undefined) action['idle_timeout'] = duration(l.timeout.idleMs);
  return {
    '@type': TypeUrl.RouteConfiguration,
    name: ingressRouteName(l.port),
    virtual_hosts: [{ name: `ingress_${l.port}`, domains: ['*'], routes: [{ name: 'ingress', match: { prefix: '/' }, route: action }] }],
  };
}

function ingressResources(index: ModelIndex, node: VirtualNode): ResourceObject[] {
  if (node.listeners.length === 0) return [];
  const ipPreference = nodeIpPreference(index.model, node);
  const chains = node.listeners.flatMap((l) => ingressChains(node, l));
  return [
    listener(ingressListenerName(), INGRESS_PORT, 'INBOUND', chains, { tlsInspector: needsTlsInspector(node.listeners.map((l) => l.tls)), ipPreference }),
    ...node.listeners.filter((l) => isHttpFamily(l.protocol)).map((l) => ingressRoute(node, l)),
    ...node.listeners.map((l) => ingressCluster(node.mesh, node.name, l, ipPreference)),
  ];
}

/** The tcp_proxy target of the one TCP service on a port, or undefined when it has nowhere to go yet. */
function tcpTarget(index: ModelIndex, p: EgressPort): { target: { cluster: string } | { weighted_clusters: Obj }; idleMs: number | undefined } | undefined {
  const { service, protocol } = p.services[0]!;
  if (service.provider?.kind === 'virtualNode') {
    const t = serviceTargets(index, service, p.port, protocol)[0];
    return t ? { target: { cluster: targetClusterName(t) }, idleMs: undefined } : undefined;
  }
  const route = routesFor(index, service, p.port, protocol)[0];
  if (!route) return undefined;
  const clusters = liveTargets(index, route).map((t) => ({ name: targetClusterName(t), weight: t.weight }));
  return { target: { weighted_clusters: { clusters } }, idleMs: route.timeout?.idleMs };
}

/**
 * A target's cluster is shared by every backend that reaches it, so the
 * backends' client policies must agree on it (App Mesh's Envoy has one
 * cluster per target listener too); two that do not are a model error.
 */
function clusterPolicy(node: VirtualNode, service: string, port: number, cluster: string, chosen: Map<string, { service: string; tls: ClientPolicy | undefined }>): ClientPolicy | undefined {
  const policy = node.backendPolicies?.[service] ?? node.backendDefaults;
  const tls = policyApplies(policy, port) ? policy : undefined;
  const prev = chosen.get(cluster);
  if (prev && JSON.stringify(prev.tls) !== JSON.stringify(tls)) {
    throw new Error(
      `virtual node "${node.name}": backends "${prev.service}" and "${service}" reach the same target (${cluster}) with different client policies; give them the same clientPolicy`,
    );
  }
  chosen.set(cluster, { service, tls });
  return tls;
}

function egressResources(index: ModelIndex, node: VirtualNode): ResourceObject[] {
  const plan = egressPlan(index, node);
  const mesh = index.mesh(node.mesh);
  const out: ResourceObject[] = [];
  const chains: Obj[] = [];
  const clusters = new Map<string, ResourceObject[]>();
  const chosen = new Map<string, { service: string; tls: ClientPolicy | undefined }>();
  const log = accessLog(node.accessLog);
  for (const p of plan.ports) {
    for (const s of p.services) {
      for (const t of serviceTargets(index, s.service, p.port, s.protocol)) {
        const tls = clusterPolicy(node, s.service.name, t.listener.port, targetClusterName(t), chosen);
        clusters.set(targetClusterName(t), targetResources(index.model, t, 'envoy', tls ? { tls } : {}));
      }
    }
    if (p.family === 'http') {
      chains.push({ name: `egress_http_${p.port}`, filter_chain_match: { destination_port: p.port }, filters: [hcm('egress', egressRouteName(p.port), log)] });
      out.push({
        '@type': TypeUrl.RouteConfiguration,
        name: egressRouteName(p.port),
        virtual_hosts: p.services.map((s) => virtualHost(index, s.service, p.port, s.protocol)),
      });
      continue;
    }
    const tcp = tcpTarget(index, p);
    if (tcp) chains.push({ name: `egress_tcp_${p.port}`, filter_chain_match: { destination_port: p.port }, filters: [tcpProxy('egress', tcp.target, tcp.idleMs, log)] });
  }
  const allowAll = mesh?.egressFilter === 'ALLOW_ALL';
  if (allowAll) out.push(passthroughCluster(node.mesh));
  const passthrough = allowAll ? { name: 'egress_passthrough', filters: [tcpProxy('egress_passthrough', { cluster: passthroughClusterName(node.mesh) }, undefined, log)] } : undefined;
  if (chains.length === 0 && !passthrough) return [];
  out.unshift(listener(egressListenerName(), EGRESS_PORT, 'OUTBOUND', chains, { ...(passthrough ? { defaultChain: passthrough } : {}), ipPreference: nodeIpPreference(index.model, node) }));
  for (const list of clusters.values()) out.push(...list);
  return out;
}

/** Every resource of one virtual node's Envoy: listeners, route configurations, clusters, assignments. */
export function envoyResources(index: ModelIndex, node: VirtualNode): ResourceObject[] {
  return [...ingressResources(index, node), ...egressResources(index, node)];
}
