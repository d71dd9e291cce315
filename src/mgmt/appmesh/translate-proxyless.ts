import type { ResourceObject } from '../resource-codec';
import { TypeUrl } from '../snapshot';
import type { ModelIndex } from './model-index';
import { proxylessRouteName } from './names';
import { isHttpFamily } from './types';
import { targetResources } from './xds-clusters';
import { serviceTargets, targetClusterName, virtualHost } from './xds-route';

/**
 * Proxyless gRPC clients (grpc-js-xds): every virtual service of the meshes in
 * scope becomes API listeners named as clients address it —
 * `xds:///serviceb.apps.local:80` asks for listener "serviceb.apps.local:80";
 * the bare name "serviceb.apps.local" is served too when the service has a
 * single HTTP-family port — each an HttpConnectionManager over RDS (router
 * filter last) -> RouteConfiguration with the route's weighted clusters -> EDS
 * clusters -> ClusterLoadAssignments with a locality and HEALTHY endpoints.
 * TCP ports are not served (gRPC needs HTTP/2). When two meshes in scope have
 * a service of the same name, the first mesh by name wins. Pure.
 */

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

function apiListener(name: string, routeName: string): ResourceObject {
  return {
    '@type': TypeUrl.Listener,
    name,
    api_listener: {
      api_listener: {
        '@type': HCM,
        stat_prefix: name,
        rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: routeName },
        http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
      },
    },
  };
}

/** Resources for proxyless clients of `meshes` (every mesh when undefined). */
export function proxylessResources(index: ModelIndex, meshes?: readonly string[]): ResourceObject[] {
  const inScope = [...index.model.meshes].filter((m) => meshes === undefined || meshes.includes(m.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const listeners = new Map<string, ResourceObject>();
  const others = new Map<string, ResourceObject>();
  const add = (r: ResourceObject) => others.set(`${r['@type']}\0${String(r['name'] ?? r['cluster_name'])}`, r);
  for (const mesh of inScope) {
    for (const service of index.servicesOf(mesh.name)) {
      const ports = index.servicePorts(service).filter((p) => isHttpFamily(p.protocol));
      for (const p of ports) {
        const routeName = proxylessRouteName(mesh.name, service.name, p.port);
        const names = [`${service.name}:${p.port}`, ...(ports.length === 1 ? [service.name] : [])];
        for (const n of names) if (!listeners.has(n)) listeners.set(n, apiListener(n, routeName));
        add({ '@type': TypeUrl.RouteConfiguration, name: routeName, virtual_hosts: [virtualHost(index, service, p.port, p.protocol)] });
        for (const t of serviceTargets(index, service, p.port, p.protocol)) {
          if (!others.has(`${TypeUrl.Cluster}\0${targetClusterName(t)}`)) targetResources(index.model, t, 'proxyless').forEach(add);
        }
      }
    }
  }
  return [...listeners.values(), ...others.values()];
}
