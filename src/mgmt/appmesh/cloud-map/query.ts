import { isIP } from 'node:net';
import { nodeKey, type AppMeshModel, type DiscoveredInstance, type IpPreference, type ServiceDiscovery } from '../types';

/**
 * What a Cloud Map virtual node asks AWS Cloud Map (DiscoverInstances: the
 * namespace, the service, its `attributes` as QueryParameters) and what its
 * callers' Envoys get from the answer. Pure.
 */

export interface CloudMapQuery {
  namespaceName: string;
  serviceName: string;
  /** Only instances with every one of these attributes (App Mesh's `awsCloudMap.attributes`). */
  attributes: Readonly<Record<string, string>>;
}

type CloudMapDiscovery = Extract<ServiceDiscovery, { kind: 'cloudMap' }>;

export function queryOf(d: CloudMapDiscovery): CloudMapQuery {
  const attributes: Record<string, string> = {};
  for (const a of d.attributes ?? []) attributes[a.key] = a.value;
  return { namespaceName: d.namespaceName, serviceName: d.serviceName, attributes };
}

/** One string per distinct query: namespace, service, attributes sorted by key. */
export function cloudMapQueryKey(q: CloudMapQuery): string {
  const attrs = Object.keys(q.attributes)
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(q.attributes[k]!)}`)
    .join('&');
  return `${encodeURIComponent(q.namespaceName)}/${encodeURIComponent(q.serviceName)}${attrs ? `?${attrs}` : ''}`;
}

/** The distinct queries of the model's Cloud Map nodes that have no local endpoints (those win, as for DNS). */
export function queriesOf(model: AppMeshModel): Map<string, CloudMapQuery> {
  const out = new Map<string, CloudMapQuery>();
  for (const n of model.nodes) {
    if (n.discovery?.kind !== 'cloudMap' || model.endpoints.has(nodeKey(n.mesh, n.name))) continue;
    const q = queryOf(n.discovery);
    out.set(cloudMapQueryKey(q), q);
  }
  return out;
}

/**
 * Instances from DiscoverInstances' answer: their AWS_INSTANCE_IPV4 /
 * AWS_INSTANCE_IPV6 addresses and AWS_INSTANCE_PORT; an instance without a
 * usable address is left out (it cannot be reached), in a stable order.
 */
export function instancesOf(summaries: ReadonlyArray<{ InstanceId?: string | undefined; Attributes?: Record<string, string> | undefined }>): DiscoveredInstance[] {
  const out: DiscoveredInstance[] = [];
  for (const s of summaries) {
    const a = s.Attributes ?? {};
    const ipv4 = a['AWS_INSTANCE_IPV4'];
    const ipv6 = a['AWS_INSTANCE_IPV6'];
    const portText = a['AWS_INSTANCE_PORT'];
    const port = portText !== undefined && /^\d{1,5}$/.test(portText) && Number(portText) >= 1 && Number(portText) <= 65535 ? Number(portText) : undefined;
    const inst: DiscoveredInstance = { id: s.InstanceId ?? '' };
    if (ipv4 !== undefined && isIP(ipv4) === 4) inst.ipv4 = ipv4;
    if (ipv6 !== undefined && isIP(ipv6) === 6) inst.ipv6 = ipv6;
    if (port !== undefined) inst.port = port;
    if (inst.ipv4 !== undefined || inst.ipv6 !== undefined) out.push(inst);
  }
  return out.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

/**
 * Where Envoy reaches each instance, as App Mesh chose: the IPv4 address
 * unless the preference is IPv6 (IPv6_PREFERRED falls back to IPv4,
 * IPv4_PREFERRED and no preference fall back to IPv6; *_ONLY leaves out an
 * instance without that family), on its AWS_INSTANCE_PORT, else the listener's.
 */
export function instanceEndpoints(instances: readonly DiscoveredInstance[], listenerPort: number, p: IpPreference | undefined): Array<{ address: string; port: number }> {
  const out: Array<{ address: string; port: number }> = [];
  for (const i of instances) {
    const address =
      p === 'IPv4_ONLY' ? i.ipv4 : p === 'IPv6_ONLY' ? i.ipv6 : p === 'IPv6_PREFERRED' ? (i.ipv6 ?? i.ipv4) : (i.ipv4 ?? i.ipv6);
    if (address !== undefined) out.push({ address, port: i.port ?? listenerPort });
  }
  return out;
}
