/**
 * A run's results (bench/results/latest.json) and the targets they are held to.
 * The floor path is context, never a target: it shows what any user-space hop
 * costs here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { x } from './format';
import type { Phase } from './options';
import type { AgentPhase } from './phase-agent';
import type { FanoutPhase } from './phase-fanout';
import type { IdlePhase } from './phase-idle';
import type { ReplicasPhase } from './phase-replicas';
import type { RestartPhase } from './phase-restart';
import type { RttPhase } from './phase-rtt';
import type { TputPhase } from './phase-tput';

export const RESULTS_FILE = path.resolve(__dirname, '..', '..', 'bench', 'results', 'latest.json');

export const TARGET = {
  /** relay / direct, round trip p50: at most */
  rttP50: 1.2,
  /** relay / direct, throughput: at least */
  tput: 0.95,
  /** relay CPU seconds per GiB relayed: at most */
  cpuPerGiB: 2.5,
  /** relay RSS KiB per idle stream: at most */
  kibPerIdleStream: 16,
  /** agent: spawn to the first /status answer, over a bare `node -e 0` start of the same round (median): at most */
  agentColdStartOverBare: 2,
  /** agent RSS MiB, up and polling: at most */
  agentRssMiB: 45,
};

/** The name of the round-trip target, beside which the floor context is printed. */
export const RTT_TARGET = 'RTT p50 relay/direct';

export interface Results {
  meta: {
    date: string;
    node: string;
    platform: string;
    cpus: number;
    cpuModel: string;
    memGiB: number;
    quick: boolean;
    diag: boolean;
    floor: boolean;
    phases: Phase[];
    reps: number;
    clkTck: number;
    seconds: number;
    relayWarnings: number;
    /** Lines the floor proxy wrote to stderr (stream or session errors). */
    floorErrors: number;
  };
  rtt?: RttPhase;
  tput?: TputPhase;
  idle?: IdlePhase;
  fanout?: FanoutPhase;
  restart?: RestartPhase;
  agent?: AgentPhase;
  replicas?: ReplicasPhase;
  targets: Array<{ name: string; value: number; target: string; pass: boolean }>;
}

export function computeTargets(r: Results): Results['targets'] {
  const t: Results['targets'] = [];
  if (r.rtt) t.push({ name: RTT_TARGET, value: r.rtt.ratioP50, target: `<= ${TARGET.rttP50}x`, pass: r.rtt.ratioP50 <= TARGET.rttP50 });
  if (r.tput) {
    for (const run of r.tput.runs) t.push({ name: `throughput ${run.label} relay/direct`, value: run.ratio, target: `>= ${TARGET.tput}x`, pass: run.ratio >= TARGET.tput });
    t.push({ name: 'relay CPU s per GiB', value: r.tput.relayCpuSecondsPerGiB, target: `<= ${TARGET.cpuPerGiB}`, pass: r.tput.relayCpuSecondsPerGiB <= TARGET.cpuPerGiB });
  }
  if (r.idle?.slopeHigh) {
    const s = r.idle.slopeHigh;
    t.push({ name: `KiB per idle stream (${s.from}->${s.to})`, value: s.kibPerStream, target: `<= ${TARGET.kibPerIdleStream}`, pass: s.kibPerStream <= TARGET.kibPerIdleStream });
  }
  if (r.agent) {
    const a = r.agent;
    const ratio = a.ratio.agentOverBare.median;
    t.push({ name: 'agent cold start to first /status, agent / bare node', value: ratio, target: `<= ${TARGET.agentColdStartOverBare}x`, pass: ratio <= TARGET.agentColdStartOverBare });
    const mib = a.rssKiB / 1024;
    t.push({ name: 'agent RSS MiB', value: mib, target: `<= ${TARGET.agentRssMiB}`, pass: mib <= TARGET.agentRssMiB });
  }
  return t;
}

/** What the floor path says about the RTT target (undefined without it). */
export function rttFloorContext(rtt: RttPhase | undefined): string | undefined {
  if (!rtt?.floor || rtt.p50Us.floor === undefined) return undefined;
  const f = rtt.floor;
  const reach = f.ratioP50 <= TARGET.rttP50 ? `within ${TARGET.rttP50}x` : `already over ${TARGET.rttP50}x`;
  const own = rtt.p50Us.relay - rtt.p50Us.floor;
  const hop = rtt.p50Us.floor - rtt.p50Us.direct;
  return `floor (bare node:http2 pipe) ${x(f.ratioP50)} direct, ${reach}; of the relay's +${Math.round(rtt.p50Us.relay - rtt.p50Us.direct)} µs, +${Math.round(hop)} µs is the hop, +${Math.round(own)} µs the relay's own work (relay/floor ${x(f.relayOverFloorP50)})`;
}

/** latest.json for a run of every phase; latest-<phases>.json for a run of some (so it does not replace the full one). */
export function writeResults(r: Results, allPhases: readonly string[]): string {
  const some = r.meta.phases.length < allPhases.length;
  const file = some ? path.join(path.dirname(RESULTS_FILE), `latest-${r.meta.phases.join('-')}.json`) : RESULTS_FILE;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}
