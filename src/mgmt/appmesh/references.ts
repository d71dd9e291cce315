import { fieldProblem, type Problem } from '../../common/problem';
import { egressPlan, resolveTarget } from './egress-plan';
import { formatEndpoint, listedEndpoints } from './endpoints';
import { allowedEndpoints, nodeIpPreference } from './ip-preference';
import type { ModelIndex } from './model-index';
import { nodeKey, routeFitsListener, type Route, type VirtualNode, type VirtualRouter, type VirtualService } from './types';

/**
 * Checks between resources, after each one's shape is known to be right:
 * meshes exist, backends name virtual services, providers and route targets
 * name virtual nodes and routers that exist (with listeners to receive the
 * traffic), route types fit the router's listeners, and a node's backends can
 * share one egress listener. Pure; every problem is named by its resource.
 */

export interface Labelled<T> {
  label: string;
  value: T;
  /** Parsed without problems: false means parts (e.g. listeners) may be missing, so checks that need them are skipped. */
  complete: boolean;
}

export const ROUTE_KEY = { http: 'httpRoute', http2: 'http2Route', grpc: 'grpcRoute', tcp: 'tcpRoute' } as const;

/** The listener protocols a route kind fits, as problem text ("http or http2" for HTTP routes). */
export function listenerText(kind: Route['kind']): string {
  return kind === 'http' || kind === 'http2' ? 'http or http2' : kind;
}

export function meshProblem(index: ModelIndex, label: string, mesh: string): Problem[] {
  return index.mesh(mesh) ? [] : [fieldProblem('meshName', `no mesh "${mesh}" (create the mesh first)`, label)];
}

function nodeProblems(index: ModelIndex, { label, value: n }: Labelled<VirtualNode>): Problem[] {
  const out = meshProblem(index, label, n.mesh);
  n.backends.forEach((b, i) => {
    if (!index.service(n.mesh, b)) out.push(fieldProblem(`spec.backends[${i}].virtualService.virtualServiceName`, `no virtual service "${b}" in mesh "${n.mesh}"`, label));
  });
  if (n.listeners.length > 0 && !n.discovery && !index.model.endpoints.has(nodeKey(n.mesh, n.name))) {
    out.push(fieldProblem('spec.serviceDiscovery', 'required when the virtual node has listeners (dns or awsCloudMap; or local endpoints under "endpoints")', label));
  }
  for (const c of egressPlan(index, n).conflicts) out.push(fieldProblem('spec.backends', c, label));
  out.push(...ipPreferenceProblems(index, label, n));
  return out;
}

/** An *_ONLY preference that leaves the node no endpoint at all would only fail every call: refuse it. */
function ipPreferenceProblems(index: ModelIndex, label: string, n: VirtualNode): Problem[] {
  const listed = listedEndpoints(index.model, n);
  const p = nodeIpPreference(index.model, n);
  if (!listed || listed.length === 0 || allowedEndpoints(listed, p).length > 0) return [];
  const where = n.discovery?.ipPreference ? `spec.serviceDiscovery.${n.discovery.kind === 'dns' ? 'dns' : 'awsCloudMap'}.ipPreference` : `mesh "${n.mesh}" spec.serviceDiscovery.ipPreference`;
  return [fieldProblem(where, `${p} leaves none of the node's endpoints (${listed.map(formatEndpoint).join(', ')}); list an ${p === 'IPv6_ONLY' ? 'IPv6' : 'IPv4'} address or change the preference`, label)];
}

/** Virtual nodes whose bodies had problems: what they lack is not reported again by the resources using them. */
type Incomplete = ReadonlySet<string>;

function serviceProblems(index: ModelIndex, { label, value: s }: Labelled<VirtualService>, incomplete: Incomplete): Problem[] {
  const out = meshProblem(index, label, s.mesh);
  const p = s.provider;
  if (p?.kind === 'virtualNode') {
    const node = index.node(s.mesh, p.name);
    if (!node) out.push(fieldProblem('spec.provider.virtualNode.virtualNodeName', `no virtual node "${p.name}" in mesh "${s.mesh}"`, label));
    else if (node.listeners.length === 0 && !incomplete.has(nodeKey(s.mesh, p.name))) out.push(fieldProblem('spec.provider.virtualNode.virtualNodeName', `virtual node "${p.name}" has no listeners to receive the traffic`, label));
  } else if (p?.kind === 'virtualRouter' && !index.router(s.mesh, p.name)) {
    out.push(fieldProblem('spec.provider.virtualRouter.virtualRouterName', `no virtual router "${p.name}" in mesh "${s.mesh}"`, label));
  }
  return out;
}

function routerProblems(index: ModelIndex, { label, value: r }: Labelled<VirtualRouter>): Problem[] {
  return meshProblem(index, label, r.mesh);
}

function routeProblems(index: ModelIndex, { label, value: r }: Labelled<Route>, incomplete: Incomplete): Problem[] {
  const out = meshProblem(index, label, r.mesh);
  const at = `spec.${ROUTE_KEY[r.kind]}`;
  const router = index.router(r.mesh, r.router);
  if (!router) out.push(fieldProblem('virtualRouterName', `no virtual router "${r.router}" in mesh "${r.mesh}"`, label));
  else {
    const fitting = router.listeners.filter((l) => routeFitsListener(r.kind, l.protocol));
    const have = router.listeners.map((l) => `${l.protocol} ${l.port}`).join(', ') || 'none';
    const wanted = listenerText(r.kind);
    if (fitting.length === 0) out.push(fieldProblem(at, `virtual router "${r.router}" has no ${wanted} listener for a ${ROUTE_KEY[r.kind]} (its listeners: ${have})`, label));
    else if (r.match.port !== undefined && !fitting.some((l) => l.port === r.match.port)) {
      out.push(fieldProblem(`${at}.match.port`, `virtual router "${r.router}" has no ${wanted} listener on port ${r.match.port} (its listeners: ${have})`, label));
    }
  }
  for (const t of r.targets) {
    if (incomplete.has(nodeKey(r.mesh, t.node))) continue;
    const resolved = resolveTarget(index, r.mesh, t);
    if (typeof resolved === 'string') out.push(fieldProblem(`${at}.action.weightedTargets`, resolved, label));
  }
  return out;
}

export interface LabelledModel {
  nodes: Labelled<VirtualNode>[];
  services: Labelled<VirtualService>[];
  routers: Labelled<VirtualRouter>[];
  routes: Labelled<Route>[];
}

export function referenceProblems(index: ModelIndex, m: LabelledModel): Problem[] {
  const incomplete = new Set(m.nodes.filter((n) => !n.complete).map((n) => nodeKey(n.value.mesh, n.value.name)));
  return [
    ...m.nodes.flatMap((x) => nodeProblems(index, x)),
    ...m.services.flatMap((x) => serviceProblems(index, x, incomplete)),
    ...m.routers.flatMap((x) => routerProblems(index, x)),
    ...m.routes.flatMap((x) => routeProblems(index, x, incomplete)),
  ];
}
