/**
 * Restart phase (issue 14, scale): N streams on one relay, the management
 * server killed and started again on the same port, and the time until every
 * stream is back. Back means: the stream has a response from the restarted
 * server (its responses carry another version_info), not merely a stream open
 * again. The clients (restart-client.ts) re-open a failed stream the way Envoy
 * does (jittered exponential backoff, 500 ms to 30 s); the relay admits the new
 * streams at its paced rate (RELAY_MAX_NEW_STREAMS_PER_SECOND, default 100/s,
 * burst twice that, refusing what it cannot admit within 10 s) and reconnects
 * upstream with its own backoff. The same return is measured with the clients
 * connected straight to the server (no relay, no pacing) as the baseline of the
 * same run. The wait is bounded: a stream not back by then is reported missing.
 */
import * as fs from 'node:fs';
import type { Target } from './load-client';
import type { Options } from './options';
import { CpuMeter, procStatusKiB } from './proc-stats';
import { Child, type Cleanup, sleep, stopProcess, withTimeout } from './processes';
import { type Relay, describeMarking, relayStatus, startRelay } from './relay-process';
import type { RestartCollectResult, RestartOpenResult } from './restart-client';
import { say } from './say';
import type { Setup } from './setup';
import { KiB } from './units';

export interface RestartRun {
  path: 'relay' | 'direct';
  streams: number;
  /** How long opening the streams took before the restart (through the relay: at its paced rate). */
  openMs: number;
  /** Server killed → the new one has bound the port. */
  downMs: number;
  /** From the new server's port being bound to the first stream, 50 %, 99 % and every stream having a response from it (ms); all: only when none is missing. */
  firstMs: number;
  p50Ms: number;
  p99Ms: number;
  allMs: number | undefined;
  /** Streams with no response from the restarted server within the wait. */
  missing: number;
  waitMs: number;
  /** Streams the clients opened again after the kill (every failed attempt, every retry). */
  reopens: number;
  /** Why streams ended after the kill, most frequent first (digits folded to #). */
  failures: Array<[why: string, count: number]>;
  relay?: {
    /** The new server's port bound → the relay's /status says CONNECTED again (polled every 200 ms). */
    reconnectedMs: number | undefined;
    rssBeforeKiB: number;
    /** VmHWM over the return (reset when the server is killed). */
    peakRssKiB: number;
    peakResetOk: boolean;
    /** When the RSS sampled every 250 ms from the kill on was highest, in ms from the new server's bind (negative: during the outage). */
    peakAtMs: number | undefined;
    rssAfterKiB: number;
    /** Relay CPU from the new server's bind until every stream was back (or the wait ended). */
    cpuSeconds: number;
    overMs: number;
    statusActive: number;
    upstreamConnects: number;
    /** The relay's incremental marking at the end, as the phase line shows it. */
    marking: string;
  };
}

export interface RestartPhase {
  streams: number;
  perConn: number;
  /** The relay's admission: RELAY_MAX_NEW_STREAMS_PER_SECOND and its burst. */
  rate: number;
  burst: number;
  /** (streams − burst) / rate: the soonest the relay's pacing lets the last stream back. */
  admissionFloorMs: number;
  relayEnv: Record<string, string>;
  runs: RestartRun[];
}

const RELAY_DEFAULT_RATE = 100;
const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

/** A fake management server instance answering with `version`; on `port` when given. */
async function startServer(cleanup: Cleanup, s: Setup, version: string, port?: number): Promise<{ server: Child; port: number; at: number }> {
  const server = new Child(cleanup, `restart-server-${version}`, 'upstream-server.js', {
    BENCH_CERT: s.certFile,
    BENCH_KEY: s.keyFile,
    BENCH_PREBUILD: '256',
    BENCH_RESPONSE_VERSION: version,
    ...(port !== undefined ? { BENCH_PORT: String(port) } : {}),
  });
  const ready = (await withTimeout(server.ready, 20_000, `restart server ${version} start`)) as { port: number; at: number };
  return { server, port: ready.port, at: ready.at };
}

async function startClients(cleanup: Cleanup, n: number): Promise<Child[]> {
  const out: Child[] = [];
  for (let k = 0; k < n; k++) {
    const c = new Child(cleanup, `restart-client-${k + 1}`, 'restart-client.js', {});
    await withTimeout(c.ready, 15_000, `${c.name} start`);
    out.push(c);
  }
  return out;
}

/** Reset a process's VmHWM to its current RSS (Linux: clear_refs 5); false when not allowed. */
function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

interface Episode {
  o: Options;
  cleanup: Cleanup;
  s: Setup;
  server: { server: Child; port: number };
  path: 'relay' | 'direct';
  relay?: Relay;
  target: Target;
  version: string;
}

/** Open the streams, kill the server, start it again on its port, wait for every stream to be back. */
async function episode(e: Episode): Promise<{ run: RestartRun; server: { server: Child; port: number } }> {
  const { o, s } = e;
  const R = o.restart;
  const workers = await startClients(e.cleanup, R.workers);
  try {
    const plans: Array<Array<[number, number]>> = workers.map(() => []);
    for (let conn = 0; conn * R.perConn < R.streams; conn++) plans[conn % workers.length]!.push([conn, Math.min(R.perConn, R.streams - conn * R.perConn)]);
    const openTimeout = 60_000 + (R.streams / (R.rate ?? RELAY_DEFAULT_RATE)) * 2000;
    const t0 = Date.now();
    const opened = await Promise.all(workers.map((w, k) => w.request<RestartOpenResult>({ cmd: 'open', target: e.target, plan: plans[k]!, bytes: 256, concurrency: 64, timeoutMs: openTimeout }, openTimeout + 10_000)));
    const openMs = Date.now() - t0;
    const failed = opened.reduce((a, r) => a + r.failed, 0);
    if (failed > 0) throw new Error(`restart (${e.path}): ${failed} of ${R.streams} streams did not open: ${opened.flatMap((r) => r.errors).join(' | ')}`);
    say(`  restart  ${e.path}: ${R.streams} streams open in ${(openMs / 1000).toFixed(1)} s; killing the server`);
    await sleep(1000);
    await Promise.all(workers.map((w) => w.request({ cmd: 'arm', version: e.version }, 10_000)));
    const rssBeforeKiB = e.relay ? procStatusKiB(e.relay.pid, 'VmRSS') : NaN;
    const killedAt = performance.timeOrigin + performance.now();
    const sampled = { kib: 0, at: 0 };
    const sampler = e.relay
      ? setInterval(() => {
          const kib = procStatusKiB(e.relay!.pid, 'VmRSS');
          if (kib > sampled.kib) Object.assign(sampled, { kib, at: performance.timeOrigin + performance.now() });
        }, 250).unref()
      : undefined;
    await stopProcess(e.server.server.proc, e.server.server.name, false);
    const peakResetOk = e.relay ? resetPeak(e.relay.pid) : false;
    await sleep(R.downMs);
    const next = await startServer(e.cleanup, s, e.version, e.server.port);
    const meter = e.relay ? new CpuMeter(e.relay.pid) : undefined;
    meter?.start();
    say(`  restart  ${e.path}: server back on port ${next.port} after ${((next.at - killedAt) / 1000).toFixed(1)} s; waiting up to ${R.waitMs / 1000} s for every stream`);
    let reconnectedAt: number | undefined;
    let polling = e.relay !== undefined;
    const poll = (async () => {
      while (polling && e.relay) {
        const st = await relayStatus(e.relay.adminSocket, true).catch(() => undefined);
        if (st?.upstream.state === 'CONNECTED') return void (reconnectedAt = performance.timeOrigin + performance.now());
        await sleep(200);
      }
    })();
    const left = Math.max(1000, R.waitMs - (performance.timeOrigin + performance.now() - next.at));
    const got = await Promise.all(workers.map((w) => w.request<RestartCollectResult>({ cmd: 'collect', timeoutMs: left }, left + 30_000)));
    const endedAt = performance.timeOrigin + performance.now();
    meter?.stop();
    clearInterval(sampler);
    polling = false;
    await poll;
    const delays = got.flatMap((g) => g.arrivals.map((t) => t - next.at)).sort((a, b) => a - b);
    const missing = got.reduce((a, g) => a + g.missing, 0);
    const failures = new Map<string, number>();
    for (const g of got) for (const [why, n] of Object.entries(g.failures)) failures.set(why, (failures.get(why) ?? 0) + n);
    const run: RestartRun = {
      path: e.path,
      streams: R.streams,
      openMs,
      downMs: next.at - killedAt,
      firstMs: delays[0] ?? NaN,
      p50Ms: pct(delays, 50),
      p99Ms: pct(delays, 99),
      allMs: missing === 0 ? delays.at(-1) : undefined,
      missing,
      waitMs: R.waitMs,
      reopens: got.reduce((a, g) => a + g.reopens, 0),
      failures: [...failures.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6),
    };
    if (e.relay) {
      const st = await relayStatus(e.relay.adminSocket, true);
      run.relay = {
        reconnectedMs: reconnectedAt !== undefined ? reconnectedAt - next.at : undefined,
        rssBeforeKiB,
        peakRssKiB: procStatusKiB(e.relay.pid, 'VmHWM'),
        peakResetOk,
        peakAtMs: sampled.kib > 0 ? sampled.at - next.at : undefined,
        rssAfterKiB: procStatusKiB(e.relay.pid, 'VmRSS'),
        cpuSeconds: meter!.total,
        overMs: endedAt - next.at,
        statusActive: st.streams.active,
        upstreamConnects: st.upstream.connects,
        marking: describeMarking(st),
      };
    }
    const secs = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '–' : `${(v / 1000).toFixed(1)} s`);
    say(
      `  restart  ${e.path}: back after first ${secs(run.firstMs)}, 50 % ${secs(run.p50Ms)}, 99 % ${secs(run.p99Ms)}, all ${run.allMs !== undefined ? secs(run.allMs) : `NOT ALL: ${missing} missing after ${R.waitMs / 1000} s`}; ${run.reopens} reopens` +
        (run.relay ? `; relay reconnected after ${secs(run.relay.reconnectedMs)}, peak RSS ${(run.relay.peakRssKiB / KiB).toFixed(1)} MiB (sampled highest ${secs(run.relay.peakAtMs)} after the server was up), CPU ${run.relay.cpuSeconds.toFixed(1)} s over ${secs(run.relay.overMs)}, /status streams.active ${run.relay.statusActive}${run.relay.marking}` : ''),
    );
    if (run.failures.length) say(`  restart  ${e.path}: streams ended with: ${run.failures.map(([w, n]) => `${n} × ${w}`).join(' | ')}`);
    if (missing > 0 && e.relay) say(`  restart  relay output:\n${e.relay.tail.text(12)}`);
    await Promise.all(workers.map((w) => w.request({ cmd: 'close' }, 10_000).catch(() => undefined)));
    return { run, server: next };
  } finally {
    for (const w of workers) w.kill();
  }
}

export async function restartPhase(o: Options, cleanup: Cleanup, s: Setup): Promise<RestartPhase> {
  const R = o.restart;
  const rate = R.rate ?? RELAY_DEFAULT_RATE;
  const relayEnv: Record<string, string> = R.rate !== undefined ? { RELAY_MAX_NEW_STREAMS_PER_SECOND: String(R.rate) } : {};
  const burst = Math.max(1, Math.ceil(2 * rate));
  const result: RestartPhase = { streams: R.streams, perConn: R.perConn, rate, burst, admissionFloorMs: (Math.max(0, R.streams - burst) / rate) * 1000, relayEnv, runs: [] };
  let server: { server: Child; port: number } = await startServer(cleanup, s, 'gen-1');
  try {
    const relay = await startRelay(cleanup, { ...s, upstreamPort: server.port }, 'relay-restart', { ...o.relayEnv, ...relayEnv }, false, o.relayNodeArgs);
    try {
      const r = await episode({ o, cleanup, s, server, path: 'relay', relay, target: { kind: 'uds', socket: relay.socket }, version: 'gen-2' });
      result.runs.push(r.run);
      server = r.server;
    } finally {
      await relay.stop().catch(() => undefined);
    }
    if (R.direct) {
      const target: Target = { kind: 'direct', address: `127.0.0.1:${server.port}`, caPem: fs.readFileSync(s.caFile, 'utf8') };
      const r = await episode({ o, cleanup, s, server, path: 'direct', target, version: 'gen-3' });
      result.runs.push(r.run);
      server = r.server;
    }
    return result;
  } finally {
    server.server.kill();
  }
}
