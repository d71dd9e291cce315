import { isIP } from 'node:net';
import type { AppMeshModel, LocalEndpoint, VirtualNode } from './types';
import { nodeKey } from './types';

/**
 * Local endpoints (an extension; real App Mesh bodies stay valid as they are):
 * where a virtual node's instances are, when its service discovery cannot
 * resolve here (`serviceb.apps.local`, Cloud Map). Two ways, in order:
 *
 *  1. the document's `endpoints` map: "<mesh>/<virtualNode>" (or a virtual node
 *     name that only one mesh has) -> ["127.0.0.1:50051", "[::1]:50052", "127.0.0.1"];
 *     an entry without a port means "the listener's port";
 *  2. `serviceDiscovery.dns.hostname` that is an IP address literal
 *     (e.g. "127.0.0.1"): that address with the listener's port.
 *
 * Otherwise the node is reached by DNS (Envoy STRICT_DNS/LOGICAL_DNS clusters)
 * or, for Cloud Map, has no endpoints here.
 */

/** "127.0.0.1:50051", "127.0.0.1", "[::1]:50051" or "::1"; a problem text otherwise. */
export function parseEndpoint(text: unknown): LocalEndpoint | string {
  if (typeof text !== 'string' || text.trim() === '') return `expected "<ip>[:<port>]" such as "127.0.0.1:50051", got ${JSON.stringify(text)}`;
  let host = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if (isIP(text) === 0) {
    const i = text.lastIndexOf(':');
    if (i > 0) {
      host = text.slice(0, i);
      portText = text.slice(i + 1);
    }
  }
  if (isIP(host) === 0) {
    return `${JSON.stringify(text)}: the address must be an IP literal such as 127.0.0.1 (DNS names belong in serviceDiscovery.dns.hostname)`;
  }
  if (portText === undefined) return { address: host };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) return `${JSON.stringify(text)}: the port must be 1-65535`;
  return { address: host, port };
}

export function formatEndpoint(e: LocalEndpoint): string {
  const host = e.address.includes(':') ? `[${e.address}]` : e.address;
  return e.port === undefined ? host : `${host}:${e.port}`;
}

/** The node's listed instances (the extension, or an IP-literal DNS host name), or undefined (use service discovery). */
export function listedEndpoints(model: AppMeshModel, node: VirtualNode): LocalEndpoint[] | undefined {
  const override = model.endpoints.get(nodeKey(node.mesh, node.name));
  if (override) return override;
  if (node.discovery?.kind === 'dns' && isIP(node.discovery.hostname) !== 0) return [{ address: node.discovery.hostname }];
  return undefined;
}

/** Where to send traffic for a node listener: its listed endpoints (an endpoint without a port takes the listener's), or undefined. */
export function localEndpoints(model: AppMeshModel, node: VirtualNode, listenerPort: number): Array<{ address: string; port: number }> | undefined {
  return listedEndpoints(model, node)?.map((e) => ({ address: e.address, port: e.port ?? listenerPort }));
}
