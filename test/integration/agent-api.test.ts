import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRig } from '../fixtures/agent-rig';
import { freePort, writeBootstrap } from '../fixtures/envoy-stand-in';
import { sleep, tmpDir, waitFor } from '../fixtures/tmp';

const APPMESH_STATS = (n: number) => `# TYPE envoy_appmesh_GrpcRequestCount counter
envoy_appmesh_GrpcRequestCount{Mesh="apps",VirtualNode="serviceA"} ${n}
envoy_appmesh_GrpcRequestCount{Mesh="apps",VirtualNode="serviceB"} 0
# TYPE envoy_appmesh_RequestLatency histogram
envoy_appmesh_RequestLatency_bucket{Mesh="apps",le="0.5"} 1
envoy_appmesh_RequestLatency_bucket{Mesh="apps",le="1000000"} 3
envoy_appmesh_RequestLatency_bucket{Mesh="apps",le="+Inf"} 3
envoy_appmesh_RequestLatency_sum{Mesh="apps"} 12.5
envoy_appmesh_RequestLatency_count{Mesh="apps"} 3
`;

describe('the agent admin API', () => {
  const dir = tmpDir('appnet-api-');
  const statsFile = path.join(dir, 'appmesh.prom');
  let rig: AgentRig;
  beforeAll(async () => {
    fs.writeFileSync(statsFile, APPMESH_STATS(5));
    // An Envoy config without ADS: the stand-in is LIVE at once.
    const cfg = writeBootstrap(dir, { admin: { port: await freePort() } }, 'envoy.yaml');
    const port = /port_value: (\d+)|portValue: (\d+)|"port_value":(\d+)/.exec(fs.readFileSync(cfg, 'utf8'));
    rig = await AgentRig.start({
      env: {
        ENVOY_CONFIG_FILE: cfg,
        ENVOY_ADMIN_ACCESS_PORT: port ? (port[1] ?? port[2] ?? port[3])! : '9901',
        APPNET_AGENT_LOGGING_RESET_TIMEOUT: '1',
        FAKE_ENVOY_APPMESH_STATS: statsFile,
        ENABLE_STATS_SNAPSHOT: '1',
        APPNET_STATS_SNAPSHOT_INTERVAL: '1s',
      },
    });
    await rig.waitForStatus((s) => s.envoyState === 'LIVE');
  });
  afterAll(async () => {
    await rig?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('GET /status: the reference fields as strings, plus reasons and the exit history', async () => {
    const st = await rig.status();
    expect(Object.keys(st).slice(0, 5)).toEqual(['healthStatus', 'agentUptime', 'envoyPid', 'envoyState', 'envoyRestartCount']);
    expect(st).toMatchObject({ healthStatus: 'HEALTHY', envoyState: 'LIVE', envoyRestartCount: '0', envoyReadinessState: 'INITIALIZED', initialConfigUpdateStatus: 'UPDATE_SUCCESSFUL' });
    expect(st.agentUptime).toMatch(/^\d+s$/);
    expect(Number(st.envoyPid)).toBeGreaterThan(1);
    // no xDS in this config: disconnected, tolerated, and said so
    expect(st.managementServerConnectionStatus).toBe('NOT_CONNECTED');
    expect(st.managementServerDisconnectedTimestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(st.reasons).toEqual([expect.stringMatching(/^the xDS relay on .*no-relay.sock is unreachable/), expect.stringMatching(/tolerated for HC_DISCONNECTED_TIMEOUT_S=604800/)]);
    expect(st.relay).toMatchObject({ relay: 'UNREACHABLE' }); // APPMESH_XDS_ENDPOINT names a socket nobody serves
  });

  it('POST /drain_listeners: bare (inbound only), ?inboundonly, ?graceful, both; bad requests refused', async () => {
    const drains = () => rig.events().filter((e) => e.event === 'drain');
    expect((await rig.request('POST', '/drain_listeners')).status).toBe(200);
    expect((await rig.request('POST', '/drain_listeners?graceful')).status).toBe(200);
    expect((await rig.request('POST', '/drain_listeners?inboundonly&graceful')).status).toBe(200);
    await waitFor(() => drains().length === 3, 3000, 'three drains');
    expect(drains().map((e) => [e.inboundonly, e.graceful])).toEqual([
      [true, false],
      [false, true],
      [true, true],
    ]);
    expect((await rig.request('GET', '/drain_listeners')).status).toBe(405);
    const bad = await rig.request('POST', '/drain_listeners?everything');
    expect([bad.status, bad.body]).toEqual([400, 'Unexpected query parameters specified in request [map[everything:[]]]\nuse inboundonly and/or graceful\n']);
  });

  it('POST /enableLogging: every Envoy level, 304 when unchanged, reset after the timeout, permanent', async () => {
    const logging = () => rig.events().filter((e) => e.event === 'logging' && e.accepted);
    const w = await rig.request('POST', '/enableLogging?level=warning');
    expect([w.status, w.body]).toEqual([200, 'Setting logging level from [info] to [warning]\n']);
    expect((await rig.request('POST', '/enableLogging?level=warning')).status).toBe(304);
    expect((await rig.request('POST', '/enableLogging?level=critical')).status).toBe(200);
    expect((await rig.request('POST', '/enableLogging?level=warn')).status).toBe(200); // sent to Envoy as "warning"
    expect((await rig.request('POST', '/enableLogging?level=loud')).status).toBe(400);
    expect((await rig.request('POST', '/enableLogging?level=debug&extra=1')).status).toBe(400);
    expect((await rig.request('GET', '/enableLogging?level=debug')).status).toBe(405);
    // the temporary level goes back to the baseline after APPNET_AGENT_LOGGING_RESET_TIMEOUT=1
    await waitFor(() => JSON.stringify(logging().at(-1)).includes('info'), 4000, 'reset to info');
    expect(logging().map((e) => JSON.stringify(e.params))).toEqual([
      expect.stringContaining('warning'),
      expect.stringContaining('critical'),
      expect.stringContaining('warning'),
      expect.stringContaining('info'),
    ]);
    expect((await rig.request('POST', '/enableLogging?level=debug&permanent=true')).status).toBe(200);
    await sleep(1500);
    expect(JSON.stringify(logging().at(-1))).toContain('debug'); // no reset
  });

  it('GET /stats/prometheus: live, usedonly, metrics_extension (renamed, sorted), and errors', async () => {
    const all = await rig.request('GET', '/stats/prometheus');
    expect(all.status).toBe(200);
    expect(all.body).toContain('envoy_appmesh_GrpcRequestCount');
    expect(all.body).toMatch(/^envoy_server_live/m);
    const ext = await rig.request('GET', '/stats/prometheus?filter=metrics_extension');
    expect(ext.body).toBe(
      '\n# TYPE GrpcRequestCount counter\nGrpcRequestCount{Mesh="apps",VirtualNode="serviceA"} 5\nGrpcRequestCount{Mesh="apps",VirtualNode="serviceB"} 0\n' +
        '\n# TYPE RequestLatency histogram\nRequestLatency_bucket{Mesh="apps",le="0.5"} 1\nRequestLatency_bucket{Mesh="apps",le="1e+06"} 3\nRequestLatency_bucket{Mesh="apps",le="+Inf"} 3\nRequestLatency_sum{Mesh="apps"} 12.5\nRequestLatency_count{Mesh="apps"} 3\n',
    );
    expect((await rig.request('GET', '/stats/prometheus?usedonly')).status).toBe(200);
    expect((await rig.request('GET', '/stats/prometheus?filter=all')).status).toBe(400);
    expect((await rig.request('GET', '/stats/prometheus?format=json')).body).toBe('unsupported query parameter: format\n');
    expect((await rig.request('GET', '/stats/prometheus?delta')).status).toBe(400);
    expect((await rig.request('POST', '/stats/prometheus')).status).toBe(405);
  });

  it('serves deltas from the snapshotter, and restarts them when the counters move', async () => {
    await sleep(1200); // a first snapshot (delta = values)
    fs.writeFileSync(statsFile, APPMESH_STATS(12));
    const d = await waitFor(async () => {
      const r = await rig.request('GET', '/stats/prometheus?usedonly&filter=metrics_extension&delta');
      return r.body.includes('serviceA"} 7') ? r : undefined;
    }, 5000, 'a delta of 7', 300);
    expect(d.headers['x-appnet-stats-source']).toBe('delta');
    expect(d.body).toContain('GrpcRequestCount{Mesh="apps",VirtualNode="serviceB"} 0');
  });

  it('answers 404 to unknown paths and 429 past 10 requests/s (burst 20)', async () => {
    expect((await rig.request('GET', '/status/')).status).toBe(404);
    await sleep(2100); // refill the bucket
    const codes = await Promise.all(Array.from({ length: 30 }, () => rig.request('GET', '/status').then((r) => r.status)));
    expect(codes.filter((c) => c === 200).length).toBeGreaterThanOrEqual(20);
    expect(codes.filter((c) => c === 200).length).toBeLessThan(25);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(4);
    await sleep(1000);
  });
});

describe('the agent admin API over TCP', () => {
  it('listens on APPNET_AGENT_HTTP_BIND_ADDRESS:APPNET_AGENT_HTTP_PORT', async () => {
    const port = await freePort();
    const rig = await AgentRig.start({ env: { APPNET_AGENT_ADMIN_MODE: 'tcp', APPNET_AGENT_HTTP_PORT: String(port) }, waitForAdmin: false });
    try {
      const st = await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/status`)).json(), 10_000, 'TCP /status');
      expect(st).toHaveProperty('healthStatus');
      const v6 = await fetch(`http://[::1]:${port}/status`);
      expect(v6.status).toBe(200);
    } finally {
      await rig.close();
    }
  });
});
