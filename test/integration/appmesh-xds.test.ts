import { DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { seedDocument } from '../fixtures/appmesh-seed';
import { echoServer } from '../fixtures/echo-server';
import { CountClient, writeClientBootstrap, type Batch } from '../fixtures/count-client';
import { FakeEnvoyProcess, writeBootstrap } from '../fixtures/envoy-stand-in';
import { ROOT } from '../fixtures/relay-process';
import { waitFor } from '../fixtures/tmp';
import { XdsRig } from '../fixtures/xds-rig';

/**
 * The App Mesh getting-started scenario (examples/appmesh/apps.yaml) served by
 * appnet-mgmt --appmesh, through a real appnet-relay, to a grpc-js-xds client
 * process and to the Envoy stand-in; weights changed through the App Mesh API
 * with the official AWS SDK client.
 */

const ROUTE = { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' };
const ENVOY_NODE = 'mesh/apps/virtualNode/serviceA';

function http2Route(targets: Array<{ virtualNode: string; weight: number }>) {
  return { spec: { http2Route: { match: { prefix: '/' }, action: { weightedTargets: targets } } } };
}

describe('App Mesh model -> appnet-mgmt -> relay -> grpc-js-xds and Envoy (real processes)', () => {
  let rig: XdsRig;
  let servers: grpc.Server[] = [];
  let client: CountClient;
  let envoy: FakeEnvoyProcess | undefined;

  beforeAll(async () => {
    const b = await echoServer('serviceB');
    const b2 = await echoServer('serviceBv2');
    servers = [b.server, b2.server];
    rig = await XdsRig.start({
      appmesh: { file: path.join(ROOT, 'examples', 'appmesh', 'apps.yaml'), env: { SERVICEB_PORT: String(b.port), SERVICEBV2_PORT: String(b2.port) } },
    });
    const bootstrap = writeClientBootstrap(rig.dir, 'xds-bootstrap.json', rig.socket, 'mesh/apps/proxyless-client');
    client = CountClient.start('grpc-js', bootstrap, 'xds:///serviceb.apps.local:80');
  });

  afterAll(async () => {
    client?.stop();
    await envoy?.stop('SIGKILL');
    for (const s of servers) s.forceShutdown();
    await rig?.close();
  });

  it('splits 1,000 calls to xds:///serviceb.apps.local:80 about 75/25 between serviceB and serviceBv2', async () => {
    const r = await client.run(1000);
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(1000);
    expect(Object.keys(r.counts).sort()).toEqual(['serviceB', 'serviceBv2']);
    expect(r.counts['serviceB']! / 1000).toBeGreaterThanOrEqual(0.7);
    expect(r.counts['serviceB']! / 1000).toBeLessThanOrEqual(0.8);
  }, 30_000);

  it('gives an Envoy for mesh/apps/virtualNode/serviceA listeners 15000/15001, clusters and endpoints, all ACKed', async () => {
    const config = writeBootstrap(rig.dir, { admin: { port: 0 }, xdsTarget: `unix://${rig.socket}`, nodeId: ENVOY_NODE, nodeCluster: ENVOY_NODE });
    envoy = await FakeEnvoyProcess.start({ dir: rig.dir, config });
    await envoy.waitForState('LIVE');
    const fe = envoy;
    const events = fe.events();
    expect(events.filter((e) => e.event === 'nack' || e.event === 'config-error')).toEqual([]);
    const responses = new Map(events.filter((e) => e.event === 'ads-response').map((e) => [e.typeUrl as string, e.resources]));
    expect(Object.fromEntries(responses)).toEqual({ [TypeUrl.Cluster]: 3, [TypeUrl.ClusterLoadAssignment]: 2, [TypeUrl.Listener]: 2, [TypeUrl.RouteConfiguration]: 2 });
    expect(new Set(events.filter((e) => e.event === 'ack').map((e) => e.typeUrl))).toEqual(new Set(responses.keys()));

    const stats = JSON.parse((await fe.request('GET', '/stats?format=json')).body) as { stats: Array<{ name: string; value: number }> };
    const stat = (name: string) => stats.stats.find((s) => s.name === name)?.value;
    expect(stat('listener_manager.total_listeners_active')).toBe(2);
    expect(stat('cluster_manager.active_clusters')).toBe(3);
    expect(stat('cluster.cds_egress_apps_serviceB_http2_80.membership_total')).toBe(1);
    expect(stat('cluster.cds_egress_apps_serviceBv2_http2_80.membership_total')).toBe(1);
    expect(stat('listener.0.0.0.0_15000.downstream_cx_total')).toBe(0);
    expect(stat('listener.0.0.0.0_15001.downstream_cx_total')).toBe(0);

    // What the server holds for this node is exactly what the Envoy ACKed.
    const held = await rig.mgmtAdmin.resources(ENVOY_NODE);
    expect(Object.keys(held.types[TypeUrl.Listener].resources).sort()).toEqual(['lds_egress_0.0.0.0_15001', 'lds_ingress_0.0.0.0_15000']);
    expect(Object.keys(held.types[TypeUrl.RouteConfiguration].resources).sort()).toEqual(['rds_egress_http_80', 'rds_ingress_http_80']);
    expect(Object.keys(held.types[TypeUrl.ClusterLoadAssignment].resources).sort()).toEqual(['cds_egress_apps_serviceB_http2_80', 'cds_egress_apps_serviceBv2_http2_80']);
    const stream = (await rig.mgmtAdmin.streams({ open: true })).find((s) => s.nodeId === ENVOY_NODE)!;
    for (const typeUrl of [TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment]) {
      expect(stream.types[typeUrl]).toMatchObject({ nacks: 0, lastAckedVersion: held.types[typeUrl].version });
    }
  }, 20_000);

  it('rejects a route to a missing virtual node with a clear error and changes nothing', async () => {
    const api = rig.appMesh();
    const before = (await api.send(new DescribeRouteCommand(ROUTE))).route;
    const bad = await api.send(new UpdateRouteCommand({ ...ROUTE, ...http2Route([{ virtualNode: 'serviceB', weight: 50 }, { virtualNode: 'serviceC', weight: 50 }]) })).catch((e: Error) => e);
    expect(bad).toMatchObject({ name: 'BadRequestException', $metadata: { httpStatusCode: 400 } });
    expect((bad as Error).message).toMatch(/spec\.http2Route\.action\.weightedTargets: no virtual node "serviceC" in mesh "apps"/);
    expect((await api.send(new DescribeRouteCommand(ROUTE))).route).toEqual(before);
    const r = await client.run(300);
    expect(r.ok).toBe(300);
    expect(r.counts['serviceB']! / 300).toBeGreaterThan(0.6);
    expect(r.counts['serviceBv2']! / 300).toBeGreaterThan(0.12);
  }, 20_000);

  it('after UpdateRoute (AWS SDK) to 0/100, new calls all reach serviceBv2 within 2 s, and the Envoy ACKs the new routes', async () => {
    const put = await rig.appMesh().send(new UpdateRouteCommand({ ...ROUTE, ...http2Route([{ virtualNode: 'serviceB', weight: 0 }, { virtualNode: 'serviceBv2', weight: 100 }]) }));
    expect(put.$metadata.httpStatusCode).toBe(200);
    expect(put.route).toMatchObject({ routeName: 'serviceB', metadata: { version: 2 }, status: { status: 'ACTIVE' } });
    const t0 = Date.now();
    let last: Batch | undefined;
    while (Date.now() - t0 < 2000) {
      last = await client.run(10, 5000);
      if (last.counts['serviceBv2'] === 10) break;
    }
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(last?.counts).toEqual({ serviceBv2: 10 });
    const after = await client.run(200);
    expect(after.counts).toEqual({ serviceBv2: 200 });

    const held = await rig.mgmtAdmin.resources(ENVOY_NODE);
    const rdsVersion = held.types[TypeUrl.RouteConfiguration].version;
    await waitFor(() => envoy!.events().some((e) => e.event === 'ack' && e.typeUrl === TypeUrl.RouteConfiguration && e.version === rdsVersion), 2000, 'Envoy ACK of the new routes');
    expect(envoy!.events().filter((e) => e.event === 'nack')).toEqual([]);
  }, 20_000);
});

describe('appnet-mgmt --appmesh (the process)', () => {
  function runMgmt(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
      const p = spawn(process.execPath, [path.join(ROOT, 'dist', 'src', 'mgmt', 'main.js'), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
      p.on('exit', (code) => {
        clearTimeout(t);
        resolve({ code, out });
      });
    });
  }

  it('refuses an invalid model with every problem and exits 1', async () => {
    const dir = fs.mkdtempSync(path.join(ROOT, 'dist', 'appmesh-cli-'));
    try {
      const file = path.join(dir, 'bad.json');
      const doc = seedDocument() as any;
      doc.routes[0].spec.http2Route.action.weightedTargets[1].weight = 250;
      doc.virtualNodes[1].spec.listeners[0].portMapping.protocol = 'h3';
      fs.writeFileSync(file, JSON.stringify(doc));
      const r = await runMgmt(['--appmesh', file, '--port', '0']);
      expect(r.code).toBe(1);
      expect(r.out).toContain(`invalid App Mesh model ${file} (2 problems)`);
      expect(r.out).toContain('virtualNodes[1] (apps/serviceB): spec.listeners[0].portMapping.protocol: expected one of http, http2, grpc, tcp, got "h3"');
      expect(r.out).toContain('routes[0] (apps/serviceB/serviceB): spec.http2Route.action.weightedTargets[1].weight: expected an integer 0-100, got 250');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
