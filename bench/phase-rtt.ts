/**
 * Phase 1, round trips: one stream per run, warm-up round trips, then sequential
 * request -> 1 KiB response; p50/p99 per path (median over repetitions) and the
 * CPU time of every process involved per round trip.
 */
import type { RttResult } from './load-client';
import type { Options } from './options';
import { type PathName, type Paths, type PerPath, type ProxyPath, perPath, repOrder } from './paths';
import { ProcMeters } from './proc-stats';
import { say } from './say';
import { median } from './units';

/** The floor path's figures, against direct and under the relay. */
export interface RttFloor {
  /** floor / direct */
  ratioP50: number;
  ratioP99: number;
  /** relay / floor: what the relay's own work costs over a bare hop. */
  relayOverFloorP50: number;
  relayOverFloorP99: number;
  cpuUsPerRoundTrip: number;
  /** Share of that CPU time spent in the kernel (stime). */
  cpuSysShare: number;
}

export interface RttPhase {
  warmup: number;
  count: number;
  responseBytes: number;
  reps: PerPath<RttResult[]>;
  p50Us: PerPath<number>;
  p99Us: PerPath<number>;
  ratioP50: number;
  ratioP99: number;
  relayCpuUsPerRoundTrip: number;
  /** Share of that CPU time spent in the kernel (stime). */
  relayCpuSysShare: number;
  /** CPU µs per round trip of each process, per path (warm-up round trips included). */
  cpuUsPerRoundTrip: PerPath<Record<string, number>>;
  floor?: RttFloor;
}

export async function rttPhase(o: Options, paths: Paths): Promise<RttPhase> {
  const { names, client } = paths;
  const run = (p: PathName): Promise<RttResult> =>
    client.request<RttResult>({ cmd: 'rtt', target: paths.targets[p]!, warmup: o.rtt.warmup, count: o.rtt.count, bytes: o.rtt.bytes, timeoutMs: 60_000 }, 70_000);
  const reps = perPath(names, (): RttResult[] => []);
  const meters = perPath(names, (p) => new ProcMeters(paths.pids[p]!));
  const trips = perPath(names, () => 0);
  // One discarded run per path first, as for throughput: 200 warm-up round trips do not get a
  // fresh process (the relay above all) to steady state; its first runs show 3-10x the p99.
  for (const p of names) {
    const r = await run(p);
    say(`  rtt   ${p.padEnd(6)} warm-up: p50 ${r.p50Us.toFixed(0)} µs, p99 ${r.p99Us.toFixed(0)} µs (not counted)`);
  }
  for (let rep = 0; rep < o.reps; rep++) {
    for (const p of repOrder(names, rep)) {
      meters[p]!.start();
      const r = await run(p);
      meters[p]!.stop();
      trips[p]! += o.rtt.warmup + o.rtt.count;
      reps[p]!.push(r);
      say(`  rtt   ${p.padEnd(6)} rep ${rep + 1}: p50 ${r.p50Us.toFixed(0)} µs, p99 ${r.p99Us.toFixed(0)} µs (${r.count} round trips)`);
    }
  }
  const p50 = perPath(names, (p) => median(reps[p]!.map((r) => r.p50Us)));
  const p99 = perPath(names, (p) => median(reps[p]!.map((r) => r.p99Us)));
  const proxyCpu = (p: ProxyPath): { us: number; sysShare: number } => {
    const m = meters[p]!.meters[p]!;
    return { us: (m.total / trips[p]!) * 1e6, sysShare: m.sys / m.total };
  };
  const relayCpu = proxyCpu('relay');
  const result: RttPhase = {
    warmup: o.rtt.warmup,
    count: o.rtt.count,
    responseBytes: o.rtt.bytes,
    reps,
    p50Us: p50,
    p99Us: p99,
    ratioP50: p50.relay / p50.direct,
    ratioP99: p99.relay / p99.direct,
    relayCpuUsPerRoundTrip: relayCpu.us,
    relayCpuSysShare: relayCpu.sysShare,
    cpuUsPerRoundTrip: perPath(names, (p) => meters[p]!.per(trips[p]!, 1e6)),
  };
  if (p50.floor !== undefined && p99.floor !== undefined) {
    const floorCpu = proxyCpu('floor');
    result.floor = {
      ratioP50: p50.floor / p50.direct,
      ratioP99: p99.floor / p99.direct,
      relayOverFloorP50: p50.relay / p50.floor,
      relayOverFloorP99: p99.relay / p99.floor,
      cpuUsPerRoundTrip: floorCpu.us,
      cpuSysShare: floorCpu.sysShare,
    };
  }
  return result;
}
