import type { ResourceObject } from '../resource-codec';
import type { ModelIndex } from './model-index';
import { parseNodeId } from './names';
import { envoyResources } from './translate-envoy';
import { proxylessResources } from './translate-proxyless';

/**
 * Which resources a node gets (the rule, see README.md):
 *  - a node id of the virtual node form (`mesh/apps/virtualNode/serviceA`, or
 *    its ARN form) is that node's Envoy sidecar — with no resources while the
 *    model has no such node (never proxyless resources, which an Envoy would
 *    take as listeners);
 *  - any other id is a proxyless gRPC client: API listeners for every virtual
 *    service of the mesh the id names (`mesh/apps/...`), or of every mesh when
 *    it names none.
 * `key` identifies the answer: nodes with the same key get the same resources.
 */

export type NodeView = { kind: 'envoy'; key: string; mesh: string; node: string } | { kind: 'proxyless'; key: string; meshes: string[] | undefined };

export function nodeView(nodeId: string): NodeView {
  const parsed = parseNodeId(nodeId);
  if (parsed?.virtualNode !== undefined) {
    return { kind: 'envoy', key: `envoy:${parsed.mesh}/${parsed.virtualNode}`, mesh: parsed.mesh, node: parsed.virtualNode };
  }
  if (parsed) return { kind: 'proxyless', key: `proxyless:${parsed.mesh}`, meshes: [parsed.mesh] };
  return { kind: 'proxyless', key: 'proxyless:*', meshes: undefined };
}

export function resourcesFor(index: ModelIndex, view: NodeView): ResourceObject[] {
  if (view.kind === 'envoy') {
    const node = index.node(view.mesh, view.node);
    return node ? envoyResources(index, node) : [];
  }
  return proxylessResources(index, view.meshes);
}
