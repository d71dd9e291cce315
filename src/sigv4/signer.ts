import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';

export interface SigningParams {
  /** SigV4 service name, e.g. "appmesh". */
  service: string;
  region: string;
  /** The management domain: signed as `host`, sent as `:authority`. */
  host: string;
}

/** Headers that belong to one HTTP/2 hop, or that the relay sets itself. */
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'host',
  'authorization',
]);

/**
 * The downstream request headers the relay forwards upstream: pseudo-headers,
 * hop-by-hop headers, `host`, `authorization` and any client-sent `x-amz-*`
 * (the signer's own) are dropped; repeated values are joined.
 */
export function forwardableHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || name.startsWith(':') || DROPPED.has(name) || name.startsWith('x-amz-')) continue;
    const v = Array.isArray(value) ? value.join(', ') : String(value);
    if (name === 'te' && v.toLowerCase() !== 'trailers') continue; // only "te: trailers" is legal in HTTP/2
    out[name] = v;
  }
  return out;
}

/**
 * Signs each upstream xDS stream with SigV4 (smithy), the way the reference
 * relay's aws_request_signing filter does: unsigned payload, `te` and every
 * incoming header starting with "x" left out of the signature.
 */
export class XdsRequestSigner {
  private readonly signer: SignatureV4;

  constructor(
    readonly params: SigningParams,
    credentials: AwsCredentialIdentityProvider,
  ) {
    this.signer = new SignatureV4({
      service: params.service,
      region: params.region,
      credentials,
      sha256: Hash.bind(null, 'sha256'),
      applyChecksum: false,
    });
  }

  /** Headers for the upstream request (no pseudo-headers: the caller adds them). */
  async sign(path: string, incoming: IncomingHttpHeaders, signingDate?: Date): Promise<OutgoingHttpHeaders> {
    const headers = forwardableHeaders(incoming);
    const unsignable = new Set<string>(['te']);
    for (const name of Object.keys(headers)) if (name.startsWith('x')) unsignable.add(name);
    headers['host'] = this.params.host;
    headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    const qIndex = path.indexOf('?');
    const request = new HttpRequest({
      method: 'POST',
      protocol: 'https:',
      hostname: this.params.host,
      path: qIndex < 0 ? path : path.slice(0, qIndex),
      query: qIndex < 0 ? {} : Object.fromEntries(new URLSearchParams(path.slice(qIndex + 1))),
      headers,
    });
    const signed = await this.signer.sign(request, { unsignableHeaders: unsignable, ...(signingDate ? { signingDate } : {}) });
    const out: OutgoingHttpHeaders = { ...signed.headers };
    delete out['host']; // HTTP/2 carries it as :authority
    // The signature string arrives built from many small pieces (a V8 rope); the
    // relay keeps it for the stream's life, so make it one flat string.
    out['authorization'] = flatten(String(out['authorization']));
    return out;
  }
}

/** A flat copy of a string (V8 otherwise may keep a concatenation as a tree of pieces). */
function flatten(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1');
}
