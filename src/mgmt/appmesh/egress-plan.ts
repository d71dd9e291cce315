import type { ModelIndex } from './model-index';
import { isHttpFamily, type NodeListener, type Protocol, type VirtualNode, type VirtualService, type WeightedTarget } from './types';

/**
 * What a virtual node's egress listener has to carry: its backends (virtual
 * services) grouped by the port they are reached on, HTTP-family or TCP. Used
 * by the validation (conflicts Envoy would reject) and by the translation.
 */

export interface ServiceOnPort {
  service: VirtualService;
  protocol: Protocol;
}

export interface EgressPort {
  port: number;
  family: 'http' | 'tcp';
  services: ServiceOnPort[];
}

export interface EgressPlan {
  ports: EgressPort[];
  /** Problems that would make Envoy reject the listener (same port for HTTP and TCP, two TCP services on one port). */
  conflicts: string[];
}

export function egressPlan(index: ModelIndex, node: VirtualNode): EgressPlan {
  const byPort = new Map<number, ServiceOnPort[]>();
  for (const name of node.backends) {
    const service = index.service(node.mesh, name);
    if (!service) continue;
    for (const pm of index.servicePorts(service)) {
      const list = byPort.get(pm.port) ?? [];
      list.push({ service, protocol: pm.protocol });
      byPort.set(pm.port, list);
    }
  }
  const ports: EgressPort[] = [];
  const conflicts: string[] = [];
  for (const [port, services] of [...byPort].sort((a, b) => a[0] - b[0])) {
    const tcp = services.filter((s) => !isHttpFamily(s.protocol));
    const http = services.filter((s) => isHttpFamily(s.protocol));
    const names = (l: ServiceOnPort[]) => l.map((s) => `"${s.service.name}" (${s.protocol})`).join(', ');
    if (tcp.length > 0 && http.length > 0) {
      conflicts.push(`port ${port} is used by both TCP and HTTP backends: ${names(services)}; give them different ports`);
      continue;
    }
    if (tcp.length > 1) {
      conflicts.push(`port ${port} is used by several TCP backends: ${names(tcp)}; the egress listener tells TCP backends apart by port only`);
      continue;
    }
    ports.push({ port, family: tcp.length > 0 ? 'tcp' : 'http', services });
  }
  return { ports, conflicts };
}

export interface ResolvedTarget {
  node: VirtualNode;
  listener: NodeListener;
  weight: number;
}

/** A route target's node and listener: its `port`, or the node's only listener. */
export function resolveTarget(index: ModelIndex, mesh: string, target: WeightedTarget): ResolvedTarget | string {
  const node = index.node(mesh, target.node);
  if (!node) return `no virtual node "${target.node}" in mesh "${mesh}"`;
  if (node.listeners.length === 0) return `virtual node "${target.node}" has no listeners to send traffic to`;
  if (target.port !== undefined) {
    const listener = node.listeners.find((l) => l.port === target.port);
    if (!listener) return `virtual node "${target.node}" has no listener on port ${target.port} (it listens on ${node.listeners.map((l) => l.port).join(', ')})`;
    return { node, listener, weight: target.weight };
  }
  if (node.listeners.length > 1) return `virtual node "${target.node}" has several listeners (${node.listeners.map((l) => l.port).join(', ')}): give the target a port`;
  return { node, listener: node.listeners[0]!, weight: target.weight };
}
