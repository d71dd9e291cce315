import * as grpc from '@grpc/grpc-js';
import * as http2 from 'node:http2';
import type * as protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLocalCa, type LocalCa } from '../../src/common/local-ca';
import { ResourceCodec } from '../../src/mgmt/resource-codec';
import { VERDICT_HEADER } from '../../src/mgmt/sigv4-hook';
import { startManagementServer, type ManagementServer } from '../../src/mgmt/server';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { StaticResourceSource } from '../../src/mgmt/static-source';
import { XdsRequestSigner } from '../../src/sigv4/signer';
import { AdsTestClient } from '../fixtures/ads-client';
import { serviceChain } from '../fixtures/xds-resources';
import { MgmtAdminClient } from '../fixtures/mgmt-admin';
import { AdsPath } from '../../src/common/xds/vocabulary';

const DOMAIN = 'ecs-sc.us-west-2.api.aws';
const SOTW_PATH = AdsPath.sotw;
const CREDS = [
  { accessKeyId: 'AKIDPLAIN', secretAccessKey: 'plain-secret-key' },
  { accessKeyId: 'AKIDTOKEN', secretAccessKey: 'token-secret-key', sessionToken: 'session/token+1=' },
];

let ca: LocalCa;
let codec: ResourceCodec;
let server: ManagementServer;
let reqType: protobuf.Type;
let resType: protobuf.Type;

beforeAll(async () => {
  ca = await makeLocalCa([DOMAIN, '127.0.0.1']);
  codec = new ResourceCodec();
  reqType = codec.root.lookupType('envoy.service.discovery.v3.DiscoveryRequest');
  resType = codec.root.lookupType('envoy.service.discovery.v3.DiscoveryResponse');
  server = await startManagementServer({
    source: new StaticResourceSource(codec.encodeAll(serviceChain('svc', 9000))),
    tls: { certPem: ca.certPem, keyPem: ca.keyPem },
    sigv4: { region: 'us-west-2', credentials: CREDS },
    adminPort: 0,
  });
});
afterAll(() => server.forceClose());

interface RawResult {
  status: string | undefined;
  message: string | undefined;
  response: Record<string, unknown> | undefined;
}

/** One ADS request the way the relay sends it: raw HTTP/2, signed by XdsRequestSigner, gRPC-framed protobuf. */
async function rawAds(cred: (typeof CREDS)[number], tamper?: (h: http2.OutgoingHttpHeaders) => void, rawBody?: Buffer): Promise<RawResult> {
  const signer = new XdsRequestSigner({ service: 'appmesh', region: 'us-west-2', host: DOMAIN }, async () => cred);
  const downstream = { 'content-type': 'application/grpc', te: 'trailers', 'user-agent': 'envoy/1.29', 'x-envoy-internal': 'true' };
  const signed = await signer.sign(SOTW_PATH, downstream);
  const headers: http2.OutgoingHttpHeaders = { ':method': 'POST', ':path': SOTW_PATH, ':authority': DOMAIN, ':scheme': 'https', ...signed };
  tamper?.(headers);
  const session = http2.connect(`https://127.0.0.1:${server.port}`, { ca: ca.caPem, servername: DOMAIN });
  session.on('error', () => undefined);
  try {
    return await new Promise<RawResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('raw ADS request timed out')), 5000);
      const stream = session.request(headers, { endStream: false });
      const result: RawResult = { status: undefined, message: undefined, response: undefined };
      let buf = Buffer.alloc(0);
      const done = () => {
        clearTimeout(timer);
        stream.close();
        resolve(result);
      };
      const onStatus = (h: http2.IncomingHttpHeaders) => {
        if (h['grpc-status'] === undefined) return;
        result.status = String(h['grpc-status']);
        result.message = h['grpc-message'] === undefined ? undefined : decodeURIComponent(String(h['grpc-message']));
        done();
      };
      stream.on('response', onStatus);
      stream.on('trailers', onStatus);
      stream.on('error', (e) => reject(e));
      stream.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length < 5) return;
        const len = buf.readUInt32BE(1);
        if (buf.length < 5 + len) return;
        result.response = resType.toObject(resType.decode(buf.subarray(5, 5 + len)), { defaults: true, arrays: true });
        done();
      });
      const body = rawBody ?? Buffer.from(reqType.encode(reqType.fromObject({ node: { id: 'raw-node' }, type_url: TypeUrl.Listener })).finish());
      const frame = Buffer.alloc(5 + body.length);
      frame.writeUInt32BE(body.length, 1);
      body.copy(frame, 5);
      stream.write(frame);
    });
  } finally {
    session.destroy();
  }
}

function grpcClient(): AdsTestClient {
  return new AdsTestClient({
    target: `127.0.0.1:${server.port}`,
    credentials: grpc.credentials.createSsl(Buffer.from(ca.caPem)),
    channelOptions: { 'grpc.ssl_target_name_override': DOMAIN, 'grpc.default_authority': DOMAIN },
  });
}

describe('SigV4 on every stream', () => {
  it('serves a stream signed by XdsRequestSigner (raw HTTP/2, no session token)', async () => {
    const r = await rawAds(CREDS[0]!);
    expect(r.status).toBeUndefined();
    expect((r.response!['resources'] as unknown[]).length).toBe(1);
    const rec = server.streams().find((s) => s.sigv4?.accessKeyId === 'AKIDPLAIN');
    expect(rec).toMatchObject({ sigv4: { ok: true, reason: null }, authority: DOMAIN, userAgent: 'envoy/1.29', nodeId: 'raw-node' });
  });

  it('serves a stream signed with a session token', async () => {
    const r = await rawAds(CREDS[1]!);
    expect(r.response?.['type_url']).toBe(TypeUrl.Listener);
  });

  it('ends a tampered signature with grpc-status 16 and the reason', async () => {
    const r = await rawAds(CREDS[0]!, (h) => {
      h['authorization'] = String(h['authorization']).replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    });
    expect(r).toMatchObject({ status: '16', message: 'signature does not match', response: undefined });
  });

  it('ends a signed stream whose signed header changed on the way', async () => {
    const r = await rawAds(CREDS[0]!, (h) => {
      h['user-agent'] = 'other'; // not signed: still fine
      h['content-type'] = 'application/grpc+proto'; // signed
    });
    expect(r).toMatchObject({ status: '16', message: 'signature does not match' });
  });

  it('rejects a grpc-js client without a signature with UNAUTHENTICATED and logs the rejection', async () => {
    const client = grpcClient();
    try {
      const s = client.openSotw({ id: 'unsigned' });
      s.send({ typeUrl: TypeUrl.Listener });
      const status = await s.status;
      expect(status).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: 'missing Authorization header' });
      await expect(s.next(100)).rejects.toThrow(/stream ended: UNAUTHENTICATED/);
    } finally {
      client.close();
    }
    const rej = server.rejections().at(-1);
    expect(rej).toMatchObject({ reason: 'missing Authorization header', authority: DOMAIN, path: SOTW_PATH });
    const page = await new MgmtAdminClient(`http://127.0.0.1:${server.adminPort}`).rejections();
    expect(page).toContainEqual(expect.objectContaining({ reason: 'missing Authorization header' }));
  });

  it('does not trust a client-sent verdict header', async () => {
    const forged = Buffer.from(JSON.stringify({ token: 'guess', verdict: { ok: true, accessKeyId: 'AKIDPLAIN' } })).toString('base64');
    const md = new grpc.Metadata();
    md.set(VERDICT_HEADER, forged);
    const client = grpcClient();
    try {
      const s = client.openSotw({ id: 'forger' }, md);
      s.send({ typeUrl: TypeUrl.Listener });
      expect(await s.status).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: 'missing Authorization header' });
    } finally {
      client.close();
    }
    const raw = await rawAds(CREDS[0]!, (h) => {
      delete h['authorization'];
      h[VERDICT_HEADER] = forged;
    });
    expect(raw).toMatchObject({ status: '16', message: 'missing Authorization header' });
  });

  it('survives a signed stream carrying bytes that are not a DiscoveryRequest', async () => {
    const r = await rawAds(CREDS[0]!, undefined, Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x08]));
    expect(r.status).toBe(String(grpc.status.INTERNAL));
    expect((await rawAds(CREDS[0]!)).response?.['type_url']).toBe(TypeUrl.Listener);
  });

  it('shows streams on the admin pages without secrets', async () => {
    const streams = await (await fetch(`http://127.0.0.1:${server.adminPort}/streams`)).text();
    expect(streams).toContain('AKIDPLAIN');
    for (const c of CREDS) expect(streams).not.toContain(c.secretAccessKey);
    expect(streams).not.toContain('session/token');
    const admin = new MgmtAdminClient(`http://127.0.0.1:${server.adminPort}`);
    expect(await admin.health()).toMatchObject({ status: 'ok', port: server.port });
    const resources = await admin.resources();
    expect(Object.keys(resources.types[TypeUrl.Cluster]!.resources)).toEqual(['svc-cluster']);
    expect((await fetch(`http://127.0.0.1:${server.adminPort}/nope`)).status).toBe(404);
  });
});
