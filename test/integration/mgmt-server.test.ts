import * as grpc from '@grpc/grpc-js';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeLocalCa, type LocalCa } from '../../src/common/local-ca';
import { FileResourceSource } from '../../src/mgmt/file-source';
import { ResourceCodec } from '../../src/mgmt/resource-codec';
import { startManagementServer, type ManagementServer, type ManagementServerOptions } from '../../src/mgmt/server';
import type { RequestEvent } from '../../src/mgmt/stream-session';
import { TypeUrl, type ResourceSource } from '../../src/mgmt/snapshot';
import { StaticResourceSource } from '../../src/mgmt/static-source';
import { AdsTestClient } from '../fixtures/ads-client';
import { cluster, endpoints, listener, serviceChain } from '../fixtures/xds-resources';

const DOMAIN = 'ecs-sc.us-west-2.api.aws';
const { Listener: LDS, RouteConfiguration: RDS, Cluster: CDS, ClusterLoadAssignment: EDS } = TypeUrl;
const QUIET_MS = 300;

let ca: LocalCa;
let codec: ResourceCodec;
let tmp: string;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  ca = await makeLocalCa([DOMAIN, '127.0.0.1']);
  codec = new ResourceCodec();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mgmt-it-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function start(source: ResourceSource, extra: Partial<ManagementServerOptions> = {}): Promise<{ server: ManagementServer; client: AdsTestClient }> {
  const server = await startManagementServer({ source, tls: { certPem: ca.certPem, keyPem: ca.keyPem }, ...extra });
  const client = new AdsTestClient({
    target: `127.0.0.1:${server.port}`,
    credentials: grpc.credentials.createSsl(Buffer.from(ca.caPem)),
    channelOptions: { 'grpc.ssl_target_name_override': DOMAIN, 'grpc.default_authority': DOMAIN },
  });
  cleanups.push(() => server.forceClose(), () => client.close());
  return { server, client };
}

/** Resolves when the server has handled a request matching `pred` (2 s at most). */
function requestSeen(server: ManagementServer, pred: (e: RequestEvent) => boolean): Promise<RequestEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      server.off('request', listener);
      reject(new Error('the server did not see the request'));
    }, 2000);
    const listener = (e: RequestEvent) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      server.off('request', listener);
      resolve(e);
    };
    server.on('request', listener);
  });
}

function staticSource(): StaticResourceSource {
  return new StaticResourceSource(codec.encodeAll(serviceChain('svc', 9000)));
}

describe('management server over TLS (SotW)', () => {
  it('serves LDS, RDS, CDS and EDS with ACKs, and never answers an ACK', async () => {
    const { server, client } = await start(staticSource());
    const s = client.openSotw({ id: 'node-1', cluster: 'mesh/svc' });
    s.send({ typeUrl: LDS });
    const lds = await s.next();
    expect(lds.resources.map((r) => r.name)).toEqual(['svc']);
    expect(JSON.stringify(lds.resources[0]!.decoded)).toContain('"route_config_name":"svc-route"');
    s.ack(lds);
    s.send({ typeUrl: RDS, resourceNames: ['svc-route'] });
    const rds = await s.next();
    expect(rds.resources.map((r) => r.name)).toEqual(['svc-route']);
    s.ack(rds);
    s.send({ typeUrl: CDS });
    const cds = await s.next();
    expect(cds.resources[0]!.decoded).toMatchObject({ name: 'svc-cluster', type: 'EDS' });
    s.ack(cds);
    s.send({ typeUrl: EDS, resourceNames: ['svc-eds'] });
    const eds = await s.next();
    expect(eds.resources.map((r) => r.name)).toEqual(['svc-eds']);
    s.ack(eds);
    await expect(s.next(QUIET_MS)).rejects.toThrow(/no response within/);

    const [rec] = server.streams(true);
    expect(rec).toMatchObject({ kind: 'sotw', nodeId: 'node-1', nodeCluster: 'mesh/svc', authority: DOMAIN, sigv4: null, open: true, requests: 8 });
    for (const t of [LDS, RDS, CDS, EDS]) expect(rec!.types[t]).toMatchObject({ responses: 1, acks: 1, nacks: 0 });
    expect(rec!.types[LDS]!.lastNonce).toBe(lds.nonce);
    expect(new Set([lds.nonce, rds.nonce, cds.nonce, eds.nonce]).size).toBe(4);
  });

  it('records a NACK with its message and does not answer it until the resources change', async () => {
    const source = staticSource();
    const { server, client } = await start(source);
    const s = client.openSotw({ id: 'node-nack' });
    s.send({ typeUrl: CDS });
    const first = await s.next();
    const nacked = once(server, 'nack', { signal: AbortSignal.timeout(2000) });
    s.nack(first, 'cluster svc-cluster: bad connect_timeout');
    const [ev] = await nacked;
    expect(ev).toMatchObject({ nodeId: 'node-nack', typeUrl: CDS, message: 'cluster svc-cluster: bad connect_timeout' });
    await expect(s.next(QUIET_MS)).rejects.toThrow(/no response within/);
    expect(server.nacks()).toEqual([expect.objectContaining({ nodeId: 'node-nack', typeUrl: CDS, count: 1, lastMessage: 'cluster svc-cluster: bad connect_timeout' })]);
    expect(server.streams(true)[0]!.types[CDS]!.lastNack).toMatchObject({ message: 'cluster svc-cluster: bad connect_timeout', keptVersion: '', nonce: first.nonce, rejectedVersion: first.versionInfo });

    source.upsert(codec.encode(cluster('svc-cluster', 'svc-eds', '7s')));
    const fixed = await s.next(1000);
    expect(fixed.versionInfo).not.toBe(first.versionInfo);
    expect(fixed.resources[0]!.decoded).toMatchObject({ connect_timeout: { seconds: '7' } });
  });

  it('ignores a request with a stale nonce', async () => {
    const source = staticSource();
    const { server, client } = await start(source);
    const s = client.openSotw({ id: 'node-stale' });
    s.send({ typeUrl: LDS });
    const r1 = await s.next();
    s.ack(r1);
    source.upsert(codec.encode(listener('svc', 'other-route')));
    const r2 = await s.next(1000);
    const requests: string[] = [];
    server.on('request', (e) => requests.push(e.kind));
    s.send({ typeUrl: LDS, versionInfo: '', responseNonce: r1.nonce }); // would be answered if it counted
    await expect(s.next(QUIET_MS)).rejects.toThrow(/no response within/);
    s.ack(r2);
    await expect(s.next(QUIET_MS)).rejects.toThrow(/no response within/);
    expect(requests).toEqual(['stale', 'ack']);
    expect(server.streams(true)[0]!.types[LDS]).toMatchObject({ stale: 1, acks: 2, responses: 2 });
  });

  it('carries a 20 MiB resource', async () => {
    const big = codec.encode({ '@type': LDS, name: 'big', stat_prefix: 'x'.repeat(20 * 1024 * 1024) });
    const { client } = await start(new StaticResourceSource([big]));
    const s = client.openSotw({ id: 'node-big' });
    s.send({ typeUrl: LDS });
    const r = await s.next(10_000);
    expect(r.resources[0]!.value.length).toBeGreaterThan(20 * 1024 * 1024);
  });

  it('pushes a change of the resource file within 1 s, and survives a bad edit', async () => {
    const file = path.join(tmp, 'resources.yaml');
    const yaml = (port: number) =>
      `resources:\n  - "@type": ${EDS}\n    cluster_name: svc-eds\n    endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${port} } } } }] }]\n`;
    fs.writeFileSync(file, yaml(9001));
    const source = new FileResourceSource(file, { codec, debounceMs: 50 });
    cleanups.push(() => source.close());
    const { client } = await start(source);
    const s = client.openSotw({ id: 'node-file' });
    s.send({ typeUrl: EDS, resourceNames: ['svc-eds'] });
    const r1 = await s.next();
    s.ack(r1);
    fs.writeFileSync(file, 'resources: [ { "@type": nope } ]\n');
    await expect(s.next(QUIET_MS)).rejects.toThrow(/no response within/);
    expect(source.lastError).toMatch(/"@type" must be/);
    const t0 = Date.now();
    fs.writeFileSync(file, yaml(9002));
    const r2 = await s.next(1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r2.versionInfo).not.toBe(r1.versionInfo);
    expect(JSON.stringify(r2.resources[0]!.decoded)).toContain('"port_value":9002');
  });

  it('ends streams at the maximum stream age with UNAVAILABLE', async () => {
    const { client } = await start(staticSource(), { maxStreamAgeMs: 200 });
    const s = client.openSotw({ id: 'node-age' });
    s.send({ typeUrl: LDS });
    await s.next();
    const status = await s.status;
    expect(status.code).toBe(grpc.status.UNAVAILABLE);
    expect(status.details).toMatch(/maximum age of 200 ms/);
  });

  it('closes gracefully with UNAVAILABLE, and ends bad requests with INVALID_ARGUMENT', async () => {
    const { server, client } = await start(staticSource());
    const bad = client.openSotw({ id: 'node-bad' });
    bad.send({ typeUrl: '' });
    expect(await bad.status).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/type_url is required/) });
    const s = client.openSotw({ id: 'node-close' });
    s.send({ typeUrl: LDS });
    await s.next();
    await server.close();
    expect(await s.status).toMatchObject({ code: grpc.status.UNAVAILABLE, details: 'management server shutting down' });
  });
});

describe('management server over TLS (Delta)', () => {
  it('subscribes, updates, removes and unsubscribes', async () => {
    const source = staticSource();
    const { server, client } = await start(source);
    const d = client.openDelta({ id: 'node-delta' });
    d.subscribe(CDS);
    const c1 = await d.next();
    expect(c1.resources.map((r) => [r.name, r.decoded['type']])).toEqual([['svc-cluster', 'EDS']]);
    d.ack(c1);
    d.subscribe(EDS, ['svc-eds']);
    const e1 = await d.next();
    expect(e1.resources.map((r) => r.name)).toEqual(['svc-eds']);
    d.ack(e1);
    await expect(d.next(QUIET_MS)).rejects.toThrow(/no response within/);

    source.upsert(codec.encode(cluster('svc-cluster', 'svc-eds', '9s')), codec.encode(cluster('second', 'second-eds')));
    const c2 = await d.next(1000);
    expect(c2.resources.map((r) => r.name).sort()).toEqual(['second', 'svc-cluster']);
    expect(c2.resources[0]!.version).not.toBe(c1.resources[0]!.version);
    d.ack(c2);

    source.remove(CDS, 'second');
    const c3 = await d.next(1000);
    expect(c3).toMatchObject({ resources: [], removedResources: ['second'] });
    d.ack(c3);

    const seen = requestSeen(server, (e) => e.typeUrl === EDS && e.unsubscribe.includes('svc-eds'));
    d.unsubscribe(EDS, ['svc-eds']);
    await seen;
    source.upsert(codec.encode(endpoints('svc-eds', 9999)));
    await expect(d.next(QUIET_MS)).rejects.toThrow(/no response within/);
    const rec = server.streams(true)[0]!;
    expect(rec).toMatchObject({ kind: 'delta', nodeId: 'node-delta' });
    expect(rec.types[CDS]).toMatchObject({ responses: 3, acks: 3, subscribed: ['*'] });
    expect(rec.types[EDS]).toMatchObject({ subscribed: [] });
  });

  it('sends nothing the client already has (initial_resource_versions)', async () => {
    const { client } = await start(staticSource());
    const first = client.openDelta({ id: 'node-d1' });
    first.subscribe(CDS);
    const r = await first.next();
    first.cancel();
    const again = client.openDelta({ id: 'node-d1' });
    again.subscribe(CDS, [], { 'svc-cluster': r.resources[0]!.version, gone: 'v0' });
    const r2 = await again.next();
    expect(r2).toMatchObject({ resources: [], removedResources: ['gone'] });
  });
});
