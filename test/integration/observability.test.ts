import * as AM from '@aws-sdk/client-app-mesh';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRig } from '../fixtures/agent-rig';
import { http2Targets } from '../fixtures/appmesh-seed';
import { freePort } from '../fixtures/etcd-process';
import { ROOT } from '../fixtures/relay-process';
import { waitFor } from '../fixtures/tmp';
import { XdsRig } from '../fixtures/xds-rig';

/**
 * The Grafana dashboards and Prometheus alert rules under deploy/ against the
 * daemons themselves: a relay, a sidecar agent (with the Envoy stand-in, which
 * NACKs routes) and appnet-mgmt run and are scraped by a real Prometheus
 * (Debian's prometheus package); every metric a dashboard or a rule names is
 * one of the families they export, every expression runs in Prometheus, the
 * rules pass promtool, and the dashboards are importable Grafana JSON.
 */

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const GRAFANA = path.join(ROOT, 'deploy', 'grafana');
const RULES = path.join(ROOT, 'deploy', 'prometheus', 'appnet-alerts.yml');

interface Dashboard {
  uid: string;
  __inputs: Array<{ name: string; type: string; pluginId: string }>;
  panels: Array<{ id: number; title: string; type: string; datasource: { uid: string }; gridPos: { x: number; y: number; w: number; h: number }; targets: Array<{ expr: string; refId: string }> }>;
}

function dashboards(): Array<{ file: string; d: Dashboard }> {
  return fs.readdirSync(GRAFANA).filter((f) => f.endsWith('.json')).map((f) => ({ file: f, d: JSON.parse(fs.readFileSync(path.join(GRAFANA, f), 'utf8')) as Dashboard }));
}

function ruleExprs(): Array<{ alert: string; expr: string }> {
  const doc = parseYaml(fs.readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  return doc.groups.flatMap((g) => g.rules.map((r) => ({ alert: r.alert, expr: String(r.expr) })));
}

/** The metric names in a PromQL expression: identifiers of our families (label names and functions are not appnet_...). */
export function metricNames(expr: string): string[] {
  return [...new Set([...expr.replace(/"[^"]*"/g, '""').matchAll(/\b(appnet_[a-z0-9_]+)\b/g)].map((m) => m[1]!))];
}

/** Every series name a Prometheus text exposition can produce: its families, histograms' _bucket/_sum/_count. */
function exported(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [name, type] = [m[1]!, m[2]!];
    out.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) out.add(name + s);
  }
  return out;
}

async function tcpReady(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

describe('dashboards and alert rules against the running daemons and a real Prometheus', () => {
  let rig: XdsRig;
  let agent: AgentRig;
  let prometheus: ChildProcess | undefined;
  let promPort = 0;
  const targets = { relay: 0, agent: 0, mgmt: 0 };
  const names = new Set<string>();

  beforeAll(async () => {
    for (const f of [PROMETHEUS, PROMTOOL]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: install Debian's prometheus package (.ci/run does)`);
    targets.relay = await freePort();
    targets.agent = await freePort();
    rig = await XdsRig.start({
      appmesh: { file: path.join(ROOT, 'examples', 'appmesh', 'apps.yaml') },
      relayEnv: { APPNET_AGENT_ADMIN_MODE: 'tcp', APPNET_AGENT_HTTP_PORT: String(targets.relay), APPNET_AGENT_HTTP_BIND_ADDRESS: '127.0.0.1' },
    });
    targets.mgmt = rig.mgmtAdminPort;
    agent = await AgentRig.start({ relaySocket: rig.socket, waitForAdmin: false, env: { FAKE_ENVOY_NACK: 'rds', APPNET_AGENT_ADMIN_MODE: 'tcp', APPNET_AGENT_HTTP_PORT: String(targets.agent), APPNET_AGENT_HTTP_BIND_ADDRESS: '127.0.0.1' } });
    // Gently: the agent's admin API allows 10 requests a second.
    await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${targets.agent}/status`)).json()) as { envoyState: string }).envoyState === 'LIVE', 20_000, 'the agent with a LIVE Envoy', 250);
    // What makes the labelled families appear: a model change (pushes), API calls (one refused), a NACK (the stand-in), a rejected socket request.
    await rig.appMesh().send(new AM.UpdateRouteCommand({ meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB', spec: http2Targets([{ virtualNode: 'serviceB', weight: 50 }, { virtualNode: 'serviceBv2', weight: 50 }]) }));
    await rig.appMesh().send(new AM.DescribeMeshCommand({ meshName: 'nope' })).catch(() => undefined);
    await new Promise<void>((resolve) => {
      const s = net.connect(rig.socket, () => s.end('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
      s.resume();
    });
    const scrapes = {
      relay: `http://127.0.0.1:${targets.relay}/stats/prometheus`,
      agent: `http://127.0.0.1:${targets.agent}/metrics`,
      mgmt: `http://127.0.0.1:${targets.mgmt}/metrics`,
    };
    for (const url of Object.values(scrapes)) {
      const text = await waitFor(async () => {
        const r = await fetch(url);
        return r.status === 200 ? r.text() : undefined;
      }, 5000, `a scrape of ${url}`, 250);
      for (const n of exported(text)) names.add(n);
    }

    promPort = await freePort();
    const dir = fs.mkdtempSync(path.join(rig.dir, 'prom-'));
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${JSON.stringify(RULES)}]`,
        'scrape_configs:',
        `  - { job_name: relay, metrics_path: /stats/prometheus, static_configs: [ { targets: ["127.0.0.1:${targets.relay}"] } ] }`,
        `  - { job_name: agent, metrics_path: /metrics, static_configs: [ { targets: ["127.0.0.1:${targets.agent}"] } ] }`,
        `  - { job_name: mgmt, metrics_path: /metrics, static_configs: [ { targets: ["127.0.0.1:${targets.mgmt}"] } ] }`,
      ].join('\n') + '\n',
    );
    prometheus = spawn(PROMETHEUS, [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], { stdio: 'ignore' });
    await waitFor(() => tcpReady(promPort), 20_000, 'prometheus listening');
    await waitFor(async () => {
      const t = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)).json()) as { data: { activeTargets: Array<{ health: string }> } };
      return t.data.activeTargets.length === 3 && t.data.activeTargets.every((x) => x.health === 'up');
    }, 30_000, 'all three daemons scraped', 250);
  }, 90_000);

  afterAll(async () => {
    prometheus?.kill('SIGKILL');
    await agent?.close();
    await rig?.close();
  });

  it('names only metrics the daemons export, in every dashboard panel and every rule', () => {
    expect(names.size).toBeGreaterThan(30);
    const used = [...dashboards().flatMap(({ file, d }) => d.panels.flatMap((p) => p.targets.map((t) => ({ where: `${file} "${p.title}"`, expr: t.expr })))), ...ruleExprs().map((r) => ({ where: `rule ${r.alert}`, expr: r.expr }))];
    expect(used.length).toBeGreaterThan(35);
    const unknown = used.flatMap(({ where, expr }) => metricNames(expr).filter((n) => !names.has(n)).map((n) => `${where}: ${n}`));
    expect(unknown).toEqual([]);
    // The check can fail: a misspelt name is caught.
    expect(metricNames('rate(appnet_relay_streamz_total[5m])').filter((n) => !names.has(n))).toEqual(['appnet_relay_streamz_total']);
  });

  it('runs every expression in Prometheus, and the core series are there', async () => {
    const query = async (expr: string) => (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { status: string; error?: string; data?: { result: unknown[] } };
    const exprs = [...dashboards().flatMap(({ d }) => d.panels.flatMap((p) => p.targets.map((t) => t.expr))), ...ruleExprs().map((r) => r.expr)];
    for (const e of exprs) expect(await query(e), e).toMatchObject({ status: 'success' });
    for (const series of ['appnet_relay_upstream_connected', 'appnet_agent_healthy', 'appnet_agent_relay_serving', 'appnet_mgmt_store_reachable', 'appnet_mgmt_xds_streams', 'appnet_relay_nacks_total', 'appnet_mgmt_api_requests_total']) {
      const r = await waitFor(async () => {
        const q = await query(series);
        return (q.data?.result.length ?? 0) > 0 ? q : undefined;
      }, 10_000, `series ${series}`);
      expect(r.status).toBe('success');
    }
  }, 60_000);

  it('has rules promtool accepts, and dashboards Grafana imports', () => {
    expect(execFileSync(PROMTOOL, ['check', 'rules', RULES], { encoding: 'utf8' })).toMatch(/SUCCESS: \d+ rules found/);
    const uids = new Set<string>();
    for (const { file, d } of dashboards()) {
      expect(d.__inputs, file).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
      expect(uids.has(d.uid), file).toBe(false);
      uids.add(d.uid);
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size, file).toBe(ids.length);
      for (const p of d.panels) {
        expect(p.datasource.uid, `${file} ${p.title}`).toBe('${DS_PROMETHEUS}');
        expect(p.gridPos.x + p.gridPos.w, `${file} ${p.title}`).toBeLessThanOrEqual(24);
        expect(p.targets.length, `${file} ${p.title}`).toBeGreaterThan(0);
      }
    }
    expect(uids.size).toBe(3);
  });
});
