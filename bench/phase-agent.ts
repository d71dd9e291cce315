/**
 * The agent phase: appnet-agent cold start to its first /status answer (a fresh
 * process each time, supervising the Envoy stand-in), bootstrap generation time
 * (in this process), and the agent's RSS once it is up and polling.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EnvReader } from '../src/common/env';
import { generateBootstrap, renderBootstrap } from '../src/sidecar/bootstrap';
import { emptyFacts } from '../src/sidecar/bootstrap/platform-facts';
import { readBootstrapConfig } from '../src/sidecar/config/bootstrap-config';
import { fakeEnvoyBin } from '../test/fixtures/envoy-stand-in';
import { procStatusKiB } from './proc-stats';
import type { Cleanup } from './processes';
import { say } from './say';
import { median } from './units';

export const AGENT_MAIN = path.resolve(__dirname, '..', 'src', 'sidecar', 'main.js');

export interface AgentPhase {
  runs: number;
  coldStartMs: { median: number; p90: number; max: number; all: number[] };
  bootstrap: { generateUs: number; renderMs: number };
  rssKiB: number;
}

function statusOnce(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/status', timeout: 200 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function agentEnv(dir: string, i: number): Record<string, string> {
  const config = path.join(dir, `envoy-${i}.yaml`);
  fs.writeFileSync(config, '');
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    APPMESH_RESOURCE_ARN: 'mesh/apps/virtualNode/serviceA',
    AWS_REGION: 'us-west-2',
    // Service Connect shape: xDS through a relay socket (the agent also checks the relay's health)
    APPMESH_XDS_ENDPOINT: `unix://${path.join(dir, 'relay.sock')}`,
    ENVOY_BIN: fakeEnvoyBin(dir),
    ENVOY_CONFIG_FILE: config,
    ENVOY_ADMIN_MODE: 'uds',
    ENVOY_ADMIN_UDS_PATH: path.join(dir, `envoy-admin-${i}.sock`),
    ENVOY_ADMIN_ACCESS_LOG_FILE: path.join(dir, 'admin-access.log'),
    APPNET_AGENT_ADMIN_MODE: 'uds',
    APPNET_AGENT_ADMIN_UDS_PATH: path.join(dir, `agent-${i}.sock`),
    APPNET_LOG_LEVEL: 'warn',
  };
}

/** SIGTERM, then wait: the agent stops its Envoy itself (a SIGKILL would orphan it). */
function stopAgent(proc: ReturnType<typeof spawn>): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

async function coldStart(cleanup: Cleanup, dir: string, i: number, keep: boolean): Promise<{ ms: number; pid: number; stop: () => Promise<void> }> {
  const env = agentEnv(dir, i);
  const t0 = performance.now();
  const proc = spawn(process.execPath, [AGENT_MAIN], { env, stdio: 'ignore' });
  cleanup.track(proc);
  const deadline = t0 + 10_000;
  for (;;) {
    if (await statusOnce(env.APPNET_AGENT_ADMIN_UDS_PATH!)) break;
    if (performance.now() > deadline || proc.exitCode !== null) throw new Error(`agent ${i} did not answer /status within 10 s`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const ms = performance.now() - t0;
  const stop = () => stopAgent(proc);
  if (!keep) await stop();
  return { ms, pid: proc.pid!, stop };
}

export async function agentPhase(cleanup: Cleanup, runs: number): Promise<AgentPhase> {
  const dir = cleanup.removeDir(fs.mkdtempSync(path.join(os.tmpdir(), 'appnet-bench-agent-')));
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await coldStart(cleanup, dir, i, false);
    all.push(r.ms);
    say(`  agent  cold start ${i + 1}: first /status after ${r.ms.toFixed(0)} ms`);
  }
  const sorted = [...all].sort((a, b) => a - b);
  const keep = await coldStart(cleanup, dir, runs, true);
  await new Promise((res) => setTimeout(res, 3000)); // polling Envoy and the relay socket
  const rssKiB = procStatusKiB(keep.pid, 'VmRSS');
  await keep.stop();

  const cfg = readBootstrapConfig(new EnvReader(agentEnv(dir, runs + 1)));
  const facts = emptyFacts(dir);
  const n = 2000;
  let t = performance.now();
  for (let i = 0; i < n; i++) generateBootstrap(cfg, facts);
  const generateUs = ((performance.now() - t) / n) * 1000;
  t = performance.now();
  const m = 20;
  for (let i = 0; i < m; i++) await renderBootstrap(cfg, { envoyBin: path.join(dir, 'envoy'), warn: () => undefined });
  const renderMs = (performance.now() - t) / m;
  say(`  agent  RSS ${(rssKiB / 1024).toFixed(1)} MiB; bootstrap: generate ${generateUs.toFixed(0)} µs, facts + generate + YAML ${renderMs.toFixed(1)} ms`);
  return {
    runs,
    coldStartMs: { median: median(all), p90: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]!, max: sorted.at(-1)!, all },
    bootstrap: { generateUs, renderMs },
    rssKiB,
  };
}
