import type { Protocol } from './types';

/**
 * xDS resource names and the node-id rule (see README.md).
 *
 * A node id names a virtual node as App Mesh's Envoy does
 * (APPMESH_VIRTUAL_NODE_NAME / APPMESH_RESOURCE_ARN):
 *   mesh/<mesh>/virtualNode/<node>
 *   arn:aws:appmesh:<region>:<account>:mesh/<mesh>/virtualNode/<node>
 */

export const INGRESS_PORT = 15000;
export const EGRESS_PORT = 15001;

export interface ParsedNodeId {
  mesh: string;
  /** undefined when the id only names a mesh (`mesh/<mesh>` or `mesh/<mesh>/<anything else>`). */
  virtualNode: string | undefined;
}

/** The mesh (and virtual node) a node id names, or undefined when it names none. */
export function parseNodeId(id: string): ParsedNodeId | undefined {
  const arn = /^arn:aws[a-z-]*:appmesh:[^:]*:[^:]*:(mesh\/.*)$/.exec(id);
  const resource = arn ? arn[1]! : id;
  const parts = resource.split('/');
  if (parts[0] !== 'mesh' || !parts[1]) return undefined;
  if (parts.length === 4 && parts[2] === 'virtualNode' && parts[3]) return { mesh: parts[1], virtualNode: parts[3] };
  return { mesh: parts[1], virtualNode: undefined };
}

export function envoyNodeId(mesh: string, node: string): string {
  return `mesh/${mesh}/virtualNode/${node}`;
}

export const ingressListenerName = () => `lds_ingress_0.0.0.0_${INGRESS_PORT}`;
export const egressListenerName = () => `lds_egress_0.0.0.0_${EGRESS_PORT}`;
export const ingressRouteName = (port: number) => `rds_ingress_http_${port}`;
export const egressRouteName = (port: number) => `rds_egress_http_${port}`;
export const ingressClusterName = (mesh: string, node: string, protocol: Protocol, port: number) => `cds_ingress_${mesh}_${node}_${protocol}_${port}`;
/** The cluster of one virtual node listener, as seen by its callers (Envoy egress and proxyless clients alike). */
export const egressClusterName = (mesh: string, node: string, protocol: Protocol, port: number) => `cds_egress_${mesh}_${node}_${protocol}_${port}`;
export const passthroughClusterName = (mesh: string) => `cds_egress_${mesh}_passthrough`;
/** Proxyless: the RouteConfiguration behind the API listeners of one virtual service port. */
export const proxylessRouteName = (mesh: string, service: string, port: number) => `rds_${mesh}_${service}_${port}`;
