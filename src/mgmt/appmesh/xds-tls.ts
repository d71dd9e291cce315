import { isIP } from 'node:net';
import type { ClientPolicy, ListenerTls, Protocol, TlsCertificate, TlsValidation } from './types';

/**
 * App Mesh TLS -> Envoy transport sockets (proto JSON). Pure.
 *
 *  - A listener's `tls` terminates TLS on its filter chain
 *    (DownstreamTlsContext): STRICT is TLS only; PERMISSIVE serves TLS and
 *    plaintext on the same port (two filter chains told apart by the TLS
 *    inspector); DISABLED is plaintext. A `validation` makes it mTLS: the
 *    client's certificate is required and checked against the trust and the
 *    subject alternative names.
 *  - A backend's `clientPolicy.tls` originates TLS to the backend's targets
 *    (UpstreamTlsContext), checking the server's certificate the same way and
 *    presenting a client certificate when one is given. No SNI is sent: the
 *    target is one virtual node reached under several names.
 *  - Files are paths on the Envoy's host; `sds` secrets come from the local SDS
 *    agent through the bootstrap's `static_cluster_sds_unix_socket` cluster
 *    (the agent adds it when APPMESH_SDS_SOCKET_PATH is set), as with App Mesh.
 */

type Obj = Record<string, unknown>;

const DOWNSTREAM = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const UPSTREAM = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
export const SDS_CLUSTER = 'static_cluster_sds_unix_socket';
export const TLS_INSPECTOR = { name: 'envoy.filters.listener.tls_inspector', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector' } };

function sdsSecret(name: string): Obj {
  return {
    name,
    sds_config: { resource_api_version: 'V3', api_config_source: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: SDS_CLUSTER } }] } },
  };
}

function certificates(c: TlsCertificate): Obj {
  if (c.kind === 'sds') return { tls_certificate_sds_secret_configs: [sdsSecret(c.secretName)] };
  return { tls_certificates: [{ certificate_chain: { filename: c.certificateChain }, private_key: { filename: c.privateKey } }] };
}

/**
 * App Mesh's SANs are exact strings of any kind: a SPIFFE ID or URL is a URI
 * SAN, an IP literal an IP SAN, anything else a DNS name.
 */
function sanMatchers(names: readonly string[]): Obj[] {
  return names.map((n) => {
    const type = /^[a-z][a-z0-9+.-]*:\/\//i.test(n) ? 'URI' : isIP(n) !== 0 ? 'IP_ADDRESS' : n.includes('@') ? 'EMAIL' : 'DNS';
    return { san_type: type, matcher: { exact: n } };
  });
}

function validationContext(v: TlsValidation): Obj {
  const sans = v.subjectAlternativeNames.length > 0 ? { match_typed_subject_alt_names: sanMatchers(v.subjectAlternativeNames) } : {};
  if (v.trust.kind === 'file') return { validation_context: { trusted_ca: { filename: v.trust.certificateChain }, ...sans } };
  const secret = sdsSecret(v.trust.secretName);
  return v.subjectAlternativeNames.length > 0
    ? { combined_validation_context: { default_validation_context: sans, validation_context_sds_secret_config: secret } }
    : { validation_context_sds_secret_config: secret };
}

/** What a listener of `protocol` offers in ALPN: h2 first for HTTP/2 and gRPC, nothing for TCP. */
function alpn(protocol: Protocol, server: boolean): Obj {
  if (protocol === 'tcp') return {};
  if (protocol === 'http') return { alpn_protocols: ['http/1.1'] };
  return { alpn_protocols: server ? ['h2', 'http/1.1'] : ['h2'] };
}

export function downstreamTls(tls: ListenerTls, protocol: Protocol): Obj {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': DOWNSTREAM,
      common_tls_context: { ...certificates(tls.certificate), ...(tls.validation ? validationContext(tls.validation) : {}), ...alpn(protocol, true) },
      ...(tls.validation ? { require_client_certificate: true } : {}),
    },
  };
}

/** Whether a client policy applies to a target listener port (enforced, and the port listed or no ports listed). */
export function policyApplies(p: ClientPolicy | undefined, port: number): p is ClientPolicy {
  return p !== undefined && p.enforce && (p.ports.length === 0 || p.ports.includes(port));
}

export function upstreamTls(p: ClientPolicy, protocol: Protocol): Obj {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': UPSTREAM,
      common_tls_context: { ...(p.certificate ? certificates(p.certificate) : {}), ...validationContext(p.validation), ...alpn(protocol, false) },
    },
  };
}

/**
 * The filter chains of one listener port under its `tls`: `base` (name,
 * filter_chain_match, filters) as is when there is no TLS or it is DISABLED;
 * with the TLS socket for STRICT; for PERMISSIVE a TLS chain matched on
 * transport_protocol "tls" and the plaintext one beside it.
 */
export function tlsChains(base: { name: string; filter_chain_match?: Obj; filters: Obj[] }, tls: ListenerTls | undefined, protocol: Protocol): Obj[] {
  if (!tls || tls.mode === 'DISABLED') return [base];
  const secured = { ...base, transport_socket: downstreamTls(tls, protocol) };
  if (tls.mode === 'STRICT') return [secured];
  return [{ ...secured, name: `${base.name}_tls`, filter_chain_match: { ...base.filter_chain_match, transport_protocol: 'tls' } }, base];
}

/** Whether a listener needs the TLS inspector (a PERMISSIVE chain matches on transport_protocol). */
export function needsTlsInspector(modes: ReadonlyArray<ListenerTls | undefined>): boolean {
  return modes.some((t) => t?.mode === 'PERMISSIVE');
}
