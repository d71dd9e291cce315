import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ResourceCodec } from '../../src/mgmt/resource-codec';
import { startManagementServer } from '../../src/mgmt/server';
import { StaticResourceSource } from '../../src/mgmt/static-source';
import { EnvoyAdminClient, EnvoyAdminError } from '../../src/sidecar/envoy-admin/client';
import { FakeEnvoyProcess, writeBootstrap, type BootstrapSpec } from '../fixtures/envoy-stand-in';
import { tmpDir, waitFor } from '../fixtures/tmp';
import { serviceChain } from '../fixtures/xds-resources';

/** The agent's Envoy admin client against the Envoy stand-in, over TCP and over the admin Unix socket. */

const HEALTH_FILTER = '^(control_plane\\.connected_state|listener_manager\\.listener_create_failure)$';
let dir: string;
const cleanups: Array<() => unknown> = [];
beforeAll(() => {
  dir = tmpDir('envoy-admin-it-');
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function envoy(spec: Partial<BootstrapSpec> = {}, env: Record<string, string> = {}): Promise<FakeEnvoyProcess> {
  const config = writeBootstrap(dir, { admin: { port: 0 }, ...spec }, `envoy-${Math.random().toString(36).slice(2)}.yaml`);
  const fe = await FakeEnvoyProcess.start({ dir, config, env });
  cleanups.push(() => fe.stop('SIGKILL'));
  return fe;
}

describe('EnvoyAdminClient against the fake Envoy over TCP', () => {
  it('reads readiness and the health stats the way the health poller does', async () => {
    const server = await startManagementServer({ source: new StaticResourceSource(new ResourceCodec().encodeAll(serviceChain('svc', 9000))) });
    cleanups.push(() => server.forceClose());
    const fe = await envoy({ xdsTarget: `127.0.0.1:${server.port}` }, { FAKE_ENVOY_LISTENER_FAILURES: '1' });
    const client = new EnvoyAdminClient({ mode: 'tcp', port: fe.admin().port!, udsPath: '/nonexistent' });
    await waitFor(async () => (await client.ready()).status === 200, 5000, 'LIVE');
    expect(await client.ready()).toMatchObject({ status: 200, body: 'LIVE\n' });
    const stats = await client.statsJson(HEALTH_FILTER);
    expect(Object.fromEntries(stats)).toEqual({ 'control_plane.connected_state': 1, 'listener_manager.listener_create_failure': 1 });
  });

  it('drains, sets log levels (Envoy refuses "warn": a 400 comes back, not retried) and scrapes Prometheus', async () => {
    const appmesh = path.join(dir, 'appmesh.prom');
    fs.writeFileSync(appmesh, '# TYPE envoy_appmesh_RequestCount counter\nenvoy_appmesh_RequestCount{Mesh="m"} 4\n');
    const fe = await envoy({}, { FAKE_ENVOY_APPMESH_STATS: appmesh });
    const client = new EnvoyAdminClient({ mode: 'tcp', port: fe.admin().port!, udsPath: '/nonexistent' });
    expect(await client.drainListeners('inboundonly')).toMatchObject({ status: 200, body: 'OK\n' });
    expect(await client.drainListeners('graceful')).toMatchObject({ status: 200, body: 'OK\n' });
    expect(fe.events().filter((e) => e.event === 'drain').map((e) => [e.inboundonly, e.graceful])).toEqual([[true, false], [false, true]]);

    const debug = await client.setLogLevel('debug');
    expect(debug.status).toBe(200);
    expect(debug.body).toMatch(/^active loggers:\n {2}admin: debug\n/);
    const warn = await client.setLogLevel('warn');
    expect(warn.status).toBe(400);
    expect(warn.body).toMatch(/^error: unknown logger level\n/);
    expect(fe.events().filter((e) => e.event === 'logging')).toHaveLength(2);

    const filtered = await client.prometheus({ usedonly: true, filter: 'appmesh' });
    expect(filtered).toMatchObject({ status: 200, body: '# TYPE envoy_appmesh_RequestCount counter\nenvoy_appmesh_RequestCount{Mesh="m"} 4\n' });
    const all = await client.prometheus({ usedonly: false });
    expect(all.body).toContain('envoy_server_live{} 1\n');
  });

  it('retries a slow Envoy: every attempt times out at 250 ms, and Envoy still sees (and acts on) each one', async () => {
    const fe = await envoy({}, { FAKE_ENVOY_ADMIN_DELAY_MS: '400' });
    const client = new EnvoyAdminClient({ mode: 'tcp', port: fe.admin().port!, udsPath: '/nonexistent' });
    const err = await client.drainListeners('graceful').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvoyAdminError);
    expect((err as Error).message).toBe('POST /drain_listeners?graceful: giving up after 4 attempts: no complete answer within 250 ms');
    await fe.waitForEvent(() => fe.events().filter((e) => e.event === 'drain').length === 4, 3000, 'four drains');
  });

  it('reports a dead Envoy as a transport error', async () => {
    const fe = await envoy();
    const port = fe.admin().port!;
    await fe.stop();
    const err = await new EnvoyAdminClient({ mode: 'tcp', port, udsPath: '/nonexistent' }).ready().catch((e: unknown) => e);
    expect((err as Error).message).toBe(`GET /ready: connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});

describe('EnvoyAdminClient against the fake Envoy over the admin Unix socket', () => {
  it('talks over the pipe with Host 127.0.0.1:<port> and its User-Agent (seen in the admin access log)', async () => {
    const sock = path.join(dir, 'envoy_admin.sock');
    const accessLog = path.join(dir, 'admin_access.log');
    await envoy({ admin: { pipe: sock }, accessLogPath: accessLog });
    const client = new EnvoyAdminClient({ mode: 'uds', port: 9901, udsPath: sock });
    expect(await client.ready()).toMatchObject({ status: 200, body: 'LIVE\n' });
    expect((await client.statsJson(HEALTH_FILTER)).get('listener_manager.listener_create_failure')).toBe(0);
    expect(fs.readFileSync(accessLog, 'utf8')).toMatch(/"GET \/ready HTTP\/1.1" 200 .* "appnetClient\/1.0" "-" "127.0.0.1:9901"/);
  });
});
