import type { ResourceObject } from '../resource-codec';
import { TypeUrl } from '../snapshot';
import type { ResolvedTarget } from './egress-plan';
import { bindAddress, meshIpPreference } from './ip-preference';
import type { ModelIndex } from './model-index';
import { gatewayListenerName, ingressRouteName } from './names';
import { hcm } from './translate-envoy';
import { routeFitsListener, type ConnectionPool, type GatewayListener, type VirtualGateway } from './types';
import { targetResources } from './xds-clusters';
import { gatewayRouteEntries } from './xds-gateway-routes';
import { accessLog } from './xds-policies';
import { targetClusterName } from './xds-route';
import { TLS_INSPECTOR, needsTlsInspector, policyApplies, tlsChains } from './xds-tls';

/**
 * A virtual gateway's Envoy (node id `mesh/<mesh>/virtualGateway/<name>`):
 * per gateway listener, a Listener on 0.0.0.0:<port> (every IPv4 and IPv6
 * address when the mesh has an `ipPreference`; no original_dst: the
 * gateway is addressed directly, not through an iptables redirect) with an
 * HTTP connection manager over RDS, and a RouteConfiguration
 * `rds_ingress_http_<port>` with one virtual host "*" holding the gateway
 * routes that fit the listener (protocol and `match.port`) in App Mesh's
 * order; then the clusters and assignments they send to, named and built as
 * for the sidecars (`cds_egress_<mesh>_<node>_<protocol>_<port>`). The
 * listener's `tls` terminates TLS on its chain, its `connectionPool` limits
 * the clusters its routes send to, `backendDefaults.clientPolicy` originates
 * TLS to the targets, `logging` is the listeners' access log. Pure.
 */

function routeConfiguration(index: ModelIndex, gw: VirtualGateway, l: GatewayListener): { config: ResourceObject; targets: ResolvedTarget[] } {
  const fitting = index.gatewayRoutesOf(gw.mesh, gw.name).filter((r) => routeFitsListener(r.kind, l.protocol) && (r.match.port === undefined || r.match.port === l.port));
  const entries = fitting.map((gr) => gatewayRouteEntries(index, gr));
  return {
    config: { '@type': TypeUrl.RouteConfiguration, name: ingressRouteName(l.port), virtual_hosts: [{ name: `gateway_${l.port}`, domains: ['*'], routes: entries.flatMap((e) => e.routes) }] },
    targets: entries.flatMap((e) => e.targets),
  };
}

/** Every resource of one virtual gateway's Envoy: listeners, route configurations, clusters, assignments. */
export function gatewayResources(index: ModelIndex, gw: VirtualGateway): ResourceObject[] {
  const listeners: ResourceObject[] = [];
  const configs: ResourceObject[] = [];
  const clusters = new Map<string, { port: number; pool: ConnectionPool | undefined; resources: ResourceObject[] }>();
  for (const l of gw.listeners) {
    const chains = tlsChains({ name: `gateway_${l.protocol}_${l.port}`, filters: [hcm('ingress', ingressRouteName(l.port), accessLog(gw.accessLog))] }, l.tls, l.protocol);
    listeners.push({
      '@type': TypeUrl.Listener,
      name: gatewayListenerName(l.port),
      address: bindAddress(meshIpPreference(index.model, gw.mesh), l.port),
      traffic_direction: 'INBOUND',
      ...(needsTlsInspector([l.tls]) ? { listener_filters: [TLS_INSPECTOR] } : {}),
      filter_chains: chains,
    });
    const rc = routeConfiguration(index, gw, l);
    configs.push(rc.config);
    for (const t of rc.targets) {
      const name = targetClusterName(t);
      const prev = clusters.get(name);
      if (prev) {
        // A cluster is one: two listeners with different pools cannot both limit it.
        if (JSON.stringify(prev.pool) !== JSON.stringify(l.connectionPool)) {
          throw new Error(`virtual gateway "${gw.name}": listeners ${prev.port} and ${l.port} both route to ${name} with different connection pools; give them the same connectionPool`);
        }
        continue;
      }
      const tls = policyApplies(gw.backendDefaults, t.listener.port) ? gw.backendDefaults : undefined;
      clusters.set(name, { port: l.port, pool: l.connectionPool, resources: targetResources(index.model, t, 'envoy', { ...(tls ? { tls } : {}), ...(l.connectionPool ? { pool: l.connectionPool } : {}) }) });
    }
  }
  return [...listeners, ...configs, ...[...clusters.values()].flatMap((c) => c.resources)];
}
