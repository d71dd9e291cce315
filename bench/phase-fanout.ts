/**
 * Fan-out phase: the management server pushes one update (1 MiB by default) to
 * N open ADS streams at once, as when a config change reaches every Envoy of a
 * fleet. Measured through the relay (a fresh one: N streams over its pool of
 * upstream connections; with --relay-upstream-connections, one relay per
 * RELAY_UPSTREAM_CONNECTIONS value) and directly (the clients' own TLS
 * connections to the server), in the same run, interleaved, `reps` times: the
 * time from the server's first write until each stream has the message (p50,
 * p99, last), the relay / direct ratio of the last arrival, and the relay's
 * peak RSS during the push. With --fanout-floor, the floor proxy (a bare
 * node:http2 pipe, a fresh one per repetition) as a third path: what any
 * user-space hop costs the same push on this machine.
 */
import type { CollectResult, OpenResult, Target } from './load-client';
import type { Options } from './options';
import { procStatusKiB } from './proc-stats';
import { type Child, type Cleanup, startClient } from './processes';
import { startFloor } from './floor-process';
import { startRelay } from './relay-process';
import { say } from './say';
import type { Setup } from './setup';
import { type Spread, spread } from './spread';
import { KiB, MiB } from './units';

export interface FanoutRun {
  path: 'relay' | 'direct' | 'floor';
  /** relay only: its RELAY_UPSTREAM_CONNECTIONS (undefined: the relay's default). */
  upstreamConnections?: number;
  streams: number;
  /** ms from the server's first write to the stream's arrival */
  p50Ms: number;
  p99Ms: number;
  lastMs: number;
  missing: number;
  /** relay only: VmRSS before the push and VmHWM after it (a fresh relay per repetition) */
  relayRssBeforeKiB?: number;
  relayPeakRssKiB?: number;
}

/** One relay configuration's figures against the direct runs of the same repetitions. */
export interface FanoutVariant {
  /** RELAY_UPSTREAM_CONNECTIONS (undefined: the relay's default). */
  upstreamConnections?: number;
  /** relay / direct of the last arrival, per repetition, and their median and spread. */
  ratioLast: Spread;
  ratioP50: Spread;
  relayPeakRssKiB: number;
}

export interface FanoutPhase extends FanoutVariant {
  streams: number;
  bytes: number;
  runs: FanoutRun[];
  /** Every relay configuration measured; the top-level figures are the last one's. */
  variants?: FanoutVariant[];
  /** --fanout-floor: floor / direct of the last arrival, per repetition. */
  floorRatioLast?: Spread;
}

/** RELAY_UPSTREAM_BUFFER_LIMIT_BYTES from the bench's own environment, for a before/after comparison (`=0`: no cap). */
const capEnv = (): Record<string, string> => {
  const v = process.env.RELAY_UPSTREAM_BUFFER_LIMIT_BYTES;
  return v !== undefined ? { RELAY_UPSTREAM_BUFFER_LIMIT_BYTES: v } : {};
};
const poolEnv = (n: number | undefined): Record<string, string> => (n === undefined ? {} : { RELAY_UPSTREAM_CONNECTIONS: String(n) });
const label = (n: number | undefined): string => (n === undefined ? 'relay' : `relay×${n}`);

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

/** Open `streams` idle streams over connections of `perConn` each, spread over the workers. */
async function openStreams(workers: Child[], target: Target, streams: number, perConn: number, bytes: number): Promise<void> {
  const plans: Array<Array<[number, number]>> = workers.map(() => []);
  for (let conn = 0; conn * perConn < streams; conn++) plans[conn % workers.length]!.push([conn, Math.min(perConn, streams - conn * perConn)]);
  const results = await Promise.all(workers.map((w, k) => w.request<OpenResult>({ cmd: 'open', target, plan: plans[k]!, bytes, concurrency: 64, timeoutMs: 30_000 }, 120_000)));
  const failed = results.reduce((a, r) => a + r.failed, 0);
  if (failed > 0) throw new Error(`fan-out: ${failed} of ${streams} streams failed to open: ${results.flatMap((r) => r.errors).slice(0, 3).join(' | ')}`);
}

async function pushOnce(s: Setup, workers: Child[], bytes: number): Promise<{ delays: number[]; missing: number }> {
  await Promise.all(workers.map((w) => w.request({ cmd: 'arm', bytes }, 10_000)));
  const { at } = await s.server.request<{ pushed: number; at: number }>({ cmd: 'push', bytes }, 60_000);
  const got = await Promise.all(workers.map((w) => w.request<CollectResult>({ cmd: 'collect', timeoutMs: 120_000 }, 130_000)));
  const delays = got.flatMap((g) => g.arrivals.map((t) => t - at)).sort((a, b) => a - b);
  return { delays, missing: got.reduce((a, g) => a + g.missing, 0) };
}

export async function fanoutPhase(o: Options, cleanup: Cleanup, s: Setup): Promise<FanoutPhase> {
  const { streams, bytes, perConn } = o.fanout;
  const variants: Array<number | undefined> = o.fanout.relayConnections.length > 0 ? o.fanout.relayConnections : [undefined];
  const workers: Child[] = [];
  const runs: FanoutRun[] = [];
  try {
    for (let w = 0; w < 2; w++) workers.push(await startClient(cleanup, `fanout-client-${w + 1}`));
    for (let rep = 0; rep < o.reps; rep++) {
      // direct first in odd repetitions, last in even ones; the relays in turn between
      const relays = rep % 2 === 0 ? variants : [...variants].reverse();
      const order: Array<{ path: FanoutRun['path']; n?: number }> = relays.map((n) => ({ path: 'relay' as const, n }));
      if (o.fanout.floor) order.push({ path: 'floor' });
      if (rep % 2 === 0) order.unshift({ path: 'direct' });
      else order.push({ path: 'direct' });
      for (const { path, n } of order) {
        const env = { RELAY_MAX_NEW_STREAMS_PER_SECOND: '1000000', ...capEnv(), ...poolEnv(n) };
        const relay = path === 'relay' ? await startRelay(cleanup, s, `relay-fanout-${rep + 1}-${n ?? 'd'}`, { ...o.relayEnv, ...env }, false, o.relayNodeArgs) : undefined;
        const floor = path === 'floor' ? await startFloor(cleanup, s, `floor-fanout-${rep + 1}`, o.floorNodeArgs) : undefined;
        try {
          const target: Target = relay ? { kind: 'uds', socket: relay.socket } : floor ? { kind: 'uds', socket: floor.socket } : s.direct;
          await openStreams(workers, target, streams, perConn, 256);
          const before = relay ? procStatusKiB(relay.pid, 'VmRSS') : undefined;
          const { delays, missing } = await pushOnce(s, workers, bytes);
          const run: FanoutRun = { path, streams, p50Ms: pct(delays, 50), p99Ms: pct(delays, 99), lastMs: delays.at(-1) ?? NaN, missing };
          if (relay) {
            if (n !== undefined) run.upstreamConnections = n;
            run.relayRssBeforeKiB = before!;
            run.relayPeakRssKiB = procStatusKiB(relay.pid, 'VmHWM');
          }
          if (missing && relay) say(`  fanout relay output: ${relay.tail.text().slice(-1500)}`);
          if (missing) run.lastMs = NaN; // a run that lost streams has no "last arrival"
          runs.push(run);
          say(
            `  fanout ${(relay ? label(n) : path).padEnd(8)} rep ${rep + 1}: ${streams} × ${bytes / MiB} MiB: p50 ${run.p50Ms.toFixed(0)} ms, p99 ${run.p99Ms.toFixed(0)} ms, last ${run.lastMs.toFixed(0)} ms` +
              `${missing ? `, ${missing} MISSING` : ''}${relay ? `; relay RSS ${(before! / KiB).toFixed(0)} MiB before, peak ${(run.relayPeakRssKiB! / KiB).toFixed(0)} MiB` : ''}`,
          );
        } finally {
          await Promise.all(workers.map((w) => w.request({ cmd: 'close' }, 30_000).catch(() => undefined)));
          await relay?.stop().catch(() => undefined);
          await floor?.stop().catch(() => undefined);
        }
      }
    }
  } finally {
    for (const w of workers) w.kill();
  }
  const direct = runs.filter((r) => r.path === 'direct');
  const measured = variants.map((n): FanoutVariant => {
    const relay = runs.filter((r) => r.path === 'relay' && r.upstreamConnections === n);
    const ratios = (f: (r: FanoutRun) => number) => relay.map((r, k) => f(r) / f(direct[k]!));
    return {
      ...(n === undefined ? {} : { upstreamConnections: n }),
      ratioLast: spread(ratios((r) => r.lastMs)),
      ratioP50: spread(ratios((r) => r.p50Ms)),
      relayPeakRssKiB: Math.max(...relay.map((r) => r.relayPeakRssKiB ?? 0)),
    };
  });
  const floorRuns = runs.filter((r) => r.path === 'floor');
  const floorRatioLast = floorRuns.length ? spread(floorRuns.map((r, k) => r.lastMs / direct[k]!.lastMs)) : undefined;
  if (floorRatioLast) say(`  fanout floor / direct, last arrival: median ${floorRatioLast.median.toFixed(2)}× (${floorRatioLast.reps.map((x) => x.toFixed(2)).join(', ')})`);
  for (const v of measured) say(`  fanout ${label(v.upstreamConnections)} / direct, last arrival: median ${v.ratioLast.median.toFixed(2)}× (${v.ratioLast.reps.map((x) => x.toFixed(2)).join(', ')})`);
  return { streams, bytes, runs, ...measured.at(-1)!, ...(measured.length > 1 ? { variants: measured } : {}), ...(floorRatioLast ? { floorRatioLast } : {}) };
}
