import { UpdateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import type * as grpc from '@grpc/grpc-js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDocument } from '../fixtures/appmesh-seed';
import { CountClient, writeClientBootstrap, type Batch, type ClientKind } from '../fixtures/count-client';
import { echoServer } from '../fixtures/echo-server';
import { FakeCloudMap, type FakeInstance } from '../fixtures/fake-cloud-map';
import { tmpDir, waitFor } from '../fixtures/tmp';
import { XdsRig } from '../fixtures/xds-rig';

/**
 * Cloud Map virtual nodes served from what AWS Cloud Map holds: appnet-mgmt
 * (--cloud-map-region, --cloud-map-endpoint) asks DiscoverInstances with the
 * node's `attributes` through the official AWS SDK, signed with the default
 * credential chain, and two independent proxyless xDS clients (grpc-js-xds,
 * gRPC C-core) call the instances found, through the relay. Registrations,
 * an outage and an attribute change through the App Mesh API happen while
 * both call: no call fails. AWS cannot be reached here: a local server speaks
 * Cloud Map's wire protocol and checks every signature.
 */

const TARGET = 'xds:///serviceb.apps.local:80';
const NODES: Record<ClientKind, string> = { 'grpc-js': 'mesh/apps/grpc-js-client', 'c-core': 'mesh/apps/c-core-client' };
const KINDS: ClientKind[] = ['grpc-js', 'c-core'];
const AWS = { accessKeyId: 'AKIDCLOUDMAPTEST', secretAccessKey: 'cloud-map-test-secret' };

function nodeSpec(stage: string) {
  return {
    listeners: [{ portMapping: { port: 80, protocol: 'http2' as const } }],
    serviceDiscovery: { awsCloudMap: { namespaceName: 'apps.local', serviceName: 'serviceb', attributes: [{ key: 'stage', value: stage }] } },
  };
}

describe('Cloud Map discovery seen by grpc-js-xds and gRPC C-core (real processes, the AWS SDK against a local Cloud Map)', () => {
  const modelDir = tmpDir('appmesh-cloudmap-');
  const cloudMap = new FakeCloudMap({ region: 'us-west-2', credentials: AWS });
  let rig: XdsRig;
  const servers: grpc.Server[] = [];
  const ports: Record<string, number> = {};
  const clients = new Map<ClientKind, CountClient>();

  const instance = (name: string, stage: string): FakeInstance => ({
    InstanceId: name,
    Attributes: { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(ports[name]), stage },
  });
  type CloudMapPage = { enabled: boolean; queries: Array<{ attributes: Record<string, string>; instances?: number; lastError?: string }> };
  const discovery = async () => (await (await fetch(`http://127.0.0.1:${rig.mgmtAdminPort}/cloud-map`)).json()) as CloudMapPage;
  const live = async () => (await discovery()).queries.find((q) => q.attributes['stage'] === 'live');
  const metrics = async () => (await fetch(`http://127.0.0.1:${rig.mgmtAdminPort}/metrics`)).text();
  const inSync = () => waitFor(() => rig.nodesInSync(Object.values(NODES)), 15_000, 'both clients in sync', 20);
  /** The versions sent to the clients' streams, by node and type. */
  const versions = async () => {
    const streams = await rig.mgmtAdmin.streams({ open: true });
    const mine = streams.filter((s) => Object.values(NODES).includes(s.nodeId ?? ""));
    return JSON.stringify(mine.map((s) => [s.nodeId, Object.entries(s.types).map(([t, v]) => [t, v.lastVersion])]).sort());
  };

  /** Run `change` while both clients call without pause, until new versions reached both and were ACKed: none of their calls may fail. */
  async function during(change: () => Promise<void>): Promise<Batch[]> {
    const before = await versions();
    for (const c of clients.values()) c.startRun();
    try {
      await change();
      await waitFor(async () => (await versions()) !== before, 15_000, 'new versions sent to the clients', 20);
      await inSync();
    } finally {
      const seen = await Promise.all(KINDS.map((k) => clients.get(k)!.stopRun(30_000)));
      expect(KINDS.map((kind, i) => ({ kind, failed: seen[i]!.failed, errors: seen[i]!.errors.slice(0, 3) }))).toEqual(KINDS.map((kind) => ({ kind, failed: 0, errors: [] })));
    }
    return Promise.all(KINDS.map((k) => clients.get(k)!.run(300, 30_000)));
  }

  beforeAll(async () => {
    for (const name of ['b1', 'b2']) {
      const s = await echoServer(name);
      servers.push(s.server);
      ports[name] = s.port;
    }
    cloudMap.setInstances('apps.local', 'serviceb', [instance('b1', 'live'), instance('b2', 'canary')]);
    const endpoint = await cloudMap.start();
    const doc = seedDocument();
    doc.virtualNodes[1]!['spec'] = nodeSpec('live');
    doc.routes[0]!['spec'] = { http2Route: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] } } };
    delete doc.endpoints?.['apps/serviceB'];
    const file = path.join(modelDir, 'apps.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    rig = await XdsRig.start({
      appmesh: { file, env: { AWS_ACCESS_KEY_ID: AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: AWS.secretAccessKey } },
      mgmtArgs: ['--cloud-map-region', 'us-west-2', '--cloud-map-endpoint', endpoint, '--cloud-map-refresh', '200ms'],
    });
    for (const kind of KINDS) clients.set(kind, CountClient.start(kind, writeClientBootstrap(rig.dir, `${kind}-bootstrap.json`, rig.socket, NODES[kind]), TARGET));
  }, 60_000);

  afterAll(async () => {
    for (const c of clients.values()) c.stop();
    for (const s of servers) s.forceShutdown();
    await rig?.close();
    await cloudMap.close();
    fs.rmSync(modelDir, { recursive: true, force: true });
  });

  it("asks Cloud Map with the node's attributes, signed; the clients reach only the matching instance", async () => {
    const batches = await Promise.all(KINDS.map((k) => clients.get(k)!.run(300, 30_000)));
    for (const b of batches) expect(b).toMatchObject({ ok: 300, failed: 0, counts: { b1: 300 } });
    const asked = cloudMap.requests.filter((r) => r.operation === 'DiscoverInstances');
    expect(asked.length).toBeGreaterThan(0);
    expect(asked[0]!.body).toMatchObject({ NamespaceName: 'apps.local', ServiceName: 'serviceb', QueryParameters: { stage: 'live' }, HealthStatus: 'HEALTHY_OR_ELSE_ALL' });
    expect(cloudMap.requests.filter((r) => !r.auth.ok)).toEqual([]);
    expect(await live()).toMatchObject({ instances: 1 });
  }, 60_000);

  it('while the revision stays, only the revision is asked', async () => {
    const before = cloudMap.requests.filter((r) => r.operation === 'DiscoverInstances').length;
    const revisions = cloudMap.requests.filter((r) => r.operation === 'DiscoverInstancesRevision').length;
    await waitFor(() => cloudMap.requests.filter((r) => r.operation === 'DiscoverInstancesRevision').length >= revisions + 3, 15_000, 'three more revision checks');
    expect(cloudMap.requests.filter((r) => r.operation === 'DiscoverInstances').length).toBe(before);
  }, 30_000);

  it('a new registration reaches both clients with no failed call', async () => {
    const batches = await during(async () => {
      cloudMap.setInstances('apps.local', 'serviceb', [instance('b1', 'live'), instance('b2', 'live')]);
      await waitFor(async () => (await live())?.instances === 2, 15_000, 'two live instances found');
    });
    for (const b of batches) expect(Object.keys(b.counts).sort()).toEqual(['b1', 'b2']);
  }, 90_000);

  it('a Cloud Map outage keeps the instances found in service', async () => {
    cloudMap.failWith = 503;
    await waitFor(async () => (await live())?.lastError, 15_000, 'the outage seen');
    expect(await metrics()).toContain('appnet_mgmt_cloud_map_queries{state="failing"} 1');
    const batches = await Promise.all(KINDS.map((k) => clients.get(k)!.run(300, 30_000)));
    for (const b of batches) {
      expect(b).toMatchObject({ ok: 300, failed: 0 });
      expect(Object.keys(b.counts).sort()).toEqual(['b1', 'b2']);
    }
    cloudMap.failWith = undefined;
    await waitFor(async () => (await live())?.lastError === undefined, 15_000, 'Cloud Map answering again');
    expect(await metrics()).toMatch(/appnet_mgmt_cloud_map_queries\{state="answered"\} 1\n[^]*appnet_mgmt_cloud_map_instances 2\n/);
  }, 90_000);

  it('attributes changed through the App Mesh API: the callers move to the new instances with no failed call', async () => {
    cloudMap.setInstances('apps.local', 'serviceb', [instance('b1', 'live'), instance('b2', 'canary')]);
    await waitFor(async () => (await live())?.instances === 1, 15_000, 'one live instance again');
    await inSync();
    const batches = await during(async () => {
      await rig.appMesh().send(new UpdateVirtualNodeCommand({ meshName: 'apps', virtualNodeName: 'serviceB', spec: nodeSpec('canary') }));
    });
    for (const b of batches) expect(b).toMatchObject({ ok: 300, failed: 0, counts: { b2: 300 } });
    expect((await discovery()).queries.map((q) => q.attributes)).toEqual([{ stage: 'canary' }]);
  }, 90_000);
});
