/**
 * The agent phase: appnet-agent cold start to its first /status answer (a fresh
 * process each time, supervising the Envoy stand-in, checking a relay health
 * service on its xDS socket as in Service Connect), read against two floors
 * started the same way in the same rounds: a bare `node -e 0` (start to exit)
 * and bench/agent-floor (http server + pino + YAML, the agent's libraries
 * without its code); then, for the agent, the first /status that names an
 * Envoy pid (the admin API answers before Envoy is started: this is the whole
 * start); the RSS of each once up; bootstrap generation time.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EnvReader } from '../src/common/env';
import { RelayHealthService } from '../src/relay/health-service';
import { generateBootstrap, renderBootstrap } from '../src/sidecar/bootstrap';
import { emptyFacts } from '../src/sidecar/bootstrap/platform-facts';
import { readBootstrapConfig } from '../src/sidecar/config/bootstrap-config';
import { fakeEnvoyBin } from '../test/fixtures/envoy-stand-in';
import { procStatusKiB } from './proc-stats';
import { type Cleanup, sleep } from './processes';
import { say } from './say';
import { type Spread, spread } from './spread';
import { median } from './units';

export const AGENT_MAIN = path.resolve(__dirname, '..', 'src', 'sidecar', 'main.js');
const AGENT_FLOOR = path.resolve(__dirname, 'agent-floor.js');

type Kind = 'bare' | 'floor' | 'agent';

export interface AgentPhase {
  runs: number;
  /** ms from spawn to the first /status answer (bare: to its exit), per round. */
  startMs: Record<Kind, number[]>;
  /** Agent only: ms from spawn to the first /status naming an Envoy pid (Envoy spawned), per round. */
  envoyStartedMs: number[];
  coldStartMs: { median: number; p90: number; max: number; all: number[] };
  /** Per round: agent / bare, agent / floor, floor / bare. */
  ratio: { agentOverBare: Spread; agentOverFloor: Spread; floorOverBare: Spread };
  bootstrap: { generateUs: number; renderMs: number };
  /** RSS once up (3 s after the first /status, one more /status answered); bare: `node` idling. */
  rssKiB: number;
  floorRssKiB: number;
  bareRssKiB: number;
}

/** One GET /status: its body when answered 200, else undefined. */
function statusOnce(socketPath: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/status', timeout: 200 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
  });
}

/** The agent's /status names a running Envoy ("-1" while starting or between restarts). */
function namesEnvoyPid(body: string | undefined): boolean {
  if (body === undefined) return false;
  const pid = Number((JSON.parse(body) as { envoyPid?: string }).envoyPid);
  return Number.isInteger(pid) && pid > 0;
}

/**
 * After the first answer, how often the agent is asked for an Envoy pid: often enough to
 * time Envoy's start, not so often that answering steals the agent's CPU from starting it
 * (its rate limit, 10/s with a burst of 20, then answers 429 and the resolution drops to 100 ms).
 */
const ENVOY_POLL_MS = 10;

function agentEnv(dir: string, name: string): Record<string, string> {
  const config = path.join(dir, `envoy-${name}.yaml`);
  fs.writeFileSync(config, '');
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    APPMESH_RESOURCE_ARN: 'mesh/apps/virtualNode/serviceA',
    AWS_REGION: 'us-west-2',
    // Service Connect shape: xDS through a relay socket, whose health service the agent checks
    APPMESH_XDS_ENDPOINT: `unix://${path.join(dir, 'relay.sock')}`,
    ENVOY_BIN: fakeEnvoyBin(dir),
    ENVOY_CONFIG_FILE: config,
    ENVOY_ADMIN_MODE: 'uds',
    ENVOY_ADMIN_UDS_PATH: path.join(dir, `envoy-admin-${name}.sock`),
    ENVOY_ADMIN_ACCESS_LOG_FILE: path.join(dir, 'admin-access.log'),
    APPNET_AGENT_ADMIN_MODE: 'uds',
    APPNET_AGENT_ADMIN_UDS_PATH: path.join(dir, `agent-${name}.sock`),
    APPNET_LOG_LEVEL: 'warn',
  };
}

/** The relay's grpc.health.v1 service (its real implementation) on the socket the agents check: SERVING. */
function relayHealthStandIn(cleanup: Cleanup, socketPath: string): Promise<void> {
  const svc = new RelayHealthService(() => 'SERVING');
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    // the Envoy stand-in's ADS stream comes here too: refused, as by a relay whose upstream is down
    if (svc.handles(String(headers[':path']))) svc.serve(stream, headers);
    else stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
  });
  cleanup.close(() => new Promise((r) => server.close(r)));
  return new Promise((resolve) => server.listen(socketPath, resolve));
}

/** SIGTERM, then wait: the agent stops its Envoy itself (a SIGKILL would orphan it). */
function stop(proc: ReturnType<typeof spawn>): Promise<void> {
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

interface Started {
  ms: number;
  /** Agent only: spawn to the first /status naming an Envoy pid. */
  envoyMs: number | undefined;
  pid: number;
  socket: string | undefined;
  stop: () => Promise<void>;
}

/** Start one process of `kind`; resolve at its first /status answer (bare: at its exit, or once spawned when `idle`). */
async function start(cleanup: Cleanup, dir: string, kind: Kind, name: string, idle = false, agentNodeArgs: string[] = []): Promise<Started> {
  const env = agentEnv(dir, name);
  const args = kind === 'agent' ? [...agentNodeArgs, AGENT_MAIN] : kind === 'floor' ? [AGENT_FLOOR] : ['-e', idle ? 'setInterval(() => {}, 1000)' : '0'];
  const t0 = performance.now();
  const proc = spawn(process.execPath, args, { env, stdio: 'ignore' });
  cleanup.track(proc);
  const stopIt = () => stop(proc);
  if (kind === 'bare') {
    if (!idle) await new Promise((r) => proc.once('exit', r));
    return { ms: performance.now() - t0, envoyMs: undefined, pid: proc.pid!, socket: undefined, stop: stopIt };
  }
  const socket = env.APPNET_AGENT_ADMIN_UDS_PATH!;
  const deadline = t0 + 10_000;
  let body: string | undefined;
  for (;;) {
    body = await statusOnce(socket);
    if (body !== undefined) break;
    if (performance.now() > deadline || proc.exitCode !== null) throw new Error(`${kind} ${name} did not answer /status within 10 s`);
    await sleep(2);
  }
  const ms = performance.now() - t0;
  if (kind !== 'agent') return { ms, envoyMs: undefined, pid: proc.pid!, socket, stop: stopIt };
  while (!namesEnvoyPid(body)) {
    if (performance.now() > deadline || proc.exitCode !== null) throw new Error(`agent ${name} named no Envoy pid within 10 s`);
    await sleep(ENVOY_POLL_MS);
    body = await statusOnce(socket);
  }
  return { ms, envoyMs: performance.now() - t0, pid: proc.pid!, socket, stop: stopIt };
}

/** Each kind started and left up, 3 s, one more /status, then its RSS. */
async function rssOnceUp(cleanup: Cleanup, dir: string, agentNodeArgs: string[]): Promise<Record<Kind, number>> {
  const up = await Promise.all((['bare', 'floor', 'agent'] as const).map((k) => start(cleanup, dir, k, `${k}-rss`, true, agentNodeArgs)));
  await sleep(3000); // the agent polls Envoy and the relay meanwhile
  for (const u of up) if (u.socket) await statusOnce(u.socket);
  const rss = up.map((u) => procStatusKiB(u.pid, 'VmRSS'));
  await Promise.all(up.map((u) => u.stop()));
  return { bare: rss[0]!, floor: rss[1]!, agent: rss[2]! };
}

function bootstrapTimes(dir: string): Promise<AgentPhase['bootstrap']> {
  const cfg = readBootstrapConfig(new EnvReader(agentEnv(dir, 'bootstrap')));
  const facts = emptyFacts(dir);
  const n = 2000;
  let t = performance.now();
  for (let i = 0; i < n; i++) generateBootstrap(cfg, facts);
  const generateUs = ((performance.now() - t) / n) * 1000;
  const m = 20;
  t = performance.now();
  return (async () => {
    for (let i = 0; i < m; i++) await renderBootstrap(cfg, { envoyBin: path.join(dir, 'envoy'), warn: () => undefined });
    return { generateUs, renderMs: (performance.now() - t) / m };
  })();
}

/** `agentNodeArgs` (--agent-node-args): node arguments for the agent's processes only, for diagnosis. */
export async function agentPhase(cleanup: Cleanup, runs: number, agentNodeArgs: string[] = []): Promise<AgentPhase> {
  const dir = cleanup.removeDir(fs.mkdtempSync(path.join(os.tmpdir(), 'appnet-bench-agent-')));
  await relayHealthStandIn(cleanup, path.join(dir, 'relay.sock'));
  const startMs: Record<Kind, number[]> = { bare: [], floor: [], agent: [] };
  const envoyStartedMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    // interleaved, so that a busy moment of the machine falls on every kind alike
    for (const kind of ['bare', 'floor', 'agent'] as const) {
      const r = await start(cleanup, dir, kind, `${kind}-${i}`, false, agentNodeArgs);
      await r.stop();
      startMs[kind].push(r.ms);
      if (r.envoyMs !== undefined) envoyStartedMs.push(r.envoyMs);
    }
    say(`  agent  round ${i + 1}: first /status after ${startMs.agent[i]!.toFixed(0)} ms, one naming Envoy's pid after ${envoyStartedMs[i]!.toFixed(0)} ms; floor ${startMs.floor[i]!.toFixed(0)} ms; bare node start to exit ${startMs.bare[i]!.toFixed(0)} ms`);
  }
  const per = (a: Kind, b: Kind) => spread(startMs[a].map((v, k) => v / startMs[b][k]!));
  const rss = await rssOnceUp(cleanup, dir, agentNodeArgs);
  const bootstrap = await bootstrapTimes(dir);
  const mib = (kib: number) => (kib / 1024).toFixed(1);
  say(`  agent  RSS ${mib(rss.agent)} MiB (floor ${mib(rss.floor)}, idle node ${mib(rss.bare)}); bootstrap: generate ${bootstrap.generateUs.toFixed(0)} µs, facts + generate + YAML ${bootstrap.renderMs.toFixed(1)} ms`);
  const sorted = [...startMs.agent].sort((a, b) => a - b);
  return {
    runs,
    startMs,
    envoyStartedMs,
    coldStartMs: { median: median(startMs.agent), p90: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]!, max: sorted.at(-1)!, all: startMs.agent },
    ratio: { agentOverBare: per('agent', 'bare'), agentOverFloor: per('agent', 'floor'), floorOverBare: per('floor', 'bare') },
    bootstrap,
    rssKiB: rss.agent,
    floorRssKiB: rss.floor,
    bareRssKiB: rss.bare,
  };
}
