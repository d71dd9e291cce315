import type { ResourceObject } from '../resource-codec';
import { TypeUrl } from '../snapshot';
import type { ResolvedTarget } from './egress-plan';
import type { ModelIndex } from './model-index';
import { gatewayListenerName, ingressRouteName } from './names';
import { hcm } from './translate-envoy';
import { routeFitsListener, type GatewayListener, type VirtualGateway } from './types';
import { targetResources } from './xds-clusters';
import { gatewayRouteEntries } from './xds-gateway-routes';
import { targetClusterName } from './xds-route';

/**
 * A virtual gateway's Envoy (node id `mesh/<mesh>/virtualGateway/<name>`):
 * per gateway listener, a Listener on 0.0.0.0:<port> (no original_dst: the
 * gateway is addressed directly, not through an iptables redirect) with an
 * HTTP connection manager over RDS, and a RouteConfiguration
 * `rds_ingress_http_<port>` with one virtual host "*" holding the gateway
 * routes that fit the listener (protocol and `match.port`) in App Mesh's
 * order; then the clusters and assignments they send to, named and built as
 * for the sidecars (`cds_egress_<mesh>_<node>_<protocol>_<port>`). Pure.
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
  const clusters = new Map<string, ResourceObject[]>();
  for (const l of gw.listeners) {
    listeners.push({
      '@type': TypeUrl.Listener,
      name: gatewayListenerName(l.port),
      address: { socket_address: { address: '0.0.0.0', port_value: l.port } },
      traffic_direction: 'INBOUND',
      filter_chains: [{ filters: [hcm('ingress', ingressRouteName(l.port))] }],
    });
    const rc = routeConfiguration(index, gw, l);
    configs.push(rc.config);
    for (const t of rc.targets) if (!clusters.has(targetClusterName(t))) clusters.set(targetClusterName(t), targetResources(index.model, t, 'envoy'));
  }
  return [...listeners, ...configs, ...[...clusters.values()].flat()];
}
