import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeEnvoyProcess, adminRequest, writeBootstrap, type BootstrapSpec } from '../fixtures/envoy-stand-in';
import { tmpDir } from '../fixtures/tmp';

/** The Envoy stand-in's admin interface: Envoy's paths, methods, formats and answers (no xDS here). */

let dir: string;
const cleanups: Array<() => unknown> = [];
beforeAll(() => {
  dir = tmpDir('fake-envoy-admin-');
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function envoy(spec: Partial<BootstrapSpec> = {}, env: Record<string, string> = {}, args: string[] = []): Promise<FakeEnvoyProcess> {
  const config = writeBootstrap(dir, { admin: { port: 0 }, ...spec }, `envoy-${Math.random().toString(36).slice(2)}.yaml`);
  const fe = await FakeEnvoyProcess.start({ dir, config, env, args });
  cleanups.push(() => fe.stop('SIGKILL'));
  return fe;
}

describe('fake Envoy admin: readiness and stats', () => {
  it('is LIVE at once without xDS; /ready answers 200 "LIVE\\n" with Envoy headers', async () => {
    const fe = await envoy();
    await fe.waitForState('LIVE');
    const r = await fe.request('GET', '/ready');
    expect(r).toMatchObject({ status: 200, body: 'LIVE\n' });
    expect(r.headers).toMatchObject({ 'content-type': 'text/plain; charset=UTF-8', 'cache-control': 'no-cache, max-age=0', 'x-content-type-options': 'nosniff' });
  });

  it('renders text, JSON (regex filter, usedonly) and Prometheus; no control_plane stats without ADS', async () => {
    const fe = await envoy({}, { FAKE_ENVOY_LISTENER_FAILURES: '2' });
    const text = (await fe.request('GET', '/stats')).body;
    expect(text).toMatch(/^server\.live: 1$/m);
    expect(text).toMatch(/^server\.initialization_time_ms: P0\(nan,\d+\) P25/m);
    expect(text).toMatch(/^server\.debug_assertion_failures: 0$/m);
    expect((await fe.request('GET', '/stats?usedonly')).body).not.toMatch(/debug_assertion_failures/);
    expect(text).not.toMatch(/control_plane/);

    const filter = encodeURIComponent('^(control_plane\\.connected_state|listener_manager\\.listener_create_failure)$');
    const json = await fe.request('GET', `/stats?filter=${filter}&format=json`);
    expect(json.headers['content-type']).toBe('application/json');
    expect(JSON.parse(json.body)).toEqual({ stats: [{ name: 'listener_manager.listener_create_failure', value: 2 }] });
    const all = JSON.parse((await fe.request('GET', '/stats?format=json')).body) as { stats: Array<Record<string, unknown>> };
    expect(all.stats.at(-1)).toHaveProperty('histograms.supported_quantiles');

    const prom = (await fe.request('GET', '/stats?format=prometheus')).body;
    expect(prom).toContain('# TYPE envoy_server_live gauge\nenvoy_server_live{} 1\n\n');
    expect(prom).toContain('# TYPE envoy_listener_manager_listener_create_failure counter\nenvoy_listener_manager_listener_create_failure{} 2\n');
    expect(prom).toMatch(/envoy_http_downstream_rq_xx\{envoy_response_code_class="2",envoy_http_conn_manager_prefix="admin"\} \d+/);
    expect(prom).toMatch(/envoy_server_initialization_time_ms_bucket\{le="0.5"\} \d+\n/);
    const promUsed = (await fe.request('GET', '/stats/prometheus?usedonly')).body;
    expect(promUsed).not.toContain('envoy_server_debug_assertion_failures');
    expect(promUsed).toContain('envoy_server_live{} 1');

    expect(await fe.request('GET', '/stats?filter=(')).toMatchObject({ status: 400, body: 'Invalid re2 regex' });
    expect((await fe.request('GET', '/stats?format=xml')).status).toBe(400);
  });

  it('appends FAKE_ENVOY_APPMESH_STATS to Prometheus output (re-read each time; filter applies) and applies FAKE_ENVOY_STATS_JSON', async () => {
    const appmesh = path.join(dir, 'appmesh.prom');
    const overrides = path.join(dir, 'overrides.json');
    fs.writeFileSync(appmesh, '# TYPE envoy_appmesh_GrpcRequestCount counter\nenvoy_appmesh_GrpcRequestCount{Mesh="m",VirtualNode="vn"} 0\n');
    const fe = await envoy({}, { FAKE_ENVOY_APPMESH_STATS: appmesh, FAKE_ENVOY_STATS_JSON: overrides });
    expect((await fe.request('GET', '/stats/prometheus')).body).toMatch(/envoy_server_live\{\} 1\n[\s\S]*envoy_appmesh_GrpcRequestCount\{Mesh="m",VirtualNode="vn"\} 0\n$/);
    fs.writeFileSync(appmesh, '# TYPE envoy_appmesh_GrpcRequestCount counter\nenvoy_appmesh_GrpcRequestCount{Mesh="m",VirtualNode="vn"} 5\n');
    const filtered = (await fe.request('GET', '/stats?format=prometheus&filter=appmesh&usedonly')).body;
    expect(filtered).toBe('# TYPE envoy_appmesh_GrpcRequestCount counter\nenvoy_appmesh_GrpcRequestCount{Mesh="m",VirtualNode="vn"} 5\n');

    fs.writeFileSync(overrides, JSON.stringify({ gauges: { 'listener.0.0.0.0_15000.downstream_cx_active': 3 }, counters: { 'listener_manager.listener_create_failure': 1 } }));
    const stats = JSON.parse((await fe.request('GET', '/stats?format=json&filter=downstream_cx_active|create_failure')).body) as { stats: unknown[] };
    expect(stats.stats).toEqual([
      { name: 'listener.0.0.0.0_15000.downstream_cx_active', value: 3 },
      { name: 'listener.admin.downstream_cx_active', value: 0 },
      { name: 'listener_manager.listener_create_failure', value: 1 },
    ]);
    expect((await fe.request('GET', '/stats/prometheus')).body).toContain('envoy_listener_downstream_cx_active{envoy_listener_address="0.0.0.0_15000"} 3');
  });
});

describe('fake Envoy admin: mutations', () => {
  it('requires POST for mutations (405 otherwise) and 404s unknown paths with the command list', async () => {
    const fe = await envoy();
    for (const p of ['/drain_listeners?inboundonly', '/logging', '/quitquitquit', '/healthcheck/fail']) {
      expect(await fe.request('GET', p), p).toMatchObject({ status: 405, body: 'Method GET not allowed, POST required.' });
    }
    const nf = await fe.request('GET', '/status');
    expect(nf.status).toBe(404);
    expect(nf.body).toMatch(/^invalid path. admin commands are:\n {2}\/: Admin home page\n/);
    expect(nf.body).toContain('  /drain_listeners (POST): drain listeners\n');
    expect((await fe.request('GET', '/ready/')).status).toBe(404);
  });

  it('drains listeners (inboundonly, graceful) without leaving LIVE; /healthcheck/fail is what shows DRAINING', async () => {
    const fe = await envoy({}, {}, ['--drain-time-s', '1']);
    expect(await fe.request('POST', '/drain_listeners?inboundonly')).toMatchObject({ status: 200, body: 'OK\n' });
    expect(await fe.request('POST', '/drain_listeners?graceful')).toMatchObject({ status: 200, body: 'OK\n' });
    expect(await fe.request('POST', '/drain_listeners?skip_exit')).toMatchObject({ status: 400, body: 'skip_exit requires graceful\n' });
    expect((await fe.request('GET', '/ready')).body).toBe('LIVE\n');
    expect(fe.events().filter((e) => e.event === 'drain').map((e) => [e.inboundonly, e.graceful])).toEqual([[true, false], [false, true]]);
    expect(await fe.request('POST', '/healthcheck/fail')).toMatchObject({ status: 200, body: 'OK\n' });
    expect(await fe.request('GET', '/ready')).toMatchObject({ status: 503, body: 'DRAINING\n' });
    await fe.request('POST', '/healthcheck/ok');
    expect((await fe.request('GET', '/ready')).body).toBe('LIVE\n');
  });

  it('changes log levels like Envoy: all, one logger, paths; rejects unknown levels ("warn" included) and loggers with 400', async () => {
    const fe = await envoy({}, {}, ['-l', 'info']);
    const list = await fe.request('POST', '/logging');
    expect(list.status).toBe(200);
    expect(list.body).toMatch(/^active loggers:\n {2}admin: info\n/);
    const all = await fe.request('POST', '/logging?level=debug');
    expect(all.status).toBe(200);
    expect(all.body.split('\n').filter((l) => l.startsWith('  ')).every((l) => l.endsWith(': debug'))).toBe(true);
    expect((await fe.request('POST', '/logging?upstream=trace')).body).toContain('  upstream: trace\n');
    expect((await fe.request('POST', '/logging?paths=config:error,http:off')).body).toMatch(/ {2}config: error\n[\s\S]* {2}http: off\n/);
    for (const bad of ['level=warn', 'level=verbose', 'bogus=info', 'level=info&upstream=info']) {
      const r = await fe.request('POST', `/logging?${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body).toMatch(/^error: (unknown logger level|unknown logger name|invalid number of parameters)\n\nusage: \/logging\?<name>=<level> \(change single level\)\n/);
      expect(r.body).toContain('levels: trace debug info warning error critical off \n');
    }
    expect((await fe.request('POST', '/logging?level=warning')).status).toBe(200);
    expect(fe.events().filter((e) => e.event === 'logging').length).toBe(8);
    expect(fe.stderr).toContain("change all log levels: level='debug'");
  });

  it('/server_info reports version, state and the command line', async () => {
    const fe = await envoy({ nodeId: 'node-7' }, {}, ['-l', 'debug', '--concurrency', '1', '--drain-time-s', '7', '--disable-hot-restart']);
    const r = await fe.request('GET', '/server_info');
    const info = JSON.parse(r.body) as Record<string, any>;
    expect(info).toMatchObject({ version: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef/1.29.1/Clean/RELEASE/BoringSSL', state: 'LIVE', hot_restart_version: 'disabled' });
    expect(info['command_line_options']).toMatchObject({ concurrency: 1, drain_time: '7s', log_level: 'debug', disable_hot_restart: true, mode: 'Serve' });
    expect(info['node']).toMatchObject({ id: 'node-7', user_agent_name: 'envoy' });
    expect(info['uptime_current_epoch']).toMatch(/^\d+s$/);
  });
});

describe('fake Envoy admin: addresses', () => {
  it('binds the bootstrap pipe (replacing a stale file) with its mode', async () => {
    const sock = path.join(dir, 'envoy_admin.sock');
    fs.writeFileSync(sock, '');
    const fe = await envoy({ admin: { pipe: sock, mode: 384 } });
    expect(fe.admin()).toEqual({ socketPath: sock });
    expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
    expect(await adminRequest({ socketPath: sock }, 'GET', '/ready')).toMatchObject({ status: 200, body: 'LIVE\n' });
  });

  it('binds "::" with ipv4Compat (reachable on 127.0.0.1), writes the admin access log', async () => {
    const accessLog = path.join(dir, 'admin_access.log');
    const fe = await envoy({ admin: { address: '::', port: 0, ipv4Compat: true }, accessLogPath: accessLog });
    expect(await fe.request('GET', '/ready')).toMatchObject({ status: 200 });
    expect(fs.readFileSync(accessLog, 'utf8')).toMatch(/"GET \/ready HTTP\/1.1" 200 .*"127.0.0.1:\d+" "-"\n$/);
  });

  it('fails to start (exit 1) when the admin port is taken', async () => {
    const first = await envoy();
    const { port } = first.admin();
    const config = writeBootstrap(dir, { admin: { port } }, 'taken.yaml');
    const second = await FakeEnvoyProcess.start({ dir, config, waitForAdmin: false });
    expect(await second.exited).toEqual({ code: 1, signal: null });
    expect(second.stderr).toContain(`[critical][main] [source/server/server.cc:131] error initializing configuration '${config}': cannot bind '127.0.0.1:${port}': Address already in use`);
  });

  it('answers slowly with FAKE_ENVOY_ADMIN_DELAY_MS', async () => {
    const fe = await envoy({}, { FAKE_ENVOY_ADMIN_DELAY_MS: '300' });
    const t0 = Date.now();
    await fe.request('GET', '/ready');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });
});
