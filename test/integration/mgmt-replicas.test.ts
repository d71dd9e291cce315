import * as AM from '@aws-sdk/client-app-mesh';
import type * as grpc from '@grpc/grpc-js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClientsSchema } from '../../src/common/contracts/mgmt-console';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { AdsTestClient } from '../fixtures/ads-client';
import { http2Targets } from '../fixtures/appmesh-seed';
import { CountClient, writeClientBootstrap } from '../fixtures/count-client';
import { echoServer } from '../fixtures/echo-server';
import { EtcdProcess } from '../fixtures/etcd-process';
import { ControlPlaneProcess } from '../fixtures/mgmt-process';
import { ROOT } from '../fixtures/relay-process';
import { waitFor } from '../fixtures/tmp';
import { XdsRig } from '../fixtures/xds-rig';

/**
 * appnet-mgmt replicas sharing the model in a real etcd (Debian's
 * etcd-server): replica A takes API calls, replica B serves a relay and the
 * clients behind it. A change made through A reaches B's clients; concurrent
 * changes through both lose nothing; while etcd is down both keep serving the
 * last model (new streams too) and refuse writes; once it is back they write
 * and converge.
 */

const SEED = path.join(ROOT, 'examples', 'appmesh', 'apps.yaml');
const ROUTE = { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' };
const CONSOLE_TOKEN = 'replicas-console-token-0123';
const split = (b: number) => http2Targets([{ virtualNode: 'serviceB', weight: b }, { virtualNode: 'serviceBv2', weight: 100 - b }]);

describe('appnet-mgmt replicas on etcd (real processes)', () => {
  let etcd: EtcdProcess;
  let a: ControlPlaneProcess;
  let b: XdsRig;
  let client: CountClient;
  let servers: grpc.Server[] = [];

  beforeAll(async () => {
    etcd = await EtcdProcess.start();
    const store = `etcd://${etcd.endpoint}/appnet-replicas`;
    const sb = await echoServer('serviceB');
    const sb2 = await echoServer('serviceBv2');
    servers = [sb.server, sb2.server];
    const env = { SERVICEB_PORT: String(sb.port), SERVICEBV2_PORT: String(sb2.port) };
    const tokenFile = path.join(etcd.dir, 'console-token');
    fs.writeFileSync(tokenFile, CONSOLE_TOKEN);
    a = await ControlPlaneProcess.start({ durable: false, args: ['--store', store, '--appmesh', SEED, '--console-token-file', tokenFile], env });
    b = await XdsRig.start({ appmesh: { file: SEED, env }, mgmtArgs: ['--store', store, '--console-token-file', tokenFile] });
    client = CountClient.start('grpc-js', writeClientBootstrap(b.dir, 'client.json', b.socket, 'mesh/apps/proxyless-client'), 'xds:///serviceb.apps.local:80');
  }, 60_000);

  afterAll(async () => {
    client?.stop();
    for (const s of servers) s.forceShutdown();
    await b?.close();
    await a?.close();
    await etcd?.close();
  });

  it('one replica seeded the store, the other found it seeded', () => {
    const seeded = [a.proc.lines, b.mgmt.lines].map((lines) => lines.find((l) => /seeded|NOT applied/.test(String(l.msg)))?.msg);
    expect(seeded.sort()).toEqual(['App Mesh model seeded from the file (the store was empty)', 'the store already holds a model: the seed file was NOT applied (the stored model wins)']);
  });

  it('an UpdateRoute through replica A is described by replica B and followed by a grpc-js-xds client behind B', async () => {
    const before = await client.run(400);
    expect(before.failed).toBe(0);
    expect(before.counts['serviceB']! / 400).toBeGreaterThan(0.65);
    const out = await a.client().send(new AM.UpdateRouteCommand({ ...ROUTE, spec: split(0) }));
    const version = out.route!.metadata!.version!;
    const described = await waitFor(async () => {
      const r = (await b.appMesh().send(new AM.DescribeRouteCommand(ROUTE))).route;
      return r?.metadata?.version === version ? r : undefined;
    }, 5000, 'replica B to describe the new version');
    expect(described.spec).toEqual(split(0));
    expect(described.metadata?.uid).toBe(out.route!.metadata!.uid);
    await waitFor(async () => (await client.run(20)).counts['serviceBv2'] === 20, 10_000, 'calls through B to follow the change');
    const after = await client.run(200);
    expect(after).toMatchObject({ ok: 200, failed: 0, counts: { serviceBv2: 200 } });
  }, 30_000);

  it("shows every replica's clients in each replica's console", async () => {
    await client.run(10);
    const clientsOf = async (port: number) =>
      ConsoleClientsSchema.parse(await (await fetch(`http://127.0.0.1:${port}/ui/api/clients`, { headers: { authorization: `Bearer ${CONSOLE_TOKEN}` } })).json());
    const fromB = await clientsOf(b.mgmtAdminPort);
    const mine = fromB.clients.find((c) => c.nodeId === 'mesh/apps/proxyless-client');
    expect(mine?.replica).toBe(fromB.replica);
    // Replica A serves no stream, yet its console lists the client, under replica B's name.
    const fromA = await waitFor(async () => {
      const r = await clientsOf(a.adminPort);
      return r.clients.some((c) => c.nodeId === 'mesh/apps/proxyless-client') ? r : undefined;
    }, 10_000, "replica A's console to list replica B's client");
    expect(fromA.replica).not.toBe(fromB.replica);
    expect(fromA.clients.find((c) => c.nodeId === 'mesh/apps/proxyless-client')).toMatchObject({ replica: fromB.replica });
  });

  it('loses no update when both replicas change the same route at once; versions agree', async () => {
    const start = (await a.client().send(new AM.DescribeRouteCommand(ROUTE))).route!.metadata!.version!;
    const apis = [a.client(), b.appMesh()];
    const outs = await Promise.all(Array.from({ length: 12 }, (_, i) => apis[i % 2]!.send(new AM.UpdateRouteCommand({ ...ROUTE, spec: split(i * 5) }))));
    const versions = outs.map((o) => o.route!.metadata!.version!).sort((x, y) => x - y);
    expect(versions).toEqual(Array.from({ length: 12 }, (_, i) => start + 1 + i));
    const last = outs.find((o) => o.route!.metadata!.version === start + 12)!.route!;
    for (const api of apis) {
      const r = await waitFor(async () => {
        const d = (await api.send(new AM.DescribeRouteCommand(ROUTE))).route;
        return d?.metadata?.version === start + 12 ? d : undefined;
      }, 5000, 'both replicas on the last version');
      expect(r.spec).toEqual(last.spec);
    }
  }, 30_000);

  it('with etcd down: the clients keep their config, a new stream gets the last model, writes are refused; with etcd back: writes work and the replicas converge', async () => {
    await a.client().send(new AM.UpdateRouteCommand({ ...ROUTE, spec: split(100) }));
    await waitFor(async () => (await client.run(20)).counts['serviceB'] === 20, 10_000, 'the clients on serviceB only');
    await etcd.stop();

    const refused = await a.client().send(new AM.UpdateRouteCommand({ ...ROUTE, spec: split(0) })).catch((e: AM.AppMeshServiceException) => e);
    expect(refused).toMatchObject({ name: 'ServiceUnavailableException', $metadata: { httpStatusCode: 503 } });
    const health = await waitFor(async () => {
      const h = await b.mgmtAdmin.health();
      return h.store?.reachable === false ? h : undefined;
    }, 15_000, "replica B's /healthz to say the store is unreachable");
    expect(health).toMatchObject({ status: 'ok', store: { kind: 'etcd', reachable: false } });
    const metricsDown = await (await fetch(`http://127.0.0.1:${b.mgmtAdminPort}/metrics`)).text();
    expect(metricsDown).toContain('appnet_mgmt_store_reachable{kind="etcd"} 0');
    expect(metricsDown).toMatch(/appnet_mgmt_xds_streams [1-9]/);
    expect(await client.run(100)).toMatchObject({ failed: 0, counts: { serviceB: 100 } });
    // A new Envoy stream through the relay to B gets the last model.
    const ads = new AdsTestClient({ target: `unix://${b.socket}` });
    try {
      const s = ads.openSotw({ id: 'mesh/apps/virtualNode/serviceA', cluster: 'serviceA' });
      s.send({ typeUrl: TypeUrl.RouteConfiguration, resourceNames: ['rds_egress_http_80'] });
      const r = await s.next(5000);
      const route = (r.resources[0]!.decoded as any).virtual_hosts.find((v: any) => v.domains.includes('serviceb.apps.local')).routes[0].route;
      expect(route.cluster ?? route.weighted_clusters.clusters[0].name).toBe('cds_egress_apps_serviceB_http2_80');
      s.cancel();
    } finally {
      ads.close();
    }

    await etcd.launch();
    const written = await waitFor(async () => {
      const out = await b.appMesh().send(new AM.UpdateRouteCommand({ ...ROUTE, spec: split(0) })).catch(() => undefined);
      return out?.route;
    }, 30_000, 'a write through B once etcd is back', 500);
    await waitFor(async () => (await a.client().send(new AM.DescribeRouteCommand(ROUTE))).route?.metadata?.version === written.metadata?.version, 15_000, 'replica A to converge');
    await waitFor(async () => (await client.run(20)).counts['serviceBv2'] === 20, 10_000, 'the clients to follow the write made after etcd came back');
    expect(await b.mgmtAdmin.health()).toMatchObject({ store: { reachable: true } });
    expect(await (await fetch(`http://127.0.0.1:${b.mgmtAdminPort}/metrics`)).text()).toContain('appnet_mgmt_store_reachable{kind="etcd"} 1');
  }, 90_000);
});
