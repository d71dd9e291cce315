/**
 * A run's results (bench/results/latest.json), with the goals they are held to
 * (bench/goals.ts). The floor path is what any user-space hop costs here: the
 * relay's goals are ratios against it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { x } from './format';
import type { Goal } from './goals';
import type { Phase } from './options';
import type { AgentPhase } from './phase-agent';
import type { FanoutPhase } from './phase-fanout';
import type { IdlePhase } from './phase-idle';
import type { ReplicasPhase } from './phase-replicas';
import type { RestartPhase } from './phase-restart';
import type { RttPhase } from './phase-rtt';
import type { TputPhase } from './phase-tput';

export const RESULTS_FILE = path.resolve(__dirname, '..', '..', 'bench', 'results', 'latest.json');

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
  /** Each goal of docs/relay-performance.md and docs/agent-performance.md this run measured (bench/goals.ts). */
  goals: Goal[];
}

/** What the floor path says about the relay's round trip (undefined without it). */
export function rttFloorContext(rtt: RttPhase | undefined): string | undefined {
  if (!rtt?.floor || rtt.p50Us.floor === undefined) return undefined;
  const f = rtt.floor;
  const own = rtt.p50Us.relay - rtt.p50Us.floor;
  const hop = rtt.p50Us.floor - rtt.p50Us.direct;
  return `floor (bare node:http2 pipe) ${x(f.ratioP50)} direct; of the relay's +${Math.round(rtt.p50Us.relay - rtt.p50Us.direct)} µs, +${Math.round(hop)} µs is the hop, +${Math.round(own)} µs the relay's own work (relay/floor ${x(f.relayOverFloorP50)})`;
}

/** latest.json for a run of every phase; latest-<phases>.json for a run of some (so it does not replace the full one). */
export function writeResults(r: Results, allPhases: readonly string[]): string {
  const some = r.meta.phases.length < allPhases.length;
  const file = some ? path.join(path.dirname(RESULTS_FILE), `latest-${r.meta.phases.join('-')}.json`) : RESULTS_FILE;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}
