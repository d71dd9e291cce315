import { describe, expect, it } from 'vitest';
import type { StreamRecord } from '../../src/common/contracts/mgmt-admin';
import { ConsoleClientsSchema, ReplicaNoteSchema } from '../../src/common/contracts/mgmt-console';
import { TypeUrl } from '../../src/common/xds/vocabulary';
import { clientViews } from '../../src/mgmt/console/client-view';

/** The console's clients document and the replica notes (src/common/contracts/mgmt-console.ts). */
describe('the console documents contract', () => {
  const stats = { subscribed: ['*'], lastVersion: 'v2', lastNonce: 'n2', responses: 2, acks: 1, nacks: 1, stale: 0, lastAckedVersion: 'v1', pending: false };
  const record: StreamRecord = {
    id: 7, kind: 'sotw', path: '/p', authority: 'a', peer: 'p', userAgent: 'grpc-node', nodeId: 'node-1', nodeCluster: 'c', nodeUserAgent: 'envoy 1.29',
    sigv4: null, startedAt: '2026-01-01T00:00:00.000Z', open: true, endedAt: null, endStatus: null, requests: 3,
    types: { [TypeUrl.Cluster]: { ...stats, lastNack: { nonce: 'n2', keptVersion: 'v1', rejectedVersion: 'v2', code: 3, message: 'bad', at: '2026-01-01T00:00:01.000Z' } } },
  };

  it('parses what the console builds from the stream records', () => {
    const clients = clientViews([record], 'host:18000');
    const doc = ConsoleClientsSchema.parse(JSON.parse(JSON.stringify({ replica: 'host:18000', clients })));
    expect(doc.clients[0]).toMatchObject({ nodeId: 'node-1', types: [{ type: 'CDS', state: 'NACKED', lastNack: { message: 'bad', keptVersion: 'v1' } }] });
    expect(ReplicaNoteSchema.parse({ at: 'now', clients })).toEqual({ at: 'now', clients });
  });

  it('refuses a replica note that is not one, naming the field', () => {
    const clients = clientViews([record], 'host:18000');
    const broken = ReplicaNoteSchema.safeParse({ at: 'now', clients: [{ ...clients[0], types: [{ ...clients[0]!.types[0], state: 'WEIRD' }] }] });
    expect(broken.success).toBe(false);
    expect(broken.error!.issues[0]!.path).toEqual(['clients', 0, 'types', 0, 'state']);
    expect(ReplicaNoteSchema.safeParse({ at: 'now' }).error!.issues[0]!.path).toEqual(['clients']);
  });
});
