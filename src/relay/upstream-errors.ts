import { errorMessage } from '../common/problem';
/** The upstream cannot take a stream now; the message says why, for the client and the operator. */
export class UpstreamUnavailableError extends Error {
  override name = 'UpstreamUnavailableError';
}

const TLS_HINTS: Record<string, string> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate is not valid for the management domain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is not signed by a trusted CA (see RELAY_TRUSTED_CA_FILE)',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate chains to an untrusted CA (see RELAY_TRUSTED_CA_FILE)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed and not trusted (see RELAY_TRUSTED_CA_FILE)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the server certificate issuer is not trusted (see RELAY_TRUSTED_CA_FILE)',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
};

/** One line an operator can act on, from a socket/TLS/HTTP2 error. */
export function describeConnectError(err: unknown, target: string): string {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  if (code in TLS_HINTS) return `TLS handshake with ${target} failed: ${TLS_HINTS[code]} (${code})`;
  switch (code) {
    case 'ECONNREFUSED':
      return `connection to ${target} refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${target.replace(/:\d+$/, '')} (${code})`;
    case 'ETIMEDOUT':
      return `connection to ${target} timed out`;
    case 'ECONNRESET':
      return `connection to ${target} reset by peer`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${target} unreachable (${code})`;
  }
  const msg = errorMessage(err);
  return code && !msg.includes(code) ? `${msg} (${code})` : msg;
}
