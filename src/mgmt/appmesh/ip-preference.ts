import { isIP } from 'node:net';
import type { AppMeshModel, IpPreference, VirtualNode } from './types';

/**
 * What `ipPreference` (a virtual node's service discovery, else its mesh's
 * `serviceDiscovery`) changes in the Envoy configuration, as App Mesh did
 * (src/mgmt/appmesh/README.md, "Policies"):
 *
 * | preference    | listeners bind       | local application | DNS lookup (xds-policies.ts) | listed endpoints |
 * |---------------|----------------------|-------------------|------------------------------|------------------|
 * | none          | 0.0.0.0 (IPv4)       | 127.0.0.1         | AUTO (IPv6, then IPv4)       | all              |
 * | IPv4_PREFERRED| [::] + IPv4 (both)   | 127.0.0.1         | V4_PREFERRED                 | all              |
 * | IPv6_PREFERRED| [::] + IPv4 (both)   | ::1               | AUTO                         | all              |
 * | IPv4_ONLY     | [::] + IPv4 (both)   | 127.0.0.1         | V4_ONLY                      | IPv4 ones        |
 * | IPv6_ONLY     | [::] + IPv4 (both)   | ::1               | V6_ONLY                      | IPv6 ones        |
 *
 * Each listed endpoint (the local `endpoints` extension, standing in for the
 * instances Cloud Map would return) is one instance with one address, so a
 * *preferred* family changes nothing: an instance is reached by the address it
 * has. An *only* family leaves out the instances of the other one. Pure.
 */

export function meshIpPreference(model: AppMeshModel, mesh: string): IpPreference | undefined {
  return model.meshes.find((m) => m.name === mesh)?.ipPreference;
}

/** The node's own preference (its DNS or Cloud Map discovery), else its mesh's. */
export function nodeIpPreference(model: AppMeshModel, node: VirtualNode): IpPreference | undefined {
  return node.discovery?.ipPreference ?? meshIpPreference(model, node.mesh);
}

/** A listener's socket address: IPv4 only without a preference, every IPv4 and IPv6 address with one. */
export function bindAddress(p: IpPreference | undefined, port: number): { socket_address: Record<string, unknown> } {
  return p === undefined ? { socket_address: { address: '0.0.0.0', port_value: port } } : { socket_address: { address: '::', port_value: port, ipv4_compat: true } };
}

/** Where the sidecar reaches its own application. */
export function localAppAddress(p: IpPreference | undefined): string {
  return p === 'IPv6_ONLY' || p === 'IPv6_PREFERRED' ? '::1' : '127.0.0.1';
}

/** The listed endpoints the preference allows (all but the other family's under *_ONLY). */
export function allowedEndpoints<E extends { address: string }>(endpoints: readonly E[], p: IpPreference | undefined): E[] {
  if (p === 'IPv4_ONLY') return endpoints.filter((e) => isIP(e.address) === 4);
  if (p === 'IPv6_ONLY') return endpoints.filter((e) => isIP(e.address) === 6);
  return [...endpoints];
}
