import * as AM from '@aws-sdk/client-app-mesh';
import type * as grpc from '@grpc/grpc-js';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http2Targets } from '../fixtures/appmesh-seed';
import { CountClient, writeClientBootstrap } from '../fixtures/count-client';
import { echoServer } from '../fixtures/echo-server';
import { EtcdProcess, freePort } from '../fixtures/etcd-process';
import { DaemonProcess, ROOT, cleanEnv } from '../fixtures/relay-process';
import { waitFor } from '../fixtures/tmp';
import { MGMT_MAIN, XdsRig } from '../fixtures/xds-rig';

/**
 * The relay fails over between appnet-mgmt replicas: APPNET_MANAGEMENT_ADDRESS
 * lists 127.0.0.1 and 127.0.0.2 (same port), replica A listens on the first,
 * B on the second, both on one etcd. A grpc-js-xds client calls through the
 * relay while A is killed with SIGKILL: its calls keep succeeding, its xDS
 * stream lands on B within seconds (the relay's /status names the address in
 * use), and a change made afterwards reaches it through B.
 */

const SEED = path.join(ROOT, 'examples', 'appmesh', 'apps.yaml');
const ROUTE = { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' };
const CLIENT_NODE = 'mesh/apps/failover-client';

describe('relay failover between appnet-mgmt replicas (real processes, real etcd)', () => {
  let etcd: EtcdProcess;
  let rig: XdsRig;
  let replicaB: DaemonProcess;
  let client: CountClient;
  let servers: grpc.Server[] = [];

  beforeAll(async () => {
    etcd = await EtcdProcess.start();
    const store = `etcd://${etcd.endpoint}/appnet-failover`;
    const sb = await echoServer('serviceB');
    const sb2 = await echoServer('serviceBv2');
    servers = [sb.server, sb2.server];
    const env = { SERVICEB_PORT: String(sb.port), SERVICEBV2_PORT: String(sb2.port) };
    const port = await freePort();
    rig = await XdsRig.start({
      appmesh: { file: SEED, env },
      mgmtArgs: ['--store', store, '--host', '127.0.0.1', '--port', String(port)],
      relayEnv: { APPNET_MANAGEMENT_ADDRESS: '127.0.0.1,127.0.0.2' },
    });
    replicaB = DaemonProcess.spawn(MGMT_MAIN, cleanEnv(env), [
      '--appmesh', SEED,
      '--store', store,
      '--host', '127.0.0.2',
      '--port', String(port),
      '--admin-port', '0',
      '--tls-cert', path.join(rig.dir, 'server.pem'),
      '--tls-key', path.join(rig.dir, 'server-key.pem'),
      '--sigv4-region', 'us-west-2',
      '--sigv4-credentials', path.join(rig.dir, 'mgmt-creds.json'),
    ]);
    await replicaB.waitForLog((l) => l.msg === 'listening', 15_000, 'replica B listening');
    client = CountClient.start('grpc-js', writeClientBootstrap(rig.dir, 'client.json', rig.socket, CLIENT_NODE), 'xds:///serviceb.apps.local:80');
  }, 60_000);

  afterAll(async () => {
    client?.stop();
    for (const s of servers) s.forceShutdown();
    await replicaB?.stop('SIGKILL');
    await rig?.close();
    await etcd?.close();
  });

  it('keeps the calls going when the replica in use is killed, and moves the xDS stream to the other one', async () => {
    const first = await client.run(200);
    expect(first.failed).toBe(0);
    const before = await rig.waitForRelayStatus((s) => s.upstream?.state === 'CONNECTED', 5000, 'the relay connected');
    expect(before.upstream).toMatchObject({ address: '127.0.0.1', addresses: ['127.0.0.1', '127.0.0.2'] });

    client.startRun();
    await rig.mgmt.stop('SIGKILL');
    const after = await rig.waitForRelayStatus(
      (s) => s.upstream?.state === 'CONNECTED' && s.upstream.address === '127.0.0.2' && s.activeStreams?.some((st: any) => st.node?.id === CLIENT_NODE),
      15_000,
      "the relay connected to replica B with the client's stream on it",
    );
    expect(after.upstream.target).toMatch(/^127\.0\.0\.2:\d+$/);
    const running = await client.stopRun();
    expect(running.failed).toBe(0);
    expect(running.ok).toBeGreaterThan(0);

    // The stream now lives on replica B: a change made through B reaches the client.
    const port = Number(replicaB.lines.find((l) => l.msg === 'listening')!.adminPort);
    const api = new AM.AppMeshClient({ endpoint: `http://127.0.0.2:${port}`, region: 'us-west-2', credentials: rig.appMeshCredentials(), maxAttempts: 1 });
    try {
      await api.send(new AM.UpdateRouteCommand({ ...ROUTE, spec: http2Targets([{ virtualNode: 'serviceB', weight: 0 }, { virtualNode: 'serviceBv2', weight: 100 }]) }));
    } finally {
      api.destroy();
    }
    await waitFor(async () => (await client.run(20)).counts['serviceBv2'] === 20, 10_000, 'calls to follow the change made through replica B');
    expect(await client.run(100)).toMatchObject({ failed: 0, counts: { serviceBv2: 100 } });
  }, 60_000);
});
