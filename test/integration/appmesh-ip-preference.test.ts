import { UpdateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import type * as grpc from '@grpc/grpc-js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDocument } from '../fixtures/appmesh-seed';
import { CountClient, writeClientBootstrap, type Batch, type ClientKind } from '../fixtures/count-client';
import { echoServer } from '../fixtures/echo-server';
import { tmpDir, waitFor } from '../fixtures/tmp';
import { XdsRig } from '../fixtures/xds-rig';

/**
 * A virtual node discovered through Cloud Map whose instances are one IPv4 and
 * one IPv6 server (listed with the local endpoints extension), called by two
 * independent proxyless xDS clients (grpc-js-xds and gRPC C-core) through the
 * relay. Its `ipPreference`, changed through the App Mesh API while both call,
 * decides which instances they reach: IPv6_ONLY only the ::1 one, IPv4_ONLY
 * only the 127.0.0.1 one, no preference both — and no call fails on the way.
 */

const TARGET = 'xds:///serviceb.apps.local:80';
const NODES: Record<ClientKind, string> = { 'grpc-js': 'mesh/apps/grpc-js-client', 'c-core': 'mesh/apps/c-core-client' };
const KINDS: ClientKind[] = ['grpc-js', 'c-core'];

function cloudMapSpec(ipPreference?: 'IPv4_ONLY' | 'IPv6_ONLY') {
  return {
    listeners: [{ portMapping: { port: 80, protocol: 'http2' as const } }],
    serviceDiscovery: { awsCloudMap: { namespaceName: 'apps.local', serviceName: 'serviceb', ...(ipPreference ? { ipPreference } : {}) } },
  };
}

describe('ipPreference seen by grpc-js-xds and gRPC C-core (real processes, IPv4 and IPv6 loopback)', () => {
  const modelDir = tmpDir('appmesh-ip-');
  let rig: XdsRig;
  const servers: grpc.Server[] = [];
  const clients = new Map<ClientKind, CountClient>();

  async function change(ipPreference?: 'IPv4_ONLY' | 'IPv6_ONLY'): Promise<Batch[]> {
    for (const c of clients.values()) c.startRun();
    try {
      await rig.appMesh().send(new UpdateVirtualNodeCommand({ meshName: 'apps', virtualNodeName: 'serviceB', spec: cloudMapSpec(ipPreference) }));
      await waitFor(() => rig.nodesInSync(Object.values(NODES)), 10_000, `both clients in sync after ipPreference ${ipPreference ?? 'none'}`, 20);
    } finally {
      // Calls ran across the change: none may have failed.
      const during = await Promise.all(KINDS.map((k) => clients.get(k)!.stopRun(30_000)));
      expect(KINDS.map((kind, i) => ({ kind, failed: during[i]!.failed, errors: during[i]!.errors.slice(0, 3) }))).toEqual(KINDS.map((kind) => ({ kind, failed: 0, errors: [] })));
    }
    return Promise.all(KINDS.map((k) => clients.get(k)!.run(300, 30_000)));
  }

  beforeAll(async () => {
    const [v4, v6] = await Promise.all([echoServer('v4', '127.0.0.1'), echoServer('v6', '::1')]);
    servers.push(v4.server, v6.server);
    const doc = seedDocument();
    // serviceB takes every call; its instances are the two servers.
    doc.virtualNodes[1]!['spec'] = cloudMapSpec();
    doc.routes[0]!['spec'] = { http2Route: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] } } };
    doc.endpoints!['apps/serviceB'] = [`127.0.0.1:${v4.port}`, `[::1]:${v6.port}`];
    const file = path.join(modelDir, 'apps.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    rig = await XdsRig.start({ appmesh: { file } });
    for (const kind of KINDS) clients.set(kind, CountClient.start(kind, writeClientBootstrap(rig.dir, `${kind}-bootstrap.json`, rig.socket, NODES[kind]), TARGET));
  });

  afterAll(async () => {
    for (const c of clients.values()) c.stop();
    for (const s of servers) s.forceShutdown();
    await rig?.close();
    fs.rmSync(modelDir, { recursive: true, force: true });
  });

  it('without a preference both clients reach both instances', async () => {
    const batches = await Promise.all(KINDS.map((k) => clients.get(k)!.run(300, 30_000)));
    for (const b of batches) {
      expect(b).toMatchObject({ ok: 300, failed: 0, errors: [] });
      expect(Object.keys(b.counts).sort()).toEqual(['v4', 'v6']);
    }
  }, 60_000);

  it('IPv6_ONLY: only the IPv6 instance; IPv4_ONLY: only the IPv4 one; none again: both', async () => {
    for (const b of await change('IPv6_ONLY')) expect(b).toMatchObject({ ok: 300, failed: 0, counts: { v6: 300 } });
    for (const b of await change('IPv4_ONLY')) expect(b).toMatchObject({ ok: 300, failed: 0, counts: { v4: 300 } });
    for (const b of await change()) expect(Object.keys(b.counts).sort()).toEqual(['v4', 'v6']);
  }, 120_000);
});
