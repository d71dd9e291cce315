import { describe, expect, it } from 'vitest';
import { XdsRequestSigner, forwardableHeaders } from './signer';

const creds = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'TOKEN123' });
const signer = new XdsRequestSigner({ service: 'appmesh', region: 'us-west-2', host: 'ecs-sc.us-west-2.api.aws' }, creds);
const PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const envoyHeaders = {
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
  'x-amz-security-token': 'forged',
  authorization: 'forged',
  host: 'forged',
  connection: 'keep-alive',
};

describe('XdsRequestSigner', () => {
  it('drops pseudo, hop-by-hop, host, authorization and client x-amz-* headers', () => {
    expect(forwardableHeaders(envoyHeaders)).toEqual({
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': 'envoy/1.29',
      'grpc-accept-encoding': 'identity,deflate,gzip',
      'grpc-timeout': '30S',
      'x-envoy-internal': 'true',
      'x-request-id': 'abc',
    });
    expect(forwardableHeaders({ te: 'gzip', a: ['1', '2'] })).toEqual({ a: '1, 2' });
  });

  it('signs like the reference filter: unsigned payload, te and x* excluded, its own x-amz-* signed', async () => {
    const h = await signer.sign(PATH, envoyHeaders, new Date('2026-11-21T08:14:44Z'));
    expect(h['host']).toBeUndefined();
    expect(h['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(h['x-amz-date']).toBe('20261121T081444Z');
    expect(h['x-amz-security-token']).toBe('TOKEN123');
    expect(h['x-envoy-internal']).toBe('true');
    const auth = String(h['authorization']);
    expect(auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261121\/us-west-2\/appmesh\/aws4_request, SignedHeaders=/);
    expect(/SignedHeaders=([^,]+)/.exec(auth)![1]).toBe(
      'content-type;grpc-accept-encoding;grpc-timeout;host;x-amz-content-sha256;x-amz-date;x-amz-security-token',
    );
    // deterministic for a fixed date and input
    const again = await signer.sign(PATH, envoyHeaders, new Date('2026-11-21T08:14:44Z'));
    expect(again['authorization']).toBe(auth);
    const other = await signer.sign(PATH.replace('Stream', 'Delta'), envoyHeaders, new Date('2026-11-21T08:14:44Z'));
    expect(other['authorization']).not.toBe(auth);
  });

  it('fails with the credential error when credentials cannot be had', async () => {
    const broken = new XdsRequestSigner({ service: 'appmesh', region: 'us-west-2', host: 'h' }, async () => {
      throw new Error('could not load AWS credentials for SigV4 signing: boom');
    });
    await expect(broken.sign(PATH, envoyHeaders)).rejects.toThrow(/could not load AWS credentials/);
  });
});
