import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { describe, expect, it } from 'vitest';
import { XdsRequestSigner } from '../../src/sigv4/signer';
import { canonicalUri, credentialList, parseAuthorization, verifySigV4, type RawHeaders } from '../../src/sigv4/verify';

const HOST = 'ecs-sc.us-west-2.api.aws';
const PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const DATE = new Date('2026-11-21T08:14:44Z');
const NOW = () => DATE.getTime() + 30_000;
const AKID = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const TOKEN = 'TOKEN123/with+odd=chars';

/** What Envoy (or grpc-js) sends the relay over the UDS. */
const DOWNSTREAM: IncomingHttpHeaders = {
  ':method': 'POST',
  ':path': PATH,
  ':authority': 'localhost',
  ':scheme': 'http',
  'content-type': 'application/grpc',
  te: 'trailers',
  'user-agent': 'envoy/1.29',
  'grpc-accept-encoding': 'identity,deflate,gzip',
  'grpc-timeout': '30S',
  'x-envoy-internal': 'true',
  'x-request-id': 'abc',
};

async function signedRequest(opts: { sessionToken?: string; region?: string } = {}): Promise<Record<string, string | string[] | undefined>> {
  const creds = { accessKeyId: AKID, secretAccessKey: SECRET, ...(opts.sessionToken ? { sessionToken: opts.sessionToken } : {}) };
  const signer = new XdsRequestSigner({ service: 'appmesh', region: opts.region ?? 'us-west-2', host: HOST }, async () => creds);
  const out: OutgoingHttpHeaders = await signer.sign(PATH, DOWNSTREAM, DATE);
  const headers: Record<string, string | string[] | undefined> = { ':method': 'POST', ':path': PATH, ':authority': HOST, ':scheme': 'https' };
  for (const [k, v] of Object.entries(out)) headers[k] = Array.isArray(v) ? v.map(String) : v === undefined ? undefined : String(v);
  return headers;
}

function verify(headers: RawHeaders, extra: Partial<Parameters<typeof verifySigV4>[1]> = {}) {
  return verifySigV4(headers, {
    credentials: credentialList([
      { accessKeyId: AKID, secretAccessKey: SECRET },
      { accessKeyId: 'AKIDTOKEN', secretAccessKey: SECRET, sessionToken: TOKEN },
    ]),
    region: 'us-west-2',
    service: 'appmesh',
    now: NOW,
    ...extra,
  });
}

describe('verifySigV4 against XdsRequestSigner', () => {
  it('accepts a request signed without a session token', async () => {
    const h = await signedRequest();
    expect(h['host']).toBeUndefined(); // the host travels as :authority
    expect(verify(h)).toEqual({ ok: true, accessKeyId: AKID });
  });

  it('accepts a request signed with a session token, and requires that token', async () => {
    const creds = { accessKeyId: 'AKIDTOKEN', secretAccessKey: SECRET, sessionToken: TOKEN };
    const signer = new XdsRequestSigner({ service: 'appmesh', region: 'us-west-2', host: HOST }, async () => creds);
    const out = await signer.sign(PATH, DOWNSTREAM, DATE);
    const h: Record<string, string | undefined> = { ':method': 'POST', ':path': PATH, ':authority': HOST };
    for (const [k, v] of Object.entries(out)) h[k] = String(v);
    expect(String(h['authorization'])).toContain('x-amz-security-token');
    expect(verify(h)).toEqual({ ok: true, accessKeyId: 'AKIDTOKEN' });
    const wrongToken = verify({ ...h, 'x-amz-security-token': 'OTHER' });
    expect(wrongToken).toMatchObject({ ok: false, reason: 'x-amz-security-token does not match access key AKIDTOKEN' });
    const noToken = { ...h };
    delete noToken['x-amz-security-token'];
    expect(verify(noToken)).toMatchObject({ ok: false, reason: expect.stringContaining('missing x-amz-security-token') });
  });

  it('rejects a tampered :path', async () => {
    const h = await signedRequest();
    h[':path'] = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';
    expect(verify(h)).toEqual({ ok: false, failure: 'rejected', reason: 'signature does not match', accessKeyId: AKID });
  });

  it('rejects a tampered signed header, and a wrong :authority', async () => {
    const h = await signedRequest();
    expect(String(h['authorization'])).toContain('grpc-timeout');
    expect(verify({ ...h, 'grpc-timeout': '29S' })).toMatchObject({ ok: false, reason: 'signature does not match' });
    expect(verify({ ...h, ':authority': 'evil.example.com' })).toMatchObject({ ok: false, reason: 'signature does not match' });
  });

  it('still verifies when an unsigned x-envoy-* header changes or is added', async () => {
    const h = await signedRequest();
    expect(String(h['authorization'])).not.toContain('x-envoy-internal');
    expect(verify({ ...h, 'x-envoy-internal': 'false', 'x-envoy-foo': 'bar' })).toEqual({ ok: true, accessKeyId: AKID });
  });

  it('rejects a wrong secret', async () => {
    const h = await signedRequest();
    const result = verifySigV4(h, {
      credentials: credentialList([{ accessKeyId: AKID, secretAccessKey: 'not-the-secret' }]),
      region: 'us-west-2',
      service: 'appmesh',
      now: NOW,
    });
    expect(result).toMatchObject({ ok: false, reason: 'signature does not match' });
  });

  it('rejects a wrong region and a wrong service', async () => {
    const h = await signedRequest({ region: 'eu-west-1' });
    expect(verify(h)).toMatchObject({ ok: false, reason: expect.stringMatching(/region "eu-west-1" does not match the server region "us-west-2"/) });
    const h2 = await signedRequest();
    expect(verify(h2, { service: 'ecs' })).toMatchObject({ ok: false, reason: expect.stringMatching(/service "appmesh" does not match/) });
  });

  it('rejects a stale date and names the distance', async () => {
    const h = await signedRequest();
    const later = () => DATE.getTime() + 12 * 60_000;
    expect(verify(h, { now: later })).toMatchObject({ ok: false, reason: expect.stringMatching(/^request date is 12 minutes from server time/) });
    expect(verify(h, { now: later, maxSkewMs: 15 * 60_000 })).toMatchObject({ ok: true });
  });

  it('rejects a date that disagrees with the credential scope', async () => {
    const h = await signedRequest();
    expect(verify({ ...h, 'x-amz-date': '20261120T081444Z' }, { maxSkewMs: 2 * 86_400_000 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not match the credential scope date 20261121/),
    });
  });

  it('rejects missing or malformed Authorization, and unknown keys', async () => {
    const h = await signedRequest();
    const none = { ...h };
    delete none['authorization'];
    expect(verify(none)).toEqual({ ok: false, failure: 'missing', reason: 'missing Authorization header' });
    expect(verify({ ...h, authorization: 'Bearer xyz' })).toMatchObject({ ok: false, failure: 'malformed', reason: expect.stringMatching(/does not start with/) });
    expect(verify({ ...h, authorization: 'AWS4-HMAC-SHA256 Credential=A/B' })).toMatchObject({
      ok: false,
      failure: 'malformed',
      reason: expect.stringMatching(/missing SignedHeaders, Signature/),
    });
    const other = String(h['authorization']).replace(AKID, 'AKIDOTHER');
    expect(verify({ ...h, authorization: other })).toMatchObject({ ok: false, failure: 'unknown-key', reason: 'unknown access key AKIDOTHER' });
  });

  it('requires host to be signed', async () => {
    const h = await signedRequest();
    const auth = String(h['authorization']).replace('host;', '');
    expect(verify({ ...h, authorization: auth })).toMatchObject({ ok: false, reason: 'the "host" header is not signed' });
  });
});

describe('SigV4 canonical pieces', () => {
  it('encodes path segments the SigV4 way', () => {
    expect(canonicalUri('/a b/./c/../d*')).toBe('/a%20b/d%2A');
    expect(canonicalUri(PATH)).toBe(PATH);
  });

  it('parses an Authorization header', () => {
    const parsed = parseAuthorization(
      `AWS4-HMAC-SHA256 Credential=AK/20261121/us-west-2/appmesh/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`,
    );
    expect(parsed).toMatchObject({ accessKeyId: 'AK', date: '20261121', region: 'us-west-2', service: 'appmesh', signedHeaders: ['host', 'x-amz-date'] });
  });
});

describe('verifySigV4 with a signed body (the App Mesh API, as the AWS SDKs sign it)', () => {
  async function signedPut(body: string): Promise<Record<string, string>> {
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { Hash } = await import('@smithy/hash-node');
    const { HttpRequest } = await import('@smithy/protocol-http');
    const signer = new SignatureV4({ service: 'appmesh', region: 'us-west-2', credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
    const req = new HttpRequest({ method: 'PUT', protocol: 'http:', hostname: '127.0.0.1', port: 18001, path: '/v20190125/meshes', query: { meshOwner: '123456789012' }, headers: { host: '127.0.0.1:18001', 'content-type': 'application/json' }, body });
    const signed = await signer.sign(req, { signingDate: DATE });
    return { ...(signed.headers as Record<string, string>), ':method': 'PUT', ':path': '/v20190125/meshes?meshOwner=123456789012' };
  }

  it('hashes the body when no x-amz-content-sha256 is sent, and refuses a changed body', async () => {
    const body = '{"meshName":"apps"}';
    const h = await signedPut(body);
    expect(h['x-amz-content-sha256']).toBeUndefined();
    expect(verify(h, { payload: Buffer.from(body) })).toEqual({ ok: true, accessKeyId: AKID });
    expect(verify(h, { payload: Buffer.from('{"meshName":"other"}') })).toMatchObject({ ok: false, failure: 'rejected', reason: 'signature does not match' });
    expect(verify(h)).toMatchObject({ ok: false, reason: expect.stringMatching(/missing x-amz-content-sha256/) });
  });

  it('checks a sent x-amz-content-sha256 against the body', async () => {
    const body = '{"meshName":"apps"}';
    const h = await signedPut(body);
    expect(verify({ ...h, 'x-amz-content-sha256': '0'.repeat(64) }, { payload: Buffer.from(body) })).toMatchObject({ ok: false, reason: 'x-amz-content-sha256 does not match the request body' });
  });
});
