/**
 * The xDS words appnet speaks, defined once (docs/contracts.md): the type URLs
 * of the resources it serves and relays, the Aggregated Discovery Service
 * method paths, the two stream kinds and how one request is classified. The
 * relay (xds-tracker.ts), the management server (sotw-core.ts, delta-core.ts,
 * stream-session.ts) and the Envoy stand-in (tools/envoy-stand-in) import
 * these rather than spelling them again.
 */

const PREFIX = 'type.googleapis.com/';

/** The v3 resource type URLs (DiscoveryRequest.type_url). */
export const TypeUrl = {
  Listener: `${PREFIX}envoy.config.listener.v3.Listener`,
  RouteConfiguration: `${PREFIX}envoy.config.route.v3.RouteConfiguration`,
  Cluster: `${PREFIX}envoy.config.cluster.v3.Cluster`,
  ClusterLoadAssignment: `${PREFIX}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  Secret: `${PREFIX}envoy.extensions.transport_sockets.tls.v3.Secret`,
} as const;

export type KnownTypeUrl = (typeof TypeUrl)[keyof typeof TypeUrl];

/** The short names operators use for the five types above (LDS, RDS, CDS, EDS, SDS). */
export const TYPE_SHORT_NAME: Readonly<Record<KnownTypeUrl, string>> = {
  [TypeUrl.Listener]: 'LDS',
  [TypeUrl.RouteConfiguration]: 'RDS',
  [TypeUrl.Cluster]: 'CDS',
  [TypeUrl.ClusterLoadAssignment]: 'EDS',
  [TypeUrl.Secret]: 'SDS',
};

/** The short name of a known type URL, or undefined. */
export function knownShortName(typeUrl: string): string | undefined {
  return (TYPE_SHORT_NAME as Readonly<Record<string, string>>)[typeUrl];
}

/** Types whose empty resource_names means "everything" (the wildcard) in SotW. */
export const WILDCARD_TYPES: ReadonlySet<string> = new Set([TypeUrl.Listener, TypeUrl.Cluster]);

/** The gRPC service name of ADS. */
export const ADS_SERVICE = 'envoy.service.discovery.v3.AggregatedDiscoveryService';

/** The HTTP/2 :path of each ADS method. */
export const AdsPath = {
  sotw: `/${ADS_SERVICE}/StreamAggregatedResources`,
  delta: `/${ADS_SERVICE}/DeltaAggregatedResources`,
} as const;

/** State of the world (whole sets per response) or incremental (Delta). */
export type XdsStreamKind = keyof typeof AdsPath;

/**
 * What one request says about the last response of its type:
 *  - `nack`: it carries error_detail (the client rejected a response), with or
 *    without a response_nonce;
 *  - `subscribe`: no response_nonce (a first request, or a change of names
 *    not answering any response);
 *  - `ack`: a response_nonce and no error_detail.
 * Whether the nonce is the latest one sent is the reader's business (a stale
 * ACK or NACK is still an ACK or NACK of something).
 */
export type XdsRequestKind = 'subscribe' | 'ack' | 'nack';

export function classifyRequest(r: { responseNonce: string; hasErrorDetail: boolean }): XdsRequestKind {
  if (r.hasErrorDetail) return 'nack';
  return r.responseNonce === '' ? 'subscribe' : 'ack';
}
