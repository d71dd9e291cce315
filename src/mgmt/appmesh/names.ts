import type { Protocol } from './types';

/**
 * xDS resource names and the node-id rule (see README.md).
 *
 * A node id names a virtual node or a virtual gateway as App Mesh's Envoy
 * does (APPMESH_VIRTUAL_NODE_NAME / APPMESH_RESOURCE_ARN):
 *   mesh/<mesh>/virtualNode/<node>
 *   mesh/<mesh>/virtualGateway/<gateway>
 *   arn:aws:appmesh:<region>:<account>:mesh/<mesh>/virtualNode/<node> (or .../virtualGateway/<gateway>)
 */

export const INGRESS_PORT = 15000;
export const EGRESS_PORT = 15001;

export interface ParsedNodeId {
  mesh: string;
  /** undefined when the id does not name a virtual node (`mesh/<mesh>`, `mesh/<mesh>/<anything else>`, a gateway). */
  virtualNode: string | undefined;
  /** Set when the id names a virtual gateway. */
  virtualGateway?: string;
}

/** The mesh (and virtual node or gateway) a node id names, or undefined when it names none. */
export function parseNodeId(id: string): ParsedNodeId | undefined {
  const arn = /^arn:aws[a-z-]*:appmesh:[^:]*:[^:]*:(mesh\/.*)$/.exec(id);
  const resource = arn ? arn[1]! : id;
  const parts = resource.split('/');
  if (parts[0] !== 'mesh' || !parts[1]) return undefined;
  if (parts.length === 4 && parts[2] === 'virtualNode' && parts[3]) return { mesh: parts[1], virtualNode: parts[3] };
  if (parts.length === 4 && parts[2] === 'virtualGateway' && parts[3]) return { mesh: parts[1], virtualNode: undefined, virtualGateway: parts[3] };
  return { mesh: parts[1], virtualNode: undefined };
}

export function envoyNodeId(mesh: string, node: string): string {
  return `mesh/${mesh}/virtualNode/${node}`;
}

export function gatewayNodeId(mesh: string, gateway: string): string {
  return `mesh/${mesh}/virtualGateway/${gateway}`;
}

export const ingressListenerName = () => `lds_ingress_0.0.0.0_${INGRESS_PORT}`;
export const egressListenerName = () => `lds_egress_0.0.0.0_${EGRESS_PORT}`;
export const ingressRouteName = (port: number) => `rds_ingress_http_${port}`;
/** A virtual gateway listener (its RouteConfiguration is ingressRouteName(port)). */
export const gatewayListenerName = (port: number) => `lds_ingress_0.0.0.0_${port}`;
export const egressRouteName = (port: number) => `rds_egress_http_${port}`;
export const ingressClusterName = (mesh: string, node: string, protocol: Protocol, port: number) => `cds_ingress_${mesh}_${node}_${protocol}_${port}`;
/** The cluster of one virtual node listener, as seen by its callers (Envoy egress and proxyless clients alike). */
export const egressClusterName = (mesh: string, node: string, protocol: Protocol, port: number) => `cds_egress_${mesh}_${node}_${protocol}_${port}`;
export const passthroughClusterName = (mesh: string) => `cds_egress_${mesh}_passthrough`;
/** Proxyless: the RouteConfiguration behind the API listeners of one virtual service port. */
export const proxylessRouteName = (mesh: string, service: string, port: number) => `rds_${mesh}_${service}_${port}`;
