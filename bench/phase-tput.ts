/**
 * Phase 2, throughput: one stream per run, pipelined 1 MiB and 10 MiB responses;
 * MiB/s per path (median over repetitions), and CPU seconds per GiB of every
 * process involved, counted from the end of each run's warm-up round trips.
 */
import type { TputResult } from './load-client';
import type { Options } from './options';
import { type PathName, type Paths, type PerPath, type ProxyPath, perPath, repOrder } from './paths';
import { ProcMeters, procStatusKiB } from './proc-stats';
import { say } from './say';
import { GiB, median } from './units';

/** A proxy's CPU over some throughput runs. */
interface ProxyCpu {
  cpuSeconds: number;
  /** Share of that CPU time spent in the kernel (stime). */
  cpuSysShare: number;
  gib: number;
  cpuSecondsPerGiB: number;
}

export interface TputRun {
  label: string;
  count: number;
  bytes: number;
  reps: PerPath<TputResult[]>;
  mibPerSec: PerPath<number>;
  /** relay / direct */
  ratio: number;
  relayCpuSeconds: number;
  relayCpuSysShare: number;
  relayGiB: number;
  relayCpuSecondsPerGiB: number;
  /** CPU seconds per GiB of each process, per path. */
  cpuSecondsPerGiB: PerPath<Record<string, number>>;
  floor?: ProxyCpu & { /** floor / direct */ ratio: number; /** relay / floor */ relayOverFloor: number };
}

export interface TputPhase {
  runs: TputRun[];
  relayCpuSecondsPerGiB: number;
  /** Share of that CPU time spent in the kernel (stime). */
  relayCpuSysShare: number;
  relayPeakRssKiB: number;
  floor?: { cpuSecondsPerGiB: number; cpuSysShare: number; peakRssKiB: number };
}

export async function tputPhase(o: Options, paths: Paths): Promise<TputPhase> {
  const { names, client } = paths;
  const runs: TputRun[] = [];
  const all = perPath(names, () => ({ user: 0, sys: 0, gib: 0 }));
  for (const spec of o.tput.runs) {
    const run = (p: PathName, onWarm?: () => void): Promise<TputResult> =>
      client.request<TputResult>({ cmd: 'tput', target: paths.targets[p]!, warmup: o.tput.warmup, count: spec.count, bytes: spec.bytes, timeoutMs: 90_000 }, 100_000, onWarm);
    const reps = perPath(names, (): TputResult[] => []);
    const meters = perPath(names, (p) => new ProcMeters(paths.pids[p]!));
    const bytes = perPath(names, () => 0);
    // One discarded run per path first: the relay's JIT and V8 heap sizing reach steady state
    // (a fresh relay's first bulk runs are ~10-20 % slower and costlier).
    for (const p of names) {
      const r = await run(p);
      say(`  tput  ${p.padEnd(6)} ${spec.label.padStart(6)} warm-up: ${r.mibPerSec.toFixed(0)} MiB/s (not counted)`);
    }
    for (let rep = 0; rep < o.reps; rep++) {
      for (const p of repOrder(names, rep)) {
        // The client reports 'warm' when its warm-up round trips are done: CPU is counted from there.
        const r = await run(p, () => meters[p]!.start());
        meters[p]!.stop();
        bytes[p]! += r.bytes;
        reps[p]!.push(r);
        say(`  tput  ${p.padEnd(6)} ${spec.label.padStart(6)} rep ${rep + 1}: ${r.mibPerSec.toFixed(0)} MiB/s (${r.messages} × ${spec.label} in ${r.seconds.toFixed(2)} s)`);
      }
    }
    const mib = perPath(names, (p) => median(reps[p]!.map((r) => r.mibPerSec)));
    const proxyCpu = (p: ProxyPath): ProxyCpu => {
      const cpu = meters[p]!.meters[p]!;
      const gib = bytes[p]! / GiB;
      const a = all[p]!;
      a.user += cpu.user;
      a.sys += cpu.sys;
      a.gib += gib;
      return { cpuSeconds: cpu.total, cpuSysShare: cpu.sys / cpu.total, gib, cpuSecondsPerGiB: cpu.total / gib };
    };
    const relay = proxyCpu('relay');
    const r: TputRun = {
      label: spec.label,
      count: spec.count,
      bytes: spec.bytes,
      reps,
      mibPerSec: mib,
      ratio: mib.relay / mib.direct,
      relayCpuSeconds: relay.cpuSeconds,
      relayCpuSysShare: relay.cpuSysShare,
      relayGiB: relay.gib,
      relayCpuSecondsPerGiB: relay.cpuSecondsPerGiB,
      cpuSecondsPerGiB: perPath(names, (p) => meters[p]!.per(bytes[p]! / GiB)),
    };
    if (mib.floor !== undefined) r.floor = { ratio: mib.floor / mib.direct, relayOverFloor: mib.relay / mib.floor, ...proxyCpu('floor') };
    runs.push(r);
  }
  const perGiB = (a: { user: number; sys: number; gib: number }) => ({ cpuSecondsPerGiB: (a.user + a.sys) / a.gib, cpuSysShare: a.sys / (a.user + a.sys) });
  const relay = perGiB(all.relay);
  const result: TputPhase = { runs, relayCpuSecondsPerGiB: relay.cpuSecondsPerGiB, relayCpuSysShare: relay.cpuSysShare, relayPeakRssKiB: procStatusKiB(paths.pids.relay.relay!, 'VmHWM') };
  if (all.floor) result.floor = { ...perGiB(all.floor), peakRssKiB: procStatusKiB(paths.pids.floor!.floor!, 'VmHWM') };
  return result;
}
