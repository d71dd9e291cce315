import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MgmtHealthSchema, StreamRecordSchema, type StreamRecord } from '../../src/common/contracts/mgmt-admin';
import { NackInfoSchema } from '../../src/common/contracts/xds-nack';
import { TypeUrl } from '../../src/common/xds/vocabulary';
import { ResourceCodec } from '../../src/mgmt/resource-codec';
import { startManagementServer, type ManagementServer } from '../../src/mgmt/server';
import { StaticResourceSource } from '../../src/mgmt/static-source';
import { AdsTestClient } from '../fixtures/ads-client';
import { MgmtAdminClient } from '../fixtures/mgmt-admin';
import { serviceChain } from '../fixtures/xds-resources';

/** appnet-mgmt's admin documents (src/common/contracts/mgmt-admin.ts): what the server serves parses; what does not fit is refused by name. */
describe('the admin documents contract', () => {
  let server: ManagementServer;
  let client: AdsTestClient;
  let admin: MgmtAdminClient;

  beforeAll(async () => {
    const source = new StaticResourceSource(new ResourceCodec().encodeAll(serviceChain('svc', 9000)));
    server = await startManagementServer({ source, adminPort: 0, health: () => ({ store: { kind: 'memory', reachable: true, revision: 3, description: 'memory' } }) });
    client = new AdsTestClient({ target: `127.0.0.1:${server.port}`, credentials: grpc.credentials.createInsecure() });
    admin = new MgmtAdminClient(`http://127.0.0.1:${server.adminPort}`);
  });
  afterAll(() => {
    client.close();
    server.forceClose();
  });

  it('parses every page the server serves, a NACK included', async () => {
    const s = client.openSotw({ id: 'contract-node', cluster: 'c' });
    s.send({ typeUrl: TypeUrl.Cluster });
    const first = await s.next();
    const nacked = new Promise((resolve) => server.once('nack', resolve));
    s.nack(first, 'cluster svc-cluster: no');
    await nacked;

    const streams = await admin.streams({ open: true });
    const cds = streams.find((x) => x.nodeId === 'contract-node')!.types[TypeUrl.Cluster]!;
    expect(cds.lastNack).toEqual({ nonce: first.nonce, keptVersion: '', rejectedVersion: first.versionInfo, code: 3, message: 'cluster svc-cluster: no', at: expect.any(String) });
    expect(NackInfoSchema.parse(cds.lastNack)).toEqual(cds.lastNack);
    expect(await admin.nacks()).toEqual([expect.objectContaining({ nodeId: 'contract-node', typeUrl: TypeUrl.Cluster, count: 1 })]);
    expect(await admin.health()).toMatchObject({ status: 'ok', openStreams: 1, store: { kind: 'memory', revision: 3 } });
    expect(Object.keys((await admin.resources('contract-node')).types)).toContain(TypeUrl.Cluster);
    expect(await admin.rejections()).toEqual([]);
    s.cancel();
  });

  it('refuses a document that does not fit, naming the field', () => {
    const record: StreamRecord = {
      id: 1, kind: 'sotw', path: '/x', authority: 'a', peer: 'p', userAgent: null, nodeId: 'n', nodeCluster: null, nodeUserAgent: null,
      sigv4: null, startedAt: 't', open: true, endedAt: null, endStatus: null, requests: 1, types: {},
    };
    expect(StreamRecordSchema.parse(record)).toEqual(record);
    // The old lastNack shape ({ message, code, version, at }) is not the shared one.
    const stats = { subscribed: [], lastVersion: '1', lastNonce: 'n1', responses: 1, acks: 0, nacks: 1, stale: 0, lastAckedVersion: null, pending: false };
    const bad = StreamRecordSchema.safeParse({ ...record, types: { [TypeUrl.Cluster]: { ...stats, lastNack: { message: 'm', code: 3, version: '', at: 't' } } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toContain(`types.${TypeUrl.Cluster}.lastNack.nonce`);
    const health = MgmtHealthSchema.safeParse({ status: 'fine', port: 1, openStreams: 0, uptimeS: 0 });
    expect(health.success).toBe(false);
    expect(health.error!.issues[0]!.path).toEqual(['status']);
  });
});
