import type { ResolvedTarget } from './egress-plan';
import { combinePath, envoyMatch, hostnameHeader, variants, type Conditions, type Rewrite } from './gateway-match';
import type { ModelIndex } from './model-index';
import type { GatewayRoute, HeaderMatch, PortMapping, VirtualService } from './types';
import { egressClusterName } from './names';
import { routeAction, routeTargets, routesFor, targetClusterName } from './xds-route';

/**
 * One gateway route -> the Envoy routes of the gateway's RouteConfiguration
 * (proto JSON), and the clusters they send to. Pure.
 *
 *  - target provided by a virtual node: one route (per variant, see
 *    gateway-match.ts) to that node's listener cluster;
 *  - provided by a virtual router: one route per router route whose match can
 *    hold together with the gateway route's (router order; weighted clusters,
 *    retry policy and timeouts from the router route), then, unless a router
 *    route matches everything, a 404 for the rest of what the gateway route
 *    matches (App Mesh's sidecar would answer 404 for a path its router has
 *    no route for; the request must not fall through to a lower gateway route);
 *  - no provider yet: a 503 for what the gateway route matches.
 * The target's Host is the virtual service name unless defaultTargetHostname
 * is DISABLED.
 */

type Obj = Record<string, unknown>;

export interface GatewayRouteEntries {
  routes: Obj[];
  targets: ResolvedTarget[];
  /** Combinations this translation cannot express (reported by validation; see gateway-match.ts). */
  problems: string[];
}

/** The service port a gateway route sends to: its target port, or the service's only port. */
export function targetPort(index: ModelIndex, service: VirtualService, port: number | undefined): PortMapping | undefined {
  const ports = index.servicePorts(service);
  if (port !== undefined) return ports.find((p) => p.port === port);
  return ports.length === 1 ? ports[0] : undefined;
}

function baseHeaders(gr: GatewayRoute): HeaderMatch[] {
  return [...(gr.match.hostname ? [hostnameHeader(gr.match.hostname)] : []), ...gr.match.headers];
}

function entry(name: string, c: Conditions, rewrite: Rewrite, action: (rewriteFields: Obj) => Obj): Obj | undefined {
  const m = envoyMatch(c, rewrite);
  return m ? { name, match: m.match, ...action(m.rewrite) } : undefined;
}

/** What the gateway route alone matches, answered with `status`. */
function directResponse(gr: GatewayRoute, suffix: string, status: number): Obj[] {
  const c: Conditions = { paths: gr.match.path ? [gr.match.path] : [], headers: baseHeaders(gr), query: gr.match.query };
  const r = entry(`${gr.name}${suffix}`, c, { kind: 'keep' }, () => ({ direct_response: { status } }));
  return r ? [r] : [];
}

export function gatewayRouteEntries(index: ModelIndex, gr: GatewayRoute): GatewayRouteEntries {
  const out: GatewayRouteEntries = { routes: [], targets: [], problems: [] };
  const service = index.service(gr.mesh, gr.target.service);
  const port = service ? targetPort(index, service, gr.target.port) : undefined;
  if (!service || !port) {
    out.routes.push(...directResponse(gr, '', 503));
    return out;
  }
  const host: Obj = gr.hostRewrite ? { host_rewrite_literal: service.name } : {};
  const headers = baseHeaders(gr);
  const provider = service.provider;
  if (provider?.kind === 'virtualNode') {
    const node = index.node(gr.mesh, provider.name);
    const listener = node?.listeners.find((l) => l.port === port.port);
    if (!node || !listener) return out;
    out.targets.push({ node, listener, weight: 1 });
    const cluster = egressClusterName(node.mesh, node.name, listener.protocol, listener.port);
    for (const v of variants(gr)) {
      const r = entry(gr.name, { paths: v.path ? [v.path] : [], headers, query: gr.match.query }, v.rewrite, (rw) => ({ route: { cluster, ...rw, ...host } }));
      if (r) out.routes.push(r);
    }
    return out;
  }
  const routerRoutes = routesFor(index, service, port.port, port.protocol);
  let uncovered = false;
  for (const v of variants(gr)) {
    let covered = false;
    for (const rr of routerRoutes) {
      const combined = combinePath(v, rr.match.path);
      if (combined === 'never') continue;
      if ('unsupported' in combined) {
        out.problems.push(`route "${rr.name}" of virtual router "${rr.router}" ${combined.unsupported}`);
        continue;
      }
      const c: Conditions = { paths: combined.paths, headers: [...headers, ...rr.match.headers], query: [...gr.match.query, ...rr.match.query] };
      const action = routeAction(index, rr);
      const r = entry(`${gr.name}/${rr.name}`, c, combined.rewrite, (rw) => ({ route: { ...action, ...rw, ...host } }));
      if (!r) continue;
      out.routes.push(r);
      for (const t of routeTargets(index, rr)) if (!out.targets.some((x) => targetClusterName(x) === targetClusterName(t))) out.targets.push(t);
      // A router route that takes every request of this variant: the ones after it are never reached.
      if (combined.implied && rr.match.headers.length === 0 && rr.match.query.length === 0) {
        covered = true;
        break;
      }
    }
    if (!covered) uncovered = true;
  }
  if (uncovered) out.routes.push(...directResponse(gr, '/no-route', 404));
  out.problems = [...new Set(out.problems)];
  return out;
}
