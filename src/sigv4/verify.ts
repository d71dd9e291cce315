import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * An independent AWS SigV4 verifier (node:crypto only, on purpose: it shares no
 * code with the @smithy signer, so a signer bug cannot hide behind a verifier
 * with the same bug). It rebuilds the canonical request from the raw HTTP/2
 * request headers, the way AWS does for header-signed requests.
 */

export type RawHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface VerifierCredential {
  secretAccessKey: string;
  sessionToken?: string;
}

export type CredentialLookup = (accessKeyId: string) => VerifierCredential | undefined;

export interface VerifyOptions {
  credentials: CredentialLookup;
  region: string;
  service: string;
  /** Server clock in ms since the epoch. */
  now?: () => number;
  /** Largest accepted distance between x-amz-date and the server clock (default 5 minutes). */
  maxSkewMs?: number;
  /**
   * The request body, for requests that sign it (HTTP APIs): without an
   * x-amz-content-sha256 header its SHA-256 is the payload hash (what the AWS
   * SDKs and CLI sign); with one, the header must match it (or be UNSIGNED-PAYLOAD).
   */
  payload?: Buffer | string;
}

/**
 * Why a request was refused, in the classes AWS answers differently: no
 * signature at all, an Authorization header that cannot be read, an access
 * key nobody issued, or a signature that does not hold.
 */
export type VerifyFailure = 'missing' | 'malformed' | 'unknown-key' | 'rejected';

export type VerifyResult = { ok: true; accessKeyId: string } | { ok: false; reason: string; failure: VerifyFailure; accessKeyId?: string };

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const DEFAULT_MAX_SKEW_MS = 5 * 60_000;

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** A lookup over a fixed list of credentials. */
export function credentialList(
  list: Readonly<Array<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>>,
): CredentialLookup {
  const byId = new Map(list.map((c) => [c.accessKeyId, { secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken }]));
  return (id) => byId.get(id);
}

/** Parse "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=a;b, Signature=hex". */
export function parseAuthorization(value: string): ParsedAuthorization | string {
  const trimmed = value.trim();
  if (!trimmed.startsWith(SIGV4_ALGORITHM + ' ')) {
    return `Authorization header does not start with "${SIGV4_ALGORITHM} "`;
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(SIGV4_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return `malformed Authorization header: "${part.trim().slice(0, 40)}" is not key=value`;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  const missing = [!credential && 'Credential', !signed && 'SignedHeaders', !signature && 'Signature'].filter(Boolean);
  if (missing.length > 0) return `malformed Authorization header: missing ${missing.join(', ')}`;
  const scope = credential!.split('/');
  if (scope.length !== 5 || scope.some((s) => s === '') || scope[4] !== 'aws4_request') {
    return 'malformed Authorization header: Credential must be AKID/yyyymmdd/region/service/aws4_request';
  }
  if (!/^\d{8}$/.test(scope[1]!)) return 'malformed Authorization header: the credential scope date is not yyyymmdd';
  if (!/^[0-9a-f]{64}$/.test(signature!)) return 'malformed Authorization header: Signature must be 64 lowercase hex digits';
  return {
    accessKeyId: scope[0]!,
    date: scope[1]!,
    region: scope[2]!,
    service: scope[3]!,
    signedHeaders: signed!.split(';'),
    signature: signature!,
  };
}

/** encodeURIComponent plus the RFC 3986 reserved characters it leaves alone. */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The canonical URI: dot segments removed, empty segments dropped, each segment URI-encoded. */
export function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const normalized = (path.startsWith('/') ? '/' : '') + segments.join('/') + (segments.length > 0 && path.endsWith('/') ? '/' : '');
  return escapeUri(normalized).replace(/%2F/g, '/');
}

/** The canonical query string: pairs decoded, re-encoded, sorted by key then value. */
export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of new URLSearchParams(query)) {
    if (k.toLowerCase() === 'x-amz-signature') continue;
    pairs.push([escapeUri(k), escapeUri(v)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function canonicalValue(value: string | string[]): string {
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => v.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '')).join(',');
}

function headerValue(headers: RawHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** "20261121T081444Z" -> ms since the epoch, or undefined. */
export function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isFinite(ms) ? ms : undefined;
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function fail(reason: string, accessKeyId?: string, failure: VerifyFailure = 'rejected'): VerifyResult {
  return accessKeyId === undefined ? { ok: false, reason, failure } : { ok: false, reason, failure, accessKeyId };
}

/** Verify the SigV4 signature of one request given its raw HTTP/2 headers. */
export function verifySigV4(headers: RawHeaders, opts: VerifyOptions): VerifyResult {
  const authorization = headerValue(headers, 'authorization');
  if (authorization === undefined || authorization.trim() === '') return fail('missing Authorization header', undefined, 'missing');
  const auth = parseAuthorization(authorization);
  if (typeof auth === 'string') return fail(auth, undefined, 'malformed');
  const akid = auth.accessKeyId;

  const cred = opts.credentials(akid);
  if (!cred) return fail(`unknown access key ${akid}`, akid, 'unknown-key');
  if (auth.region !== opts.region) {
    return fail(`credential scope region "${auth.region}" does not match the server region "${opts.region}"`, akid);
  }
  if (auth.service !== opts.service) {
    return fail(`credential scope service "${auth.service}" does not match the server service "${opts.service}"`, akid);
  }

  const amzDate = headerValue(headers, 'x-amz-date');
  if (amzDate === undefined) return fail('missing x-amz-date header', akid);
  const requestMs = parseAmzDate(amzDate);
  if (requestMs === undefined) return fail(`x-amz-date "${amzDate.slice(0, 32)}" is not yyyymmddThhmmssZ`, akid);
  if (amzDate.slice(0, 8) !== auth.date) {
    return fail(`x-amz-date ${amzDate} does not match the credential scope date ${auth.date}`, akid);
  }
  const now = (opts.now ?? Date.now)();
  const maxSkew = opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const skew = requestMs - now;
  if (Math.abs(skew) > maxSkew) {
    const minutes = Math.round(Math.abs(skew) / 60_000);
    return fail(
      `request date is ${minutes} minute${minutes === 1 ? '' : 's'} from server time ` +
        `(x-amz-date ${amzDate} is ${skew > 0 ? 'ahead' : 'behind'}; allowed skew ${maxSkew / 60_000} minutes)`,
      akid,
    );
  }

  const signed = auth.signedHeaders;
  const sorted = [...signed].sort();
  if (signed.some((h, i) => h !== h.toLowerCase() || h !== sorted[i] || h === '')) {
    return fail('SignedHeaders must be a sorted list of lowercase header names', akid);
  }
  if (new Set(signed).size !== signed.length) return fail('SignedHeaders lists a header twice', akid);
  for (const required of ['host', 'x-amz-date']) {
    if (!signed.includes(required)) return fail(`the "${required}" header is not signed`, akid);
  }

  const token = headerValue(headers, 'x-amz-security-token');
  if (cred.sessionToken !== undefined) {
    if (token === undefined) return fail(`missing x-amz-security-token header for access key ${akid}`, akid);
    if (!safeEqual(token, cred.sessionToken)) return fail(`x-amz-security-token does not match access key ${akid}`, akid);
  } else if (token !== undefined) {
    return fail(`access key ${akid} has no session token but the request carries x-amz-security-token`, akid);
  }
  if (token !== undefined && !signed.includes('x-amz-security-token')) {
    return fail('the "x-amz-security-token" header is not signed', akid);
  }

  let payloadHash = headerValue(headers, 'x-amz-content-sha256');
  if (opts.payload !== undefined) {
    const actual = sha256Hex(opts.payload);
    if (payloadHash === undefined) payloadHash = actual;
    else if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== actual) return fail('x-amz-content-sha256 does not match the request body', akid);
  }
  if (payloadHash === undefined) return fail('missing x-amz-content-sha256 header (expected UNSIGNED-PAYLOAD)', akid);

  const method = headerValue(headers, ':method') ?? '';
  const fullPath = headerValue(headers, ':path') ?? '';
  const q = fullPath.indexOf('?');
  const canonicalHeaderLines: string[] = [];
  for (const name of signed) {
    let value = headers[name];
    if (name === 'host' && value === undefined) value = headers[':authority'];
    if (value === undefined) return fail(`signed header "${name}" is missing from the request`, akid);
    canonicalHeaderLines.push(`${name}:${canonicalValue(value)}\n`);
  }
  const canonicalRequest = [
    method,
    canonicalUri(q < 0 ? fullPath : fullPath.slice(0, q)),
    canonicalQuery(q < 0 ? '' : fullPath.slice(q + 1)),
    canonicalHeaderLines.join(''),
    signed.join(';'),
    payloadHash,
  ].join('\n');

  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac('AWS4' + cred.secretAccessKey, auth.date);
  for (const part of [auth.region, auth.service, 'aws4_request']) key = hmac(key, part);
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail('signature does not match', akid);
  return { ok: true, accessKeyId: akid };
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
