import * as fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ResourceCodec } from '../../src/mgmt/resource-codec';
import { startManagementServer, type ManagementServer } from '../../src/mgmt/server';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { StaticResourceSource } from '../../src/mgmt/static-source';
import { FakeEnvoyProcess, freePort, writeBootstrap, type BootstrapSpec } from '../fixtures/envoy-stand-in';
import { tmpDir, waitFor } from '../fixtures/tmp';
import { cluster, endpoints, serviceChain } from '../fixtures/xds-resources';
import { XdsRig } from '../fixtures/xds-rig';

/** The Envoy stand-in's ADS client against the fake management server, directly over TCP and through a relay socket. */

const codec = new ResourceCodec();
let dir: string;
const cleanups: Array<() => unknown> = [];
beforeAll(() => {
  dir = tmpDir('fake-envoy-xds-');
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function mgmt(port = 0, source = new StaticResourceSource(codec.encodeAll(serviceChain('svc', 9000)))): Promise<{ server: ManagementServer; source: StaticResourceSource }> {
  const server = await startManagementServer({ source, port });
  cleanups.push(() => server.forceClose());
  return { server, source };
}

async function envoy(spec: Partial<BootstrapSpec>, env: Record<string, string> = {}): Promise<FakeEnvoyProcess> {
  const config = writeBootstrap(dir, { admin: { port: 0 }, ...spec }, `envoy-${Math.random().toString(36).slice(2)}.yaml`);
  const fe = await FakeEnvoyProcess.start({ dir, config, env });
  cleanups.push(() => fe.stop('SIGKILL'));
  return fe;
}

async function stat(fe: FakeEnvoyProcess, name: string): Promise<number | undefined> {
  const r = await fe.request('GET', `/stats?format=json&filter=${encodeURIComponent(`^${name.replace(/\./g, '\\.')}$`)}`);
  const found = (JSON.parse(r.body) as { stats: Array<{ name: string; value: number }> }).stats.find((s) => s.name === name);
  return found?.value;
}

function waitForStat(fe: FakeEnvoyProcess, name: string, value: number, timeoutMs = 5000): Promise<unknown> {
  return waitFor(async () => (await stat(fe, name)) === value, timeoutMs, `${name} = ${value}`, 50);
}

describe('fake Envoy over TCP to the management server', () => {
  it('fetches CDS, EDS, LDS, RDS in Envoy order, ACKs each, and goes LIVE', async () => {
    const { server } = await mgmt();
    const fe = await envoy({ xdsTarget: `127.0.0.1:${server.port}`, nodeId: 'mesh/m/virtualNode/vn', nodeCluster: 'mesh/m/virtualNode/vn' });
    await fe.waitForState('LIVE');
    const ready = await fe.request('GET', '/ready');
    expect(ready).toMatchObject({ status: 200, body: 'LIVE\n' });
    const acks = fe.events().filter((e) => e.event === 'ack').map((e) => e.typeUrl);
    expect(acks).toEqual([TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration]);
    const states = fe.events().filter((e) => e.event === 'state').map((e) => e.state);
    expect(states).toEqual(['INITIALIZING', 'LIVE']);

    const stream = server.streams(true)[0]!;
    expect(stream).toMatchObject({ nodeId: 'mesh/m/virtualNode/vn', nodeCluster: 'mesh/m/virtualNode/vn', nodeUserAgent: 'envoy' });
    expect(stream.types[TypeUrl.Cluster]).toMatchObject({ subscribed: ['*'], acks: 1, nacks: 0 });
    expect(stream.types[TypeUrl.ClusterLoadAssignment]!.subscribed).toEqual(['svc-eds']);
    expect(stream.types[TypeUrl.RouteConfiguration]!.subscribed).toEqual(['svc-route']);

    for (const [name, v] of [['control_plane.connected_state', 1], ['cluster_manager.cds.update_success', 1], ['listener_manager.lds.update_success', 1], ['cluster_manager.active_clusters', 1], ['cluster.svc-cluster.membership_total', 1]] as const) {
      expect(await stat(fe, name), name).toBe(v);
    }
  });

  it('follows updates: a new cluster widens the EDS subscription and is ACKed', async () => {
    const { server, source } = await mgmt();
    const fe = await envoy({ xdsTarget: `127.0.0.1:${server.port}` });
    await fe.waitForState('LIVE');
    source.upsert(...codec.encodeAll([cluster('extra', 'extra-eds'), endpoints('extra-eds', 9100)]));
    await waitForStat(fe, 'cluster_manager.cds.update_success', 2);
    await waitFor(() => server.streams(true)[0]?.types[TypeUrl.ClusterLoadAssignment]?.subscribed.length === 2, 5000, 'EDS for both clusters');
    await waitForStat(fe, 'cluster.extra.membership_total', 1);
    expect(await stat(fe, 'cluster_manager.cluster_added')).toBe(2);
  });

  it('connected_state follows the stream: 0 when the server goes away, 1 again when it is back', async () => {
    const port = await freePort();
    let { server } = await mgmt(port);
    const fe = await envoy({ xdsTarget: `127.0.0.1:${port}`, channelArgs: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 500 } });
    await fe.waitForState('LIVE');
    server.forceClose();
    await waitForStat(fe, 'control_plane.connected_state', 0);
    await fe.waitForEvent((e) => e.event === 'ads-disconnected');
    expect(fe.stderr).toMatch(/\[warning\]\[config\] \[[^\]]+\] StreamAggregatedResources gRPC config stream to ads closed: \d+, /);
    expect((await fe.request('GET', '/ready')).body).toBe('LIVE\n'); // Envoy keeps serving what it has
    ({ server } = await mgmt(port));
    await waitForStat(fe, 'control_plane.connected_state', 1, 10_000);
    // the new stream re-sends the accepted versions, so a server with the same resources has nothing to send
    await waitFor(() => server.streams(true)[0]?.types[TypeUrl.Listener], 5000, 'LDS request on the new stream');
    const types = server.streams(true)[0]!.types;
    expect(types[TypeUrl.Cluster]).toMatchObject({ responses: 0, subscribed: ['*'] });
    expect(types[TypeUrl.ClusterLoadAssignment]).toMatchObject({ responses: 0, subscribed: ['svc-eds'] });
  });

  it('stays PRE_INITIALIZING while no management server answers (initial_fetch_timeout 0s)', async () => {
    const port = await freePort();
    const fe = await envoy({ xdsTarget: `127.0.0.1:${port}` });
    await new Promise((r) => setTimeout(r, 700));
    expect(await fe.request('GET', '/ready')).toMatchObject({ status: 503, body: 'PRE_INITIALIZING\n' });
    expect(await stat(fe, 'control_plane.connected_state')).toBe(0);
    expect(await stat(fe, 'server.state')).toBe(2);
  });

  it('goes on after initial_fetch_timeout, counting the timeouts', async () => {
    const port = await freePort();
    const fe = await envoy({ xdsTarget: `127.0.0.1:${port}`, initialFetchTimeout: '0.3s' });
    await fe.waitForState('LIVE', 5000);
    expect(await stat(fe, 'cluster_manager.cds.init_fetch_timeout')).toBe(1);
    expect(await stat(fe, 'listener_manager.lds.init_fetch_timeout')).toBe(1);
  });

  it('shows INITIALIZING for FAKE_ENVOY_INIT_DELAY_MS after cluster manager init', async () => {
    const { server } = await mgmt();
    const fe = await envoy({ xdsTarget: `127.0.0.1:${server.port}` }, { FAKE_ENVOY_INIT_DELAY_MS: '1500' });
    await fe.waitForEvent((e) => e.event === 'ack' && e.typeUrl === TypeUrl.RouteConfiguration);
    expect(await fe.request('GET', '/ready')).toMatchObject({ status: 503, body: 'INITIALIZING\n' });
    await fe.waitForState('LIVE', 5000);
  });

  it('FAKE_ENVOY_NACK=1 rejects every response with an Envoy-like error_detail, and still goes LIVE', async () => {
    const { server } = await mgmt();
    const fe = await envoy({ xdsTarget: `127.0.0.1:${server.port}` }, { FAKE_ENVOY_NACK: '1' });
    await fe.waitForState('LIVE');
    const nacks = server.nacks();
    expect(nacks.map((n) => n.typeUrl).sort()).toEqual([TypeUrl.Cluster, TypeUrl.Listener].sort());
    expect(nacks.find((n) => n.typeUrl === TypeUrl.Cluster)).toMatchObject({ nodeId: 'test-node', count: 1 });
    expect(nacks.find((n) => n.typeUrl === TypeUrl.Cluster)!.lastMessage).toBe('Error adding/updating cluster(s) svc-cluster: rejected by the Envoy stand-in (FAKE_ENVOY_NACK)');
    expect(await stat(fe, 'cluster_manager.cds.update_rejected')).toBe(1);
    expect(await stat(fe, 'listener_manager.lds.update_rejected')).toBe(1);
  });
});

describe('fake Envoy over a Unix socket through appnet-relay (the Service Connect path)', () => {
  it('goes LIVE through the relay, and sees the stream end when the management server dies', async () => {
    const rig = await XdsRig.start({ resources: serviceChain('svc', 9000) });
    cleanups.push(() => rig.close());
    const fe = await envoy({ xdsTarget: `unix://${rig.socket}`, nodeId: 'arn:aws:ecs:us-west-2:123456789012:task-set/c/s/ts-1' });
    await fe.waitForState('LIVE');
    expect(await stat(fe, 'control_plane.connected_state')).toBe(1);
    const streams = await rig.mgmtAdmin.streams({ open: true });
    expect(streams.some((s) => s.nodeId === 'arn:aws:ecs:us-west-2:123456789012:task-set/c/s/ts-1' && s.nodeUserAgent === 'envoy')).toBe(true);
    await rig.mgmt.stop('SIGKILL');
    await waitForStat(fe, 'control_plane.connected_state', 0, 10_000);
  });
});
