import type { ResourceObject } from '../resource-codec';
import type { ModelIndex } from './model-index';
import { envoyNodeId, gatewayNodeId, parseNodeId } from './names';
import { envoyResources } from './translate-envoy';
import { gatewayResources } from './translate-gateway';
import { proxylessResources } from './translate-proxyless';
import type { AppMeshModel } from './types';

/**
 * Which resources a node gets (the rule, see README.md):
 *  - a node id of the virtual node form (`mesh/apps/virtualNode/serviceA`, or
 *    its ARN form) is that node's Envoy sidecar;
 *  - a node id of the virtual gateway form (`mesh/apps/virtualGateway/gw`, or
 *    its ARN form) is that gateway's Envoy;
 *    both with no resources while the model has no such node or gateway
 *    (never proxyless resources, which an Envoy would take as listeners);
 *  - any other id is a proxyless gRPC client: API listeners for every virtual
 *    service of the mesh the id names (`mesh/apps/...`), or of every mesh when
 *    it names none.
 * `key` identifies the answer: nodes with the same key get the same resources.
 */

export type NodeView =
  | { kind: 'envoy'; key: string; mesh: string; node: string }
  | { kind: 'gateway'; key: string; mesh: string; gateway: string }
  | { kind: 'proxyless'; key: string; meshes: string[] | undefined };

export function nodeView(nodeId: string): NodeView {
  const parsed = parseNodeId(nodeId);
  if (parsed?.virtualNode !== undefined) {
    return { kind: 'envoy', key: `envoy:${parsed.mesh}/${parsed.virtualNode}`, mesh: parsed.mesh, node: parsed.virtualNode };
  }
  if (parsed?.virtualGateway !== undefined) {
    return { kind: 'gateway', key: `gateway:${parsed.mesh}/${parsed.virtualGateway}`, mesh: parsed.mesh, gateway: parsed.virtualGateway };
  }
  if (parsed) return { kind: 'proxyless', key: `proxyless:${parsed.mesh}`, meshes: [parsed.mesh] };
  return { kind: 'proxyless', key: 'proxyless:*', meshes: undefined };
}

export function resourcesFor(index: ModelIndex, view: NodeView): ResourceObject[] {
  if (view.kind === 'envoy') {
    const node = index.node(view.mesh, view.node);
    return node ? envoyResources(index, node) : [];
  }
  if (view.kind === 'gateway') {
    const gateway = index.gateway(view.mesh, view.gateway);
    return gateway ? gatewayResources(index, gateway) : [];
  }
  return proxylessResources(index, view.meshes);
}

/** The Envoy node ids the model has resources for: every virtual node's sidecar and every virtual gateway. */
export function envoyNodeIds(model: AppMeshModel): string[] {
  return [...model.nodes.map((n) => envoyNodeId(n.mesh, n.name)), ...model.gateways.map((g) => gatewayNodeId(g.mesh, g.name))].sort();
}

/**
 * Every distinct view of a model: each virtual node's Envoy, each virtual
 * gateway's Envoy, proxyless clients of each mesh and of every mesh. What a
 * check that the whole translation encodes (source.ts translationCheck) must
 * go over.
 */
export function allViews(model: AppMeshModel): NodeView[] {
  return [...envoyNodeIds(model).map(nodeView), ...model.meshes.map((m) => nodeView(`mesh/${m.name}`)), nodeView('')];
}
