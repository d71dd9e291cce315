#!/usr/bin/env node
/**
 * `npm run bench`: the relay benchmark (a script, not a test).
 *
 * Per run: a throwaway CA, a fake management server (grpc-js over TLS, its own
 * process), a loopback container-credentials endpoint (in this process) and the
 * relay as a real process (`node dist/src/relay/main.js`). Load generators are
 * separate processes (grpc-js clients). Two paths are measured the same way:
 *   direct: client -> server over TLS
 *   relay:  client -> relay Unix socket (h2c) -> server over TLS, SigV4 per stream
 * and reported as ratios against each other, measured in the same run.
 *
 *   1. round trip: one stream, warm-up, then sequential request -> 1 KiB response; p50/p99
 *   2. throughput: one stream, pipelined 1 MiB and 10 MiB responses; MiB/s
 *   3. relay CPU seconds per GiB over the relay's throughput runs (/proc/<pid>/stat)
 *   4. relay RSS with N idle streams (fresh relay), proved open through /status
 *
 * Flags (see --help): --quick (smoke run, ~10 s), --only rtt|tput|idle (comma list),
 *        --reps N, --levels 1,100,1000,10000 (idle stream counts), --per-conn N,
 *        --diag (idle phase: relay preloaded with bench/relay-probe for GC'd heap
 *        figures and a heap snapshot diff), --snapshot-dir DIR, --relay-node-args ARGS.
 * Each timed run is preceded by one discarded warm-up run per path (steady state).
 * Output: a summary, a Markdown block between <!-- bench:start --> and
 * <!-- bench:end -->, and bench/results/latest.json.
 * Every child process and the temp directory are removed on exit, error, or Ctrl-C.
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeLocalCa } from '../src/common/local-ca';
import { CredentialServer, containerCredentialEnv } from '../test/fixtures/cred-server';
import { type HeapGroup, perStreamGrowth, summarizeHeapSnapshot } from './heap-summary';
import type { ClientCommand, OpenResult, RttResult, Target, TputResult } from './load-client';
import { DOMAIN } from './wire';

// ---------------------------------------------------------------- configuration

const ROOT = path.resolve(__dirname, '..', '..');
const RELAY_MAIN = path.join(ROOT, 'dist', 'src', 'relay', 'main.js');
const RESULTS_FILE = path.join(ROOT, 'bench', 'results', 'latest.json');
const KiB = 1024;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

type Phase = 'rtt' | 'tput' | 'idle';
const PHASES: Phase[] = ['rtt', 'tput', 'idle'];

interface Options {
  quick: boolean;
  only: Phase[];
  diag: boolean;
  /** --snapshot-dir: keep the diagnosis heap snapshots here (default: temp dir, deleted). */
  snapshotDir: string | undefined;
  /** --relay-node-args: extra node arguments for every relay process (diagnosis, e.g. --cpu-prof). */
  relayNodeArgs: string[] | undefined;
  reps: number;
  rtt: { warmup: number; count: number; bytes: number };
  tput: { warmup: number; runs: Array<{ label: string; count: number; bytes: number }> };
  idle: { levels: number[]; streamsPerConnection: number; workers: number; concurrency: number; settleMs: number; responseBytes: number };
  watchdogMs: number;
}

function usage(): never {
  process.stdout.write(
    [
      'usage: npm run bench -- [--quick] [--only rtt|tput|idle[,...]] [--reps 3] [--levels 1,100,1000,10000] [--per-conn 100] [--diag] [--snapshot-dir DIR]',
      '  --quick         smaller counts, one repetition (a smoke run)',
      '  --only          run only these phases',
      '  --reps N        repetitions of each round-trip and throughput run (default 3, --quick 1); medians are reported',
      '  --levels        idle stream counts (ascending)',
      '  --per-conn      idle streams per client connection (default 100)',
      '  --diag          idle phase with a GC/heap probe preloaded into the relay (NODE_OPTIONS);',
      '                  prints JS heap per stream and a heap snapshot diff by constructor.',
      '                  Its RSS figures include the snapshots\' own cost: use a plain run for RSS.',
      '  --snapshot-dir  --diag, and keep the heap snapshots in DIR',
      '  --relay-node-args ARGS  extra node arguments for the relay processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"',
      '                  (relays are then stopped with SIGTERM so that profiles get written)',
      '',
    ].join('\n'),
  );
  process.exit(0);
}

function parseArgs(argv: string[]): Options {
  let quick = false;
  let diag = false;
  let only: Phase[] = [...PHASES];
  let levels: number[] | undefined;
  let perConn = 100;
  let snapshotDir: string | undefined;
  let relayNodeArgs: string[] | undefined;
  let reps: number | undefined;
  let settleMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') quick = true;
    else if (a === '--diag') diag = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      only = value().split(',').map((p) => p.trim()) as Phase[];
      for (const p of only) if (!PHASES.includes(p)) throw new Error(`--only: unknown phase "${p}" (rtt, tput, idle)`);
    } else if (a === '--levels' || a.startsWith('--levels=')) {
      levels = value().split(',').map(Number);
      if (levels.some((n, k) => !Number.isInteger(n) || n < 1 || n > 50_000 || (k > 0 && n <= levels![k - 1]!))) throw new Error('--levels: ascending integers from 1 to 50000');
    } else if (a === '--per-conn' || a.startsWith('--per-conn=')) {
      perConn = Number(value());
      if (!Number.isInteger(perConn) || perConn < 1 || perConn > 10_000) throw new Error('--per-conn: an integer from 1 to 10000');
    } else if (a === '--snapshot-dir' || a.startsWith('--snapshot-dir=')) {
      snapshotDir = path.resolve(value());
      diag = true;
    } else if (a === '--relay-node-args' || a.startsWith('--relay-node-args=')) {
      relayNodeArgs = value().split(/\s+/).filter(Boolean);
    } else if (a === '--settle' || a.startsWith('--settle=')) {
      settleMs = Number(value());
      if (!Number.isInteger(settleMs) || settleMs < 0 || settleMs > 120_000) throw new Error('--settle: milliseconds from 0 to 120000');
    } else if (a === '--reps' || a.startsWith('--reps=')) {
      reps = Number(value());
      if (!Number.isInteger(reps) || reps < 1 || reps > 15) throw new Error('--reps: an integer from 1 to 15');
    } else if (a === '--help' || a === '-h') usage();
    else throw new Error(`unknown argument ${a} (try --help)`);
  }
  return {
    quick,
    only,
    diag,
    snapshotDir,
    relayNodeArgs,
    reps: reps ?? (quick ? 1 : 3),
    rtt: quick ? { warmup: 100, count: 1000, bytes: KiB } : { warmup: 200, count: 3000, bytes: KiB },
    tput: {
      warmup: 50,
      runs: quick
        ? [
            { label: '1 MiB', count: 50, bytes: MiB },
            { label: '10 MiB', count: 5, bytes: 10 * MiB },
          ]
        : [
            { label: '1 MiB', count: 200, bytes: MiB },
            { label: '10 MiB', count: 30, bytes: 10 * MiB },
          ],
    },
    idle: {
      levels: levels ?? (quick ? [1, 100, 1000] : [1, 100, 1000, 10_000]),
      streamsPerConnection: perConn,
      workers: quick ? 2 : 4,
      concurrency: 64,
      settleMs: settleMs ?? (quick ? 1000 : 2000),
      responseBytes: 256,
    },
    watchdogMs: quick ? 120_000 : 420_000,
  };
}

// ---------------------------------------------------------------- processes and cleanup

const children = new Set<ChildProcess>();
let tmpDir: string | undefined;
let credServer: CredentialServer | undefined;

function track(p: ChildProcess): ChildProcess {
  children.add(p);
  p.once('exit', () => children.delete(p));
  return p;
}

/** Kill every child we started (by its own pid), remove the temp dir. Safe to call twice. */
function cleanupSync(): void {
  for (const p of children) {
    try {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (tmpDir) {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    tmpDir = undefined;
  }
}

async function cleanup(): Promise<void> {
  const waits = [...children].map((p) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r()))));
  cleanupSync();
  await Promise.race([Promise.all(waits), sleep(3000)]);
  await credServer?.close().catch(() => undefined);
  credServer = undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Last lines a child printed, for error messages. */
class Tail {
  private lines: string[] = [];
  private partial = '';
  warnings = 0;
  attach(stream: NodeJS.ReadableStream | null): void {
    stream?.on('data', (d: Buffer) => {
      const text = this.partial + d.toString();
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      for (const l of parts) {
        if (/"level":(40|50|60)/.test(l)) this.warnings++;
        this.lines.push(l.length > 400 ? `${l.slice(0, 400)}…` : l);
      }
      if (this.lines.length > 40) this.lines = this.lines.slice(-40);
    });
  }
  text(n = 8): string {
    return [...this.lines, this.partial].filter(Boolean).slice(-n).join('\n');
  }
}

/** A forked helper (server or load client) spoken to over IPC. */
class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress?: (p: string) => void }>();
  readonly tail = new Tail();
  readonly ready: Promise<unknown>;
  readonly proc: ChildProcess;

  constructor(
    readonly name: string,
    script: string,
    env: Record<string, string>,
  ) {
    this.proc = track(fork(path.join(__dirname, script), [], { execArgv: [], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }));
    this.tail.attach(this.proc.stdout);
    this.tail.attach(this.proc.stderr);
    this.ready = new Promise((resolve, reject) => {
      this.pending.set(0, { resolve, reject });
    });
    this.proc.on('message', (m: { id?: number; type?: string; ok?: boolean; result?: unknown; error?: string; progress?: string }) => {
      if (m.type === 'ready') return this.pending.get(0)?.resolve(m), void this.pending.delete(0);
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.progress !== undefined) return p.onProgress?.(m.progress);
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${this.name}: ${m.error}`));
    });
    this.proc.once('exit', (code, signal) => {
      const err = new Error(`${this.name} exited (${signal ?? code}): ${this.tail.text()}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  request<T>(command: ClientCommand | { cmd: 'calls' }, timeoutMs: number, onProgress?: (p: string) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: no answer to ${command.cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(t), resolve(v as T)),
        reject: (e) => (clearTimeout(t), reject(e)),
        ...(onProgress ? { onProgress } : {}),
      });
      this.proc.send({ id, command });
    });
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

async function startClient(name: string): Promise<Child> {
  const c = new Child(name, 'load-client.js', {});
  await withTimeout(c.ready, 15_000, `${name} start`);
  return c;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

// ---------------------------------------------------------------- /proc and the admin API

let clkTck = 100;
function readClkTck(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** utime and stime of `pid`, in seconds. */
function cpuTimes(pid: number): { user: number; sys: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after "(comm) ": f[0] = state (field 3), so utime (14) = f[11], stime (15) = f[12]
  return { user: Number(f[11]) / clkTck, sys: Number(f[12]) / clkTck };
}

/** Accumulates a process's CPU time over chosen intervals. */
class CpuMeter {
  user = 0;
  sys = 0;
  private at: { user: number; sys: number } | undefined;
  constructor(private readonly pid: number) {}
  start(): void {
    this.at = cpuTimes(this.pid);
  }
  stop(): void {
    if (!this.at) return;
    const now = cpuTimes(this.pid);
    this.user += now.user - this.at.user;
    this.sys += now.sys - this.at.sys;
    this.at = undefined;
  }
  get total(): number {
    return this.user + this.sys;
  }
}

/** CPU meters for several processes at once (client, server, relay), started and stopped together. */
class ProcMeters {
  readonly meters: Record<string, CpuMeter>;
  constructor(pids: Record<string, number>) {
    this.meters = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, new CpuMeter(pid)]));
  }
  start(): void {
    for (const m of Object.values(this.meters)) m.start();
  }
  stop(): void {
    for (const m of Object.values(this.meters)) m.stop();
  }
  /** CPU seconds of each process divided by `units`, times `scale`. */
  per(units: number, scale = 1): Record<string, number> {
    return Object.fromEntries(Object.entries(this.meters).map(([k, m]) => [k, (m.total / units) * scale]));
  }
}

function procStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
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

interface RelayStatusDoc {
  healthStatus: string;
  reasons: string[];
  listener: { connections: number };
  upstream: { state: string };
  credentials: { state: string };
  streams: { active: number; total: number; internalErrors: number };
  activeStreams: Array<{ phase: string; messages: { fromClient: number; toClient: number } }>;
}

/** GET /status as JSON, retrying politely on 429 (the admin API allows 10/s). */
async function relayStatus(adminSocket: string): Promise<RelayStatusDoc> {
  for (let attempt = 0; ; attempt++) {
    const r = await adminGet(adminSocket, '/status');
    if (r.status === 200) return JSON.parse(r.body) as RelayStatusDoc;
    if (r.status !== 429 || attempt >= 20) throw new Error(`GET /status: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------- the relay process

interface Relay {
  name: string;
  proc: ChildProcess;
  pid: number;
  socket: string;
  adminSocket: string;
  tail: Tail;
  env: Record<string, string>;
  /** Stop with SIGTERM first (so that --cpu-prof and the like can write their files). */
  gentleStop: boolean;
  probe?: <T>(req: { type: 'mem' } | { type: 'snapshot'; file: string }, timeoutMs?: number) => Promise<T>;
}

interface Setup {
  dir: string;
  caPem: string;
  caFile: string;
  upstreamPort: number;
  server: Child;
  creds: CredentialServer;
}

async function startRelay(s: Setup, name: string, extraEnv: Record<string, string>, diag: boolean, nodeArgs?: string[]): Promise<Relay> {
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
  const proc = track(spawn(process.execPath, [...(nodeArgs ?? []), RELAY_MAIN], { env, stdio: diag ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] }));
  const tail = new Tail();
  tail.attach(proc.stdout);
  tail.attach(proc.stderr);
  const exited = new Promise<never>((_, reject) => proc.once('exit', (code, signal) => reject(new Error(`relay ${name} exited (${signal ?? code}): ${tail.text()}`))));
  exited.catch(() => undefined);
  const relay: Relay = { name, proc, pid: proc.pid!, socket, adminSocket, tail, env: { ...extraEnv, ...(env.NODE_OPTIONS ? { NODE_OPTIONS: env.NODE_OPTIONS } : {}), ...(nodeArgs ? { nodeArgs: nodeArgs.join(' ') } : {}) }, gentleStop: nodeArgs !== undefined };
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
    relay.probe = <T>(req: { type: 'mem' } | { type: 'snapshot'; file: string }, timeoutMs = 60_000): Promise<T> => {
      const probe = nextProbe++;
      const p = new Promise<T>((resolve, reject) => {
        waiting.set(probe, { resolve: resolve as (v: unknown) => void, reject });
        proc.send({ probe, ...req });
      });
      return withTimeout(Promise.race([p, exited]), timeoutMs, `relay probe ${req.type}`);
    };
  }
  // Ready = the admin API says HEALTHY with the upstream connected and credentials loaded.
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

async function stopRelay(r: Relay): Promise<void> {
  if (r.proc.exitCode !== null || r.proc.signalCode !== null) return;
  const gone = new Promise<void>((res) => r.proc.once('exit', () => res()));
  if (r.gentleStop) {
    r.proc.kill('SIGTERM');
    if (await Promise.race([gone.then(() => true), sleep(10_000).then(() => false)])) return;
  }
  r.proc.kill('SIGKILL');
  await withTimeout(gone, 5000, `stopping relay ${r.name}`);
}

// ---------------------------------------------------------------- statistics

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const ratio = (a: number, b: number): number => a / b;

// ---------------------------------------------------------------- phases

type PathName = 'direct' | 'relay';

interface RttPhase {
  warmup: number;
  count: number;
  responseBytes: number;
  reps: Record<PathName, RttResult[]>;
  p50Us: Record<PathName, number>;
  p99Us: Record<PathName, number>;
  ratioP50: number;
  ratioP99: number;
  relayCpuUsPerRoundTrip: number;
  /** Share of that CPU time spent in the kernel (stime). */
  relayCpuSysShare: number;
  /** CPU µs per round trip of each process, per path (warm-up round trips included). */
  cpuUsPerRoundTrip: Record<PathName, Record<string, number>>;
}

interface TputRun {
  label: string;
  count: number;
  bytes: number;
  reps: Record<PathName, TputResult[]>;
  mibPerSec: Record<PathName, number>;
  ratio: number;
  relayCpuSeconds: number;
  relayCpuSysShare: number;
  relayGiB: number;
  relayCpuSecondsPerGiB: number;
  /** CPU seconds per GiB of each process, per path. */
  cpuSecondsPerGiB: Record<PathName, Record<string, number>>;
}

interface TputPhase {
  runs: TputRun[];
  relayCpuSecondsPerGiB: number;
  /** Share of that CPU time spent in the kernel (stime). */
  relayCpuSysShare: number;
  relayPeakRssKiB: number;
}

interface IdleLevel {
  streams: number;
  connections: number;
  rssKiB: number;
  openMs: number;
  failed: number;
  errors: string[];
  statusActive: number;
  statusConnections: number;
  streamsWithBothMessages: number;
  upstreamCalls: number;
  rssAfterStatusKiB: number;
  diag?: DiagMem;
}

interface DiagMem {
  rssBeforeGcKiB: number;
  rssAfterGcKiB: number;
  usage: NodeJS.MemoryUsage;
  spaces: Record<string, number>;
}

interface Slope {
  from: number;
  to: number;
  kibPerStream: number;
}

interface IdlePhase {
  baselineRssKiB: number;
  baselineDiag?: DiagMem;
  levels: IdleLevel[];
  slopeLow?: Slope;
  slopeHigh?: Slope;
  relayEnv: Record<string, string>;
  heap?: { from: number; to: number; totalBytesPerStream: number; groups: Array<{ name: string; objectsPerStream: number; bytesPerStream: number }> };
  heapPerStream?: { from: number; to: number; heapUsedKiB: number; heapTotalKiB: number; externalKiB: number; arrayBuffersKiB: number; rssAfterGcKiB: number };
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function rttPhase(o: Options, client: Child, relay: Relay, server: Child, targets: Record<PathName, Target>): Promise<RttPhase> {
  const reps: Record<PathName, RttResult[]> = { direct: [], relay: [] };
  const meters = {
    direct: new ProcMeters({ client: client.proc.pid!, server: server.proc.pid! }),
    relay: new ProcMeters({ client: client.proc.pid!, relay: relay.pid, server: server.proc.pid! }),
  };
  const trips = { direct: 0, relay: 0 };
  // One discarded run per path first, as for throughput: 200 warm-up round trips do not get a
  // fresh process (the relay above all) to steady state; its first runs show 3-10x the p99.
  for (const p of ['direct', 'relay'] as const) {
    const r = await client.request<RttResult>({ cmd: 'rtt', target: targets[p], warmup: o.rtt.warmup, count: o.rtt.count, bytes: o.rtt.bytes, timeoutMs: 60_000 }, 70_000);
    say(`  rtt   ${p.padEnd(6)} warm-up: p50 ${r.p50Us.toFixed(0)} µs, p99 ${r.p99Us.toFixed(0)} µs (not counted)`);
  }
  for (let rep = 0; rep < o.reps; rep++) {
    const order: PathName[] = rep % 2 === 0 ? ['direct', 'relay'] : ['relay', 'direct'];
    for (const p of order) {
      meters[p].start();
      const r = await client.request<RttResult>({ cmd: 'rtt', target: targets[p], warmup: o.rtt.warmup, count: o.rtt.count, bytes: o.rtt.bytes, timeoutMs: 60_000 }, 70_000);
      meters[p].stop();
      trips[p] += o.rtt.warmup + o.rtt.count;
      reps[p].push(r);
      say(`  rtt   ${p.padEnd(6)} rep ${rep + 1}: p50 ${r.p50Us.toFixed(0)} µs, p99 ${r.p99Us.toFixed(0)} µs (${r.count} round trips)`);
    }
  }
  const p50 = { direct: median(reps.direct.map((r) => r.p50Us)), relay: median(reps.relay.map((r) => r.p50Us)) };
  const p99 = { direct: median(reps.direct.map((r) => r.p99Us)), relay: median(reps.relay.map((r) => r.p99Us)) };
  const relayCpu = meters.relay.meters.relay!;
  return {
    warmup: o.rtt.warmup,
    count: o.rtt.count,
    responseBytes: o.rtt.bytes,
    reps,
    p50Us: p50,
    p99Us: p99,
    ratioP50: ratio(p50.relay, p50.direct),
    ratioP99: ratio(p99.relay, p99.direct),
    relayCpuUsPerRoundTrip: (relayCpu.total / trips.relay) * 1e6,
    relayCpuSysShare: relayCpu.sys / relayCpu.total,
    cpuUsPerRoundTrip: { direct: meters.direct.per(trips.direct, 1e6), relay: meters.relay.per(trips.relay, 1e6) },
  };
}

async function tputPhase(o: Options, client: Child, relay: Relay, server: Child, targets: Record<PathName, Target>): Promise<TputPhase> {
  const runs: TputRun[] = [];
  const all = { user: 0, sys: 0 };
  let totalGiB = 0;
  for (const spec of o.tput.runs) {
    const reps: Record<PathName, TputResult[]> = { direct: [], relay: [] };
    const meters = {
      direct: new ProcMeters({ client: client.proc.pid!, server: server.proc.pid! }),
      relay: new ProcMeters({ client: client.proc.pid!, relay: relay.pid, server: server.proc.pid! }),
    };
    const bytes = { direct: 0, relay: 0 };
    // One discarded run per path first: the relay's JIT and V8 heap sizing reach steady state
    // (a fresh relay's first bulk runs are ~10-20 % slower and costlier).
    for (const p of ['direct', 'relay'] as const) {
      const r = await client.request<TputResult>({ cmd: 'tput', target: targets[p], warmup: o.tput.warmup, count: spec.count, bytes: spec.bytes, timeoutMs: 90_000 }, 100_000);
      say(`  tput  ${p.padEnd(6)} ${spec.label.padStart(6)} warm-up: ${r.mibPerSec.toFixed(0)} MiB/s (not counted)`);
    }
    for (let rep = 0; rep < o.reps; rep++) {
      const order: PathName[] = rep % 2 === 0 ? ['direct', 'relay'] : ['relay', 'direct'];
      for (const p of order) {
        // The client reports 'warm' when its warm-up round trips are done: CPU is counted from there.
        const r = await client.request<TputResult>({ cmd: 'tput', target: targets[p], warmup: o.tput.warmup, count: spec.count, bytes: spec.bytes, timeoutMs: 90_000 }, 100_000, () => meters[p].start());
        meters[p].stop();
        bytes[p] += r.bytes;
        reps[p].push(r);
        say(`  tput  ${p.padEnd(6)} ${spec.label.padStart(6)} rep ${rep + 1}: ${r.mibPerSec.toFixed(0)} MiB/s (${r.messages} × ${spec.label} in ${r.seconds.toFixed(2)} s)`);
      }
    }
    const mib = { direct: median(reps.direct.map((r) => r.mibPerSec)), relay: median(reps.relay.map((r) => r.mibPerSec)) };
    const cpu = meters.relay.meters.relay!;
    runs.push({
      label: spec.label,
      count: spec.count,
      bytes: spec.bytes,
      reps,
      mibPerSec: mib,
      ratio: ratio(mib.relay, mib.direct),
      relayCpuSeconds: cpu.total,
      relayCpuSysShare: cpu.sys / cpu.total,
      relayGiB: bytes.relay / GiB,
      relayCpuSecondsPerGiB: cpu.total / (bytes.relay / GiB),
      cpuSecondsPerGiB: { direct: meters.direct.per(bytes.direct / GiB), relay: meters.relay.per(bytes.relay / GiB) },
    });
    all.user += cpu.user;
    all.sys += cpu.sys;
    totalGiB += bytes.relay / GiB;
  }
  return { runs, relayCpuSecondsPerGiB: (all.user + all.sys) / totalGiB, relayCpuSysShare: all.sys / (all.user + all.sys), relayPeakRssKiB: procStatusKiB(relay.pid, 'VmHWM') };
}

async function idlePhase(o: Options, s: Setup, target: (r: Relay) => Target): Promise<IdlePhase> {
  // A fresh relay. The default admission limit (100 new streams/s, burst 200) would make
  // 10 000 streams take 100 s and refuse those queued beyond 10 s, so it is raised here.
  const relayEnv = { RELAY_MAX_NEW_STREAMS_PER_SECOND: '1000000' };
  const relay = await startRelay(s, 'relay-idle', relayEnv, o.diag, o.relayNodeArgs);
  const workers: Child[] = [];
  try {
    for (let w = 0; w < o.idle.workers; w++) workers.push(await startClient(`idle-client-${w + 1}`));
    await sleep(o.idle.settleMs);
    const baselineRssKiB = procStatusKiB(relay.pid, 'VmRSS');
    const st0 = await relayStatus(relay.adminSocket);
    say(`  idle  relay baseline: RSS ${(baselineRssKiB / KiB).toFixed(1)} MiB, streams.active ${st0.streams.active}`);
    const result: IdlePhase = { baselineRssKiB, levels: [], relayEnv };
    let baseSnapshot: Map<string, HeapGroup> | undefined;
    if (relay.probe) {
      result.baselineDiag = await relay.probe<DiagMem>({ type: 'mem' });
      const file = path.join(o.snapshotDir ?? s.dir, 'relay-idle-0.heapsnapshot');
      await relay.probe({ type: 'snapshot', file });
      baseSnapshot = summarizeHeapSnapshot(file);
      if (!o.snapshotDir) fs.rmSync(file, { force: true });
      say(`  idle  [diag] baseline after GC: heapUsed ${(result.baselineDiag.usage.heapUsed / MiB).toFixed(1)} MiB, external ${(result.baselineDiag.usage.external / MiB).toFixed(1)} MiB, RSS ${(result.baselineDiag.rssAfterGcKiB / KiB).toFixed(1)} MiB`);
    }
    const per = o.idle.streamsPerConnection;
    let open = 0;
    for (const n of o.idle.levels) {
      // Streams [open, n) go to connection floor(j / per); connection c lives in worker c % workers.
      const plans: Array<Map<number, number>> = workers.map(() => new Map());
      for (let j = open; j < n; j++) {
        const conn = Math.floor(j / per);
        const plan = plans[conn % workers.length]!;
        plan.set(conn, (plan.get(conn) ?? 0) + 1);
      }
      const t0 = Date.now();
      const results = await Promise.all(
        workers.map((w, k) =>
          plans[k]!.size === 0
            ? Promise.resolve<OpenResult>({ opened: 0, failed: 0, errors: [], ms: 0, totalOpen: 0, connections: 0 })
            : w.request<OpenResult>({ cmd: 'open', target: target(relay), plan: [...plans[k]!.entries()], bytes: o.idle.responseBytes, concurrency: o.idle.concurrency, timeoutMs: 30_000 }, 120_000),
        ),
      );
      const openMs = Date.now() - t0;
      const failed = results.reduce((a, r) => a + r.failed, 0);
      const errors = results.flatMap((r) => r.errors).slice(0, 5);
      open = n;
      await sleep(o.idle.settleMs);
      const rssKiB = procStatusKiB(relay.pid, 'VmRSS'); // before /status: its JSON for 10k streams is megabytes
      const st = await relayStatus(relay.adminSocket);
      const rssAfterStatusKiB = procStatusKiB(relay.pid, 'VmRSS');
      const both = st.activeStreams.filter((x) => x.messages.fromClient >= 1 && x.messages.toClient >= 1).length;
      const calls = await s.server.request<{ active: number }>({ cmd: 'calls' }, 10_000).catch(() => ({ active: NaN }));
      const level: IdleLevel = {
        streams: n,
        connections: Math.ceil(n / per),
        rssKiB,
        openMs,
        failed,
        errors,
        statusActive: st.streams.active,
        statusConnections: st.listener.connections,
        streamsWithBothMessages: both,
        upstreamCalls: calls.active,
        rssAfterStatusKiB,
      };
      say(
        `  idle  ${String(n).padStart(6)} streams / ${String(level.connections).padStart(3)} conns: RSS ${(rssKiB / KiB).toFixed(1)} MiB; /status streams.active ${st.streams.active}, ` +
          `client connections ${st.listener.connections}, ${both} with a message each way; opened in ${(openMs / 1000).toFixed(1)} s${failed ? `; ${failed} FAILED: ${errors.join(' | ')}` : ''}`,
      );
      if (relay.probe) {
        level.diag = await relay.probe<DiagMem>({ type: 'mem' });
        say(`  idle  [diag] after GC: heapUsed ${(level.diag.usage.heapUsed / MiB).toFixed(1)} MiB, external ${(level.diag.usage.external / MiB).toFixed(1)} MiB, arrayBuffers ${(level.diag.usage.arrayBuffers / MiB).toFixed(1)} MiB, RSS ${(level.diag.rssAfterGcKiB / KiB).toFixed(1)} MiB`);
      }
      result.levels.push(level);
    }
    const L = result.levels;
    const slope = (a: IdleLevel | undefined, b: IdleLevel | undefined): Slope | undefined => (a && b && b.streams > a.streams ? { from: a.streams, to: b.streams, kibPerStream: (b.rssKiB - a.rssKiB) / (b.streams - a.streams) } : undefined);
    if (L.length >= 2) {
      result.slopeHigh = slope(L[L.length - 2], L[L.length - 1]);
      if (L.length >= 3) result.slopeLow = slope(L[0], L[L.length - 2]);
    }
    if (relay.probe && L.length >= 2) {
      const a = L[0]!;
      const b = L[L.length - 1]!;
      const d = (f: (m: DiagMem) => number) => (f(b.diag!) - f(a.diag!)) / (b.streams - a.streams);
      result.heapPerStream = {
        from: a.streams,
        to: b.streams,
        heapUsedKiB: d((m) => m.usage.heapUsed) / KiB,
        heapTotalKiB: d((m) => m.usage.heapTotal) / KiB,
        externalKiB: d((m) => m.usage.external) / KiB,
        arrayBuffersKiB: d((m) => m.usage.arrayBuffers) / KiB,
        rssAfterGcKiB: d((m) => m.rssAfterGcKiB),
      };
      const file = path.join(o.snapshotDir ?? s.dir, `relay-idle-${b.streams}.heapsnapshot`);
      say(`  idle  [diag] writing a heap snapshot with ${b.streams} streams…`);
      await relay.probe({ type: 'snapshot', file }, 180_000);
      const top = summarizeHeapSnapshot(file);
      if (!o.snapshotDir) fs.rmSync(file, { force: true });
      result.heap = { from: 0, to: b.streams, ...perStreamGrowth(baseSnapshot!, top, b.streams) };
    }
    result.relayEnv = { ...relayEnv, ...relay.env };
    return result;
  } finally {
    for (const w of workers) w.kill();
    await stopRelay(relay).catch(() => undefined);
  }
}

// ---------------------------------------------------------------- report

interface Results {
  meta: {
    date: string;
    node: string;
    platform: string;
    cpus: number;
    cpuModel: string;
    memGiB: number;
    quick: boolean;
    diag: boolean;
    phases: Phase[];
    reps: number;
    clkTck: number;
    seconds: number;
    relayWarnings: number;
  };
  rtt?: RttPhase;
  tput?: TputPhase;
  idle?: IdlePhase;
  targets: Array<{ name: string; value: number; target: string; pass: boolean }>;
}

const us = (v: number): string => `${Math.round(v)} µs`;
const num = (n: number): string => n.toLocaleString('en-US');
const mibs = (v: number): string => `${v.toFixed(0)} MiB/s`;
const x = (v: number): string => `${v.toFixed(2)}×`;
const mibOf = (kib: number): string => `${(kib / KiB).toFixed(1)} MiB`;
const cpuSplit = (c: Record<string, number>, f: (v: number) => string): string => {
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  return `${f(total)} (${Object.entries(c).map(([k, v]) => `${k} ${f(v)}`).join(' + ')})`;
};
const pct = (v: number): string => `${Math.round(v * 100)} %`;
const verdict = (pass: boolean): string => (pass ? 'PASS' : 'MISS');

function computeTargets(r: Results): Results['targets'] {
  const t: Results['targets'] = [];
  if (r.rtt) t.push({ name: 'RTT p50 relay/direct', value: r.rtt.ratioP50, target: '<= 1.2x', pass: r.rtt.ratioP50 <= 1.2 });
  if (r.tput) {
    for (const run of r.tput.runs) t.push({ name: `throughput ${run.label} relay/direct`, value: run.ratio, target: '>= 0.95x', pass: run.ratio >= 0.95 });
    t.push({ name: 'relay CPU s per GiB', value: r.tput.relayCpuSecondsPerGiB, target: '<= 2.5', pass: r.tput.relayCpuSecondsPerGiB <= 2.5 });
  }
  if (r.idle?.slopeHigh) {
    const s = r.idle.slopeHigh;
    t.push({ name: `KiB per idle stream (${s.from}->${s.to})`, value: s.kibPerStream, target: '<= 16', pass: s.kibPerStream <= 16 });
  }
  return t;
}

function markdown(r: Results): string {
  const m = r.meta;
  const lines: string[] = [];
  lines.push('<!-- bench:start -->');
  const timed = r.rtt || r.tput ? ` Round trips and throughput: ${m.reps === 1 ? 'one run' : `median of ${m.reps} runs`} after one discarded warm-up run per path, as ratios against a direct TLS connection measured in the same run.` : '';
  const diag = m.diag ? ' (--diag run: RSS includes the heap snapshots\' own cost)' : '';
  lines.push(
    `Relay benchmark (\`npm run bench${m.quick ? ' -- --quick' : ''}\`)${diag}, ${m.date.slice(0, 10)}: Node ${m.node}, ${m.platform}, ${m.cpus} cores (${m.cpuModel}), ` +
      `load clients, relay and management server in separate processes sharing those cores.${timed}`,
  );
  if (r.rtt || r.tput) {
    lines.push('');
    lines.push('| measure | direct (TLS) | via relay (UDS → TLS, SigV4) | relay / direct | target | |');
    lines.push('|---|--:|--:|--:|---|---|');
    if (r.rtt) {
      const k = r.rtt;
      lines.push(`| round trip p50, ${k.responseBytes / KiB} KiB response | ${us(k.p50Us.direct)} | ${us(k.p50Us.relay)} | ${x(k.ratioP50)} | ≤ 1.2× | ${verdict(k.ratioP50 <= 1.2)} |`);
      lines.push(`| round trip p99 | ${us(k.p99Us.direct)} | ${us(k.p99Us.relay)} | ${x(k.ratioP99)} | | |`);
    }
    if (r.tput) {
      for (const run of r.tput.runs) lines.push(`| throughput, ${run.count} × ${run.label} responses | ${mibs(run.mibPerSec.direct)} | ${mibs(run.mibPerSec.relay)} | ${x(run.ratio)} | ≥ 0.95× | ${verdict(run.ratio >= 0.95)} |`);
      lines.push(`| relay CPU per GiB relayed | | ${r.tput.relayCpuSecondsPerGiB.toFixed(2)} s | | ≤ 2.5 s | ${verdict(r.tput.relayCpuSecondsPerGiB <= 2.5)} |`);
    }
    if (r.rtt) lines.push(`| relay CPU per round trip | | ${us(r.rtt.relayCpuUsPerRoundTrip)} | | | |`);
    if (r.tput) lines.push(`| relay peak RSS (VmHWM over these runs) | | ${mibOf(r.tput.relayPeakRssKiB)} | | | |`);
  }
  if (r.idle) {
    const i = r.idle;
    lines.push('');
    lines.push('| idle streams | client connections | relay RSS | /status streams.active |');
    lines.push('|--:|--:|--:|--:|');
    lines.push(`| 0 | 0 | ${mibOf(i.baselineRssKiB)} | 0 |`);
    for (const l of i.levels) lines.push(`| ${num(l.streams)} | ${num(l.connections)} | ${mibOf(l.rssKiB)} | ${num(l.statusActive)}${l.failed ? ` (${l.failed} failed)` : ''} |`);
    const parts: string[] = [];
    if (i.slopeHigh) parts.push(`**${i.slopeHigh.kibPerStream.toFixed(1)} KiB** per idle stream (${num(i.slopeHigh.from)} → ${num(i.slopeHigh.to)}; target ≤ 16 KiB: ${verdict(i.slopeHigh.kibPerStream <= 16)})`);
    if (i.slopeLow) parts.push(`${i.slopeLow.kibPerStream.toFixed(1)} KiB (${num(i.slopeLow.from)} → ${num(i.slopeLow.to)})`);
    lines.push('');
    lines.push(`Relay memory: ${parts.join(', ')}. Each idle stream sent one request and got one response; ${i.levels.at(-1)?.streamsWithBothMessages === i.levels.at(-1)?.statusActive ? 'all were' : 'not all were'} confirmed open with a message each way in the relay's /status.`);
  }
  lines.push('<!-- bench:end -->');
  return lines.join('\n');
}

function summary(r: Results): string {
  const out: string[] = [];
  out.push('');
  out.push('=== results ===');
  if (r.rtt) {
    const k = r.rtt;
    out.push(`round trip (${k.count} × ${k.responseBytes} B, ${k.warmup} warm-up): p50 direct ${us(k.p50Us.direct)}, relay ${us(k.p50Us.relay)} (${x(k.ratioP50)}); p99 direct ${us(k.p99Us.direct)}, relay ${us(k.p99Us.relay)} (${x(k.ratioP99)}); relay CPU ${us(k.relayCpuUsPerRoundTrip)} per round trip (${pct(k.relayCpuSysShare)} in the kernel)`);
    out.push(`  CPU per round trip: direct ${cpuSplit(k.cpuUsPerRoundTrip.direct, us)}; via relay ${cpuSplit(k.cpuUsPerRoundTrip.relay, us)}`);
  }
  if (r.tput) {
    for (const run of r.tput.runs) {
      out.push(`throughput ${run.count} × ${run.label}: direct ${mibs(run.mibPerSec.direct)} [${run.reps.direct.map((z) => z.mibPerSec.toFixed(0)).join(', ')}], relay ${mibs(run.mibPerSec.relay)} [${run.reps.relay.map((z) => z.mibPerSec.toFixed(0)).join(', ')}] (${x(run.ratio)}); relay CPU ${run.relayCpuSecondsPerGiB.toFixed(2)} s/GiB`);
      out.push(`  CPU s per GiB: direct ${cpuSplit(run.cpuSecondsPerGiB.direct, (v) => v.toFixed(2))}; via relay ${cpuSplit(run.cpuSecondsPerGiB.relay, (v) => v.toFixed(2))}`);
    }
    out.push(`relay CPU per GiB (all throughput runs): ${r.tput.relayCpuSecondsPerGiB.toFixed(2)} s (${pct(r.tput.relayCpuSysShare)} in the kernel); relay peak RSS ${mibOf(r.tput.relayPeakRssKiB)}`);
  }
  if (r.idle) {
    const i = r.idle;
    out.push(`idle streams: baseline ${mibOf(i.baselineRssKiB)}; ${i.levels.map((l) => `${num(l.streams)}: ${mibOf(l.rssKiB)}`).join('; ')}`);
    if (i.slopeHigh) out.push(`  per idle stream ${i.slopeHigh.from}→${i.slopeHigh.to}: ${i.slopeHigh.kibPerStream.toFixed(1)} KiB`);
    if (i.slopeLow) out.push(`  per idle stream ${i.slopeLow.from}→${i.slopeLow.to}: ${i.slopeLow.kibPerStream.toFixed(1)} KiB`);
    if (i.heapPerStream) {
      const h = i.heapPerStream;
      out.push(`  [diag] per stream ${h.from}→${h.to} after GC: JS heapUsed ${h.heapUsedKiB.toFixed(1)} KiB (heapTotal ${h.heapTotalKiB.toFixed(1)}), external ${h.externalKiB.toFixed(1)} KiB (arrayBuffers ${h.arrayBuffersKiB.toFixed(1)}), RSS ${h.rssAfterGcKiB.toFixed(1)} KiB`);
    }
    if (i.heap) {
      out.push(`  [diag] heap snapshot growth per stream (0→${i.heap.to}): ${(i.heap.totalBytesPerStream / KiB).toFixed(1)} KiB; largest:`);
      for (const g of i.heap.groups) out.push(`      ${(g.bytesPerStream / KiB).toFixed(2).padStart(6)} KiB  ${g.objectsPerStream.toFixed(1).padStart(6)} objects  ${g.name}`);
    }
  }
  out.push('');
  out.push('targets:');
  for (const t of r.targets) out.push(`  ${verdict(t.pass)}  ${t.name}: ${t.value.toFixed(2)} (target ${t.target})`);
  if (r.meta.relayWarnings) out.push(`note: the relay logged ${r.meta.relayWarnings} warning/error lines`);
  return out.join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: exceeded ${o.watchdogMs / 1000} s; aborting\n`);
    void cleanup().finally(() => process.exit(1));
  }, o.watchdogMs);
  watchdog.unref();
  clkTck = readClkTck();
  if (!fs.existsSync(RELAY_MAIN)) throw new Error(`${RELAY_MAIN} is missing: run npm run build first`);

  say(`appnet relay benchmark${o.quick ? ' (quick)' : ''}: phases ${o.only.join(', ')}; Node ${process.version}, ${os.cpus().length} cores`);
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'appnet-bench-'));
  if (o.snapshotDir) fs.mkdirSync(o.snapshotDir, { recursive: true });
  const dir = tmpDir;
  const ca = await makeLocalCa([DOMAIN, 'localhost', '127.0.0.1'], dir);
  credServer = new CredentialServer({ accessKeyId: 'AKIDBENCHRELAY0001', secretAccessKey: 'bench-secret', sessionToken: 'bench-session-token', ttlMs: 3600_000 });
  await credServer.start();
  const prebuild = [KiB, 256, ...o.tput.runs.map((r) => r.bytes)].join(',');
  const server = new Child('upstream-server', 'upstream-server.js', { BENCH_CERT: ca.files!.cert, BENCH_KEY: ca.files!.key, BENCH_PREBUILD: prebuild });
  const ready = (await withTimeout(server.ready, 20_000, 'upstream server start')) as { port: number };
  const setup: Setup = { dir, caPem: ca.caPem, caFile: ca.files!.ca, upstreamPort: ready.port, server, creds: credServer };
  const direct: Target = { kind: 'direct', address: `127.0.0.1:${ready.port}`, caPem: ca.caPem };
  const relayTarget = (r: Relay): Target => ({ kind: 'relay', socket: r.socket });

  const results: Results = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      memGiB: Math.round(os.totalmem() / GiB),
      quick: o.quick,
      diag: o.diag,
      phases: o.only,
      reps: o.reps,
      clkTck,
      seconds: 0,
      relayWarnings: 0,
    },
    targets: [],
  };

  if (o.only.includes('rtt') || o.only.includes('tput')) {
    say('starting relay (defaults) and a load client…');
    const relay = await startRelay(setup, 'relay', {}, false, o.relayNodeArgs);
    const client = await startClient('load-client');
    const targets = { direct, relay: relayTarget(relay) };
    try {
      if (o.only.includes('rtt')) {
        say(`round trips: 1 warm-up run + ${o.reps} × (${o.rtt.warmup} warm-up + ${o.rtt.count}) per path`);
        results.rtt = await rttPhase(o, client, relay, server, targets);
      }
      if (o.only.includes('tput')) {
        say(`throughput: 1 warm-up + ${o.reps} × ${o.tput.runs.map((r) => `${r.count} × ${r.label}`).join(' and ')} per path`);
        results.tput = await tputPhase(o, client, relay, server, targets);
      }
    } finally {
      results.meta.relayWarnings += relay.tail.warnings;
      client.kill();
      await stopRelay(relay).catch(() => undefined);
    }
  }
  if (o.only.includes('idle')) {
    say(`idle streams: levels ${o.idle.levels.join(', ')} (${o.idle.streamsPerConnection} per connection, ${o.idle.workers} client processes), fresh relay${o.diag ? ', with the diagnosis probe' : ''}`);
    results.idle = await idlePhase(o, setup, relayTarget);
  }

  results.targets = computeTargets(results);
  results.meta.seconds = Math.round((Date.now() - started) / 100) / 10;
  say(summary(results));
  say('');
  say(markdown(results));
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  say(`\nwrote ${path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE} (${results.meta.seconds} s)`);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    process.stderr.write(`\nbench: ${sig}: stopping child processes and removing temp files\n`);
    void cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  });
}
process.on('exit', cleanupSync);

main().then(
  () => cleanup().then(() => process.exit(0)),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    void cleanup().finally(() => process.exit(1));
  },
);
