/** xDS type URLs -> the short names operators use (CDS, LDS, ...). */

/** "type.googleapis.com/envoy.config.cluster.v3.Cluster" -> "envoy.config.cluster.v3.Cluster". */
const messageName = (typeUrl: string): string => typeUrl.slice(typeUrl.lastIndexOf('/') + 1);

/** By message name, for the v3 API (and the v2 names where they differ). */
const SHORT: Readonly<Record<string, string>> = {
  'envoy.config.cluster.v3.Cluster': 'CDS',
  'envoy.config.listener.v3.Listener': 'LDS',
  'envoy.config.endpoint.v3.ClusterLoadAssignment': 'EDS',
  'envoy.config.route.v3.RouteConfiguration': 'RDS',
  'envoy.extensions.transport_sockets.tls.v3.Secret': 'SDS',
  'envoy.config.route.v3.ScopedRouteConfiguration': 'SRDS',
  'envoy.config.route.v3.VirtualHost': 'VHDS',
  'envoy.service.runtime.v3.Runtime': 'RTDS',
  'envoy.config.core.v3.TypedExtensionConfig': 'ECDS',
  'envoy.config.endpoint.v3.LbEndpoint': 'LEDS',
  'envoy.api.v2.Cluster': 'CDSv2',
  'envoy.api.v2.Listener': 'LDSv2',
  'envoy.api.v2.ClusterLoadAssignment': 'EDSv2',
  'envoy.api.v2.RouteConfiguration': 'RDSv2',
  'envoy.api.v2.auth.Secret': 'SDSv2',
};

/** Always shown as columns, in this order, even when no node uses them. */
export const STANDARD_TYPES: readonly string[] = ['CDS', 'LDS', 'EDS', 'RDS', 'SDS'];

/** "type.googleapis.com/envoy.config.cluster.v3.Cluster" -> "CDS"; unknown types -> their message name ("TypedStruct"). */
export function shortTypeName(typeUrl: string): string {
  const message = messageName(typeUrl);
  const known = SHORT[message];
  if (known) return known;
  const last = message.slice(message.lastIndexOf('.') + 1);
  return last === '' ? typeUrl : last;
}

/**
 * A column name for every type URL in `typeUrls`: the short name, or the full
 * message name when two different URLs would share a short name.
 */
export function typeColumnNames(typeUrls: Iterable<string>): Map<string, string> {
  const urls = [...new Set(typeUrls)];
  const byShort = new Map<string, number>();
  for (const u of urls) byShort.set(shortTypeName(u), (byShort.get(shortTypeName(u)) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const u of urls) {
    const s = shortTypeName(u);
    names.set(u, byShort.get(s)! > 1 && !SHORT[messageName(u)] ? messageName(u) : s);
  }
  return names;
}

/** Column order: the standard five, then the others by name. */
export function compareTypeNames(a: string, b: string): number {
  const ia = STANDARD_TYPES.indexOf(a);
  const ib = STANDARD_TYPES.indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}
