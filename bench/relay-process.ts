/**
 * The relay under test as a real process (`node dist/src/relay/main.js`): its
 * environment, readiness through the admin API's /status, the --diag probe
 * channel, and stopping it.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { containerCredentialEnv } from '../test/fixtures/cred-server';
import { type Cleanup, Tail, sleep, stopProcess, withTimeout } from './processes';
import type { Setup } from './setup';
import { DOMAIN } from './wire';
import type { RelayStatus } from '../src/common/contracts/relay-status';

export const RELAY_MAIN = path.resolve(__dirname, '..', 'src', 'relay', 'main.js');

export type ProbeRequest = { type: 'mem' } | { type: 'snapshot'; file: string };

export interface Relay {
  name: string;
  pid: number;
  socket: string;
  adminSocket: string;
  tail: Tail;
  env: Record<string, string>;
  /** Only with --diag: ask the preloaded bench/relay-probe for memory figures or a heap snapshot. */
  probe?: <T>(req: ProbeRequest, timeoutMs?: number) => Promise<T>;
  stop(): Promise<void>;
}

/** The relay's /status document, as the relay defines it. */
export type RelayStatusDoc = RelayStatus;

/**
 * Resolves once the relay has dealt with its quiet spell (memoryTrim.pending false: it gave
 * memory back, or had none to give), or at once when the trim is off; at most `boundMs`.
 * Returns the trim that ran meanwhile, if one did.
 */
export async function relayQuiet(adminSocket: string, boundMs = 50_000): Promise<TrimDone | undefined> {
  // Until the quiet spell is dealt with: the relay tries again (twice at most) when V8 kept its young generation.
  const deadline = Date.now() + boundMs;
  const before = (await relayStatus(adminSocket, true)).memoryTrim;
  let st = before;
  while (st?.pending && Date.now() < deadline) {
    await sleep(250);
    st = (await relayStatus(adminSocket, true)).memoryTrim;
  }
  return st?.last && st.trims > (before?.trims ?? 0) ? { ...st.last, trims: st.trims - (before?.trims ?? 0) } : undefined;
}

/** The last trim of a quiet spell, and how many ran in it (more than one when V8 kept its young generation at first). */
export type TrimDone = NonNullable<NonNullable<RelayStatus['memoryTrim']>['last']> & { trims: number };

/** "a memory trim (RSS a → b MiB, young generation c → d MiB, pause e ms)" */
export function describeTrim(t: TrimDone): string {
  const m = (b: number) => (b / 1048576).toFixed(1);
  return `a memory trim (RSS ${m(t.rssBefore)} → ${m(t.rssAfter)} MiB, young generation ${m(t.youngBefore)} → ${m(t.youngAfter)} MiB, pause ${t.pauseMs} ms${t.trims > 1 ? `; the last of ${t.trims}` : ''})`;
}

/** The relay's incremental marking as /status shows it (RELAY_V8_INCREMENTAL_MARKING), for the phase lines. */
export function describeMarking(st: RelayStatusDoc): string {
  const m = st.incrementalMarking;
  return m ? `; incremental marking ${m.on ? 'on' : 'off'} (${m.mode}${m.switches ? `, switched ${m.switches}×` : ''})` : '';
}

function adminGet(socketPath: string, urlPath: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: urlPath, method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`admin ${urlPath}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** GET /status as JSON (with `summary`: without the per-stream list), retrying politely on 429 (the admin API allows 10/s). */
export async function relayStatus(adminSocket: string, summary = false): Promise<RelayStatusDoc> {
  for (let attempt = 0; ; attempt++) {
    const r = await adminGet(adminSocket, summary ? '/status?summary' : '/status');
    if (r.status === 200) return JSON.parse(r.body) as RelayStatusDoc;
    if (r.status !== 429 || attempt >= 20) throw new Error(`GET /status: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
    await sleep(200);
  }
}

/** Start a relay; resolves once /status says HEALTHY with the upstream connected and credentials loaded. */
export async function startRelay(cleanup: Cleanup, s: Setup, name: string, extraEnv: Record<string, string>, diag: boolean, nodeArgs?: string[]): Promise<Relay> {
  const socket = path.join(s.dir, `${name}.sock`);
  const adminSocket = path.join(s.dir, `${name}-admin.sock`);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_REGION: 'us-west-2',
    APPNET_RELAY_LISTENER_UDS_PATH: socket,
    APPNET_MANAGEMENT_DOMAIN_NAME: DOMAIN,
    APPNET_MANAGEMENT_ADDRESS: '127.0.0.1',
    APPNET_MANAGEMENT_PORT: String(s.upstreamPort),
    RELAY_TRUSTED_CA_FILE: s.caFile,
    APPNET_AGENT_ADMIN_MODE: 'uds',
    APPNET_AGENT_ADMIN_UDS_PATH: adminSocket,
    APPNET_LOG_LEVEL: 'warn',
    ...containerCredentialEnv(s.creds.url),
    ...extraEnv,
  };
  if (diag) env.NODE_OPTIONS = `--expose-gc --require ${path.join(__dirname, 'relay-probe.js')}`;
  const proc = cleanup.track(spawn(process.execPath, [...(nodeArgs ?? []), RELAY_MAIN], { env, stdio: diag ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] }));
  const tail = new Tail();
  tail.attach(proc.stdout);
  tail.attach(proc.stderr);
  const exited = new Promise<never>((_, reject) => proc.once('exit', (code, signal) => reject(new Error(`relay ${name} exited (${signal ?? code}): ${tail.text()}`))));
  exited.catch(() => undefined);
  const relay: Relay = {
    name,
    pid: proc.pid!,
    socket,
    adminSocket,
    tail,
    env: { ...extraEnv, ...(env.NODE_OPTIONS ? { NODE_OPTIONS: env.NODE_OPTIONS } : {}), ...(nodeArgs ? { nodeArgs: nodeArgs.join(' ') } : {}) },
    // With --relay-node-args, SIGTERM first so that --cpu-prof and the like can write their files.
    stop: () => stopProcess(proc, `relay ${name}`, nodeArgs !== undefined),
  };
  if (diag) {
    let nextProbe = 1;
    const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    proc.on('message', (m: { probe: number; ok: boolean; result?: unknown; error?: string }) => {
      const w = waiting.get(m.probe);
      if (!w) return;
      waiting.delete(m.probe);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(`relay probe: ${m.error}`));
    });
    relay.probe = <T>(req: ProbeRequest, timeoutMs = 60_000): Promise<T> => {
      const probe = nextProbe++;
      const p = new Promise<T>((resolve, reject) => {
        waiting.set(probe, { resolve: resolve as (v: unknown) => void, reject });
        proc.send({ probe, ...req });
      });
      return withTimeout(Promise.race([p, exited]), timeoutMs, `relay probe ${req.type}`);
    };
  }
  const deadline = Date.now() + 15_000;
  let last = '';
  for (;;) {
    const st = await Promise.race([relayStatus(adminSocket).catch((e: Error) => e), exited]);
    if (!(st instanceof Error)) {
      if (st.healthStatus === 'HEALTHY' && st.upstream.state === 'CONNECTED' && st.credentials.state === 'VALID') return relay;
      last = `${st.healthStatus} ${st.reasons.join('; ')} (credentials ${st.credentials.state})`;
    } else last = st.message;
    if (Date.now() > deadline) throw new Error(`relay ${name} not ready after 15 s: ${last}; output: ${tail.text()}`);
    await sleep(200);
  }
}
