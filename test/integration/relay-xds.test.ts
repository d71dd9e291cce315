import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { AdsTestClient } from '../fixtures/ads-client';
import { CredentialServer } from '../fixtures/cred-server';
import { ROOT, getText, startRelay } from '../fixtures/relay-process';
import { DOMAIN, TEST_CREDS } from '../fixtures/rig';
import { tmpDir } from '../fixtures/tmp';
import { XdsRig } from '../fixtures/xds-rig';
import { cluster, serviceChain } from '../fixtures/xds-resources';

const NODE = { id: 'mesh/apps/virtualNode/serviceA', cluster: 'serviceA' };
const id = (b: Buffer) => b;

describe('xDS through the relay to the SigV4-verifying management server (real processes, real TLS)', () => {
  let rig: XdsRig;
  let echo: grpc.Server;
  let echoPort: number;
  let client: AdsTestClient;

  beforeAll(async () => {
    echo = new grpc.Server();
    echo.addService(
      { Say: { path: '/appnet.test.Echo/Say', requestStream: false, responseStream: false, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id } } as unknown as grpc.ServiceDefinition,
      { Say: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from(`echo:${call.request.toString()}`)) },
    );
    echoPort = await new Promise<number>((res, rej) => echo.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
    rig = await XdsRig.start({ resources: [...serviceChain('echo-target', echoPort), cluster('extra-cluster', 'extra-eds')] });
    client = new AdsTestClient({ target: `unix://${rig.socket}` });
  });
  afterAll(async () => {
    client?.close();
    echo?.forceShutdown();
    await rig?.close();
  });

  it('delivers SotW resources through the relay, signed, with :authority = the domain', async () => {
    const s = client.openSotw(NODE);
    s.send({ typeUrl: TypeUrl.Cluster });
    const cds = await s.next();
    expect(cds.resources.map((r) => r.name).sort()).toEqual(['echo-target-cluster', 'extra-cluster']);
    s.ack(cds);
    s.send({ typeUrl: TypeUrl.Listener });
    const lds = await s.next();
    expect(lds.resources.map((r) => r.name)).toEqual(['echo-target']);
    s.ack(lds);

    const streams = await rig.mgmtAdmin.streams();
    const mine = streams.find((x) => x.nodeId === NODE.id && x.open)!;
    expect(mine.sigv4).toEqual({ ok: true, accessKeyId: TEST_CREDS.accessKeyId, reason: null });
    expect(mine.authority).toBe(DOMAIN);

    const st = await rig.waitForRelayStatus((x) => x.activeStreams.some((a: any) => a.types.length === 2 && a.types.every((t: any) => t.state === 'SYNCED')));
    const view = st.activeStreams.find((a: any) => a.node?.id === NODE.id);
    expect(view.node).toMatchObject({ id: NODE.id, cluster: 'serviceA' });
    expect(view.kind).toBe('sotw');
    const cdsView = view.types.find((t: any) => t.typeUrl === TypeUrl.Cluster);
    expect(cdsView).toMatchObject({ state: 'SYNCED', lastVersionSent: cds.versionInfo, lastNonceSent: cds.nonce, lastAckedVersion: cds.versionInfo, lastResourceCount: 2, acks: 1, nacks: 0 });
    s.cancel();
  });

  it('shows a NACK, with its message, in the relay /status and metrics', async () => {
    const s = client.openSotw({ id: 'nacker-1', cluster: 'c' });
    s.send({ typeUrl: TypeUrl.Cluster });
    const cds = await s.next();
    s.nack(cds, 'cluster extra-cluster: bad lb policy');
    const st = await rig.waitForRelayStatus((x) => x.activeStreams.some((a: any) => a.node?.id === 'nacker-1' && a.types[0]?.state === 'NACKED'));
    const t = st.activeStreams.find((a: any) => a.node?.id === 'nacker-1').types[0];
    expect(t.lastNack).toMatchObject({ message: 'cluster extra-cluster: bad lb policy', code: 3, nonce: cds.nonce, rejectedVersion: cds.versionInfo });
    const m = await getText(rig.adminSocket, '/stats/prometheus');
    expect(m.body).toContain(`appnet_relay_nacks_total{type_url="${TypeUrl.Cluster}"} 1`);
    const nacks = await rig.mgmtAdmin.nacks();
    expect(nacks.find((n) => n.nodeId === 'nacker-1')?.lastMessage).toBe('cluster extra-cluster: bad lb policy');
    s.cancel();
  });

  it('passes Delta ADS through: subscribe, push on change, removal', async () => {
    const d = client.openDelta({ id: 'delta-node', cluster: 'c' });
    d.subscribe(TypeUrl.Cluster);
    const first = await d.next();
    expect(first.resources.map((r) => r.name).sort()).toEqual(['echo-target-cluster', 'extra-cluster']);
    d.ack(first);
    rig.writeResources([...serviceChain('echo-target', echoPort)]); // drop extra-cluster
    const change = await d.next(5000);
    expect(change.removedResources).toEqual(['extra-cluster']);
    d.ack(change);
    const st = await rig.waitForRelayStatus((x) => x.activeStreams.some((a: any) => a.node?.id === 'delta-node' && a.types[0]?.acks === 2));
    expect(st.activeStreams.find((a: any) => a.node?.id === 'delta-node').kind).toBe('delta');
    rig.writeResources([...serviceChain('echo-target', echoPort), cluster('extra-cluster', 'extra-eds')]);
    const back = await d.next(5000);
    expect(back.resources.map((r) => r.name)).toEqual(['extra-cluster']);
    d.cancel();
  });

  it('lets @grpc/grpc-js-xds resolve xds:/// through the relay socket and call an echo server', async () => {
    const bootstrap = path.join(rig.dir, 'xds-bootstrap.json');
    fs.writeFileSync(
      bootstrap,
      JSON.stringify({
        xds_servers: [{ server_uri: `unix://${rig.socket}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
        node: { id: 'mesh/apps/virtualNode/proxyless', cluster: 'proxyless', locality: { zone: 'z1' } },
      }),
    );
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, [path.join(ROOT, 'dist', 'test', 'fixtures', 'xds-echo-client.js')], {
        env: { PATH: process.env.PATH ?? '', GRPC_XDS_BOOTSTRAP: bootstrap, TARGET: 'xds:///echo-target', CALLS: '3' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let o = '';
      let e = '';
      p.stdout.on('data', (d) => (o += d));
      p.stderr.on('data', (d) => (e += d));
      const t = setTimeout(() => p.kill('SIGKILL'), 25_000);
      p.on('exit', (code) => {
        clearTimeout(t);
        code === 0 ? resolve(o) : reject(new Error(`client exited ${code}: ${e}`));
      });
    });
    const result = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(result).toEqual({ ok: 3, replies: ['echo:call 0', 'echo:call 1', 'echo:call 2'], errors: [] });
    const streams = await rig.mgmtAdmin.streams();
    const px = streams.find((x) => x.nodeId === 'mesh/apps/virtualNode/proxyless')!;
    expect(px.sigv4?.ok).toBe(true);
    expect(px.nodeUserAgent).toMatch(/gRPC Node Pure JS/);
  }, 40_000);

  it('passes the management server rejecting the signature (unknown key) through as UNAUTHENTICATED', async () => {
    const dir = tmpDir('appnet-badkey-');
    const bad = new CredentialServer({ ...TEST_CREDS, accessKeyId: 'AKIDUNKNOWN00000', secretAccessKey: 'wrong' });
    await bad.start();
    const relay = await startRelay(rig.relayEnv({}, dir, bad.url));
    const c = new AdsTestClient({ target: `unix://${path.join(dir, 'relay.sock')}` });
    try {
      const s = c.openSotw({ id: 'intruder', cluster: 'c' });
      s.send({ typeUrl: TypeUrl.Cluster });
      const st = await s.status;
      expect(st.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(st.details).toMatch(/unknown access key AKIDUNKNOWN00000/);
      const rej = await rig.mgmtAdmin.rejections();
      expect(rej.some((r) => r.accessKeyId === 'AKIDUNKNOWN00000' && r.authority === DOMAIN)).toBe(true);
    } finally {
      c.close();
      await relay.stop('SIGKILL');
      await bad.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('detects a frozen management server with keepalive PINGs and fails its streams with UNAVAILABLE', async () => {
    const dir = tmpDir('appnet-ka-');
    const relay = await startRelay(rig.relayEnv({ RELAY_KEEPALIVE_INTERVAL: '300ms', RELAY_KEEPALIVE_TIMEOUT: '300ms' }, dir));
    const c = new AdsTestClient({ target: `unix://${path.join(dir, 'relay.sock')}` });
    try {
      const s = c.openSotw({ id: 'ka-node', cluster: 'c' });
      s.send({ typeUrl: TypeUrl.Cluster });
      await s.next();
      rig.mgmt.proc.kill('SIGSTOP');
      const t0 = Date.now();
      const st = await s.status;
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(st.code).toBe(grpc.status.UNAVAILABLE);
      expect(st.details).toMatch(/keepalive/);
    } finally {
      rig.mgmt.proc.kill('SIGCONT');
      c.close();
      await relay.stop('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns a killed management server into UNAVAILABLE for open streams, and serves again once it is back', async () => {
    const s = client.openSotw({ id: 'survivor', cluster: 'c' });
    s.send({ typeUrl: TypeUrl.Cluster });
    await s.next();
    await rig.mgmt.stop('SIGKILL');
    const st = await s.status;
    expect(st.code).toBe(grpc.status.UNAVAILABLE);
    expect(st.details).toMatch(/^relay: connection to the management server was lost/);
    // fast failure while it is down
    const down = client.openSotw({ id: 'early', cluster: 'c' });
    down.send({ typeUrl: TypeUrl.Cluster });
    expect((await down.status).code).toBe(grpc.status.UNAVAILABLE);
    await rig.startMgmt(rig.mgmtPort);
    await rig.waitForRelayStatus((x) => x.upstream.state === 'CONNECTED', 15_000, 'reconnected');
    const again = client.openSotw({ id: 'survivor', cluster: 'c' });
    again.send({ typeUrl: TypeUrl.Cluster });
    expect((await again.next()).resources.length).toBeGreaterThan(0);
    again.cancel();
  });
});
