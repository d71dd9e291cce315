/**
 * The relay's and the agent's performance goals (docs/relay-performance.md,
 * docs/agent-performance.md), every one a ratio
 * against a path measured in the same run (or a memory figure), with the
 * spread over repetitions where there are several: a goal that lies inside a
 * figure's range is reported as inside its noise rather than met or missed.
 */
import type { Results } from './results';
import { type Spread, spread } from './spread';
import { KiB } from './units';

/** The limits, in one place (the docs' goals tables quote them). */
export const GOAL = {
  rttP50OverFloor: 1.05,
  rttP99OverFloor: 1.2,
  cpuPerGiBOverFloor: 1.1,
  tput10MiBOverDirect: 0.95,
  kibPerIdleStream: 8,
  rssNoStreamMiB: 40,
  rss10kStreamsMiB: 120,
  streamsNotBack: 0,
  fanoutLastOverDirect: 1.2,
  /** spawn to the first /status answer, over a bare `node -e 0` start of the same round */
  agentColdStartOverBare: 2,
  agentRssMiB: 45,
};

export interface Goal {
  name: string;
  value: number;
  /** Over repetitions, when the figure has some. */
  spread?: Spread;
  goal: string;
  pass: boolean;
  /** The goal lies within the figure's range over repetitions. */
  inNoise: boolean;
}

function goal(name: string, s: Spread | number, limit: number, atMost: boolean, unit = '×'): Goal {
  const sp = typeof s === 'number' ? undefined : s;
  const value = typeof s === 'number' ? s : s.median;
  const pass = atMost ? value <= limit : value >= limit;
  const inNoise = sp !== undefined && sp.reps.length > 1 && sp.min <= limit && limit <= sp.max;
  return { name, value, ...(sp ? { spread: sp } : {}), goal: `${atMost ? '≤' : '≥'} ${limit}${unit}`, pass, inNoise };
}

const pairs = <T>(a: T[] | undefined, b: T[] | undefined, f: (v: T) => number): number[] => (a && b ? a.map((v, k) => (b[k] ? f(v) / f(b[k]!) : NaN)) : []);

export function computeGoals(r: Results): Goal[] {
  const g: Goal[] = [];
  const k = r.rtt;
  if (k?.reps.floor) {
    g.push(goal('round trip p50, relay / floor', spread(pairs(k.reps.relay, k.reps.floor, (v) => v.p50Us)), GOAL.rttP50OverFloor, true));
    g.push(goal('round trip p99, relay / floor', spread(pairs(k.reps.relay, k.reps.floor, (v) => v.p99Us)), GOAL.rttP99OverFloor, true));
  }
  const t = r.tput;
  if (t?.floor) g.push(goal('relay CPU per GiB, relay / floor', t.relayCpuSecondsPerGiB / t.floor.cpuSecondsPerGiB, GOAL.cpuPerGiBOverFloor, true));
  for (const run of t?.runs ?? []) {
    if (run.label !== '10 MiB') continue;
    g.push(goal(`throughput ${run.label} responses, relay / direct`, spread(pairs(run.reps.relay, run.reps.direct, (v) => v.mibPerSec)), GOAL.tput10MiBOverDirect, false));
  }
  const i = r.idle;
  if (i?.slopeHigh) g.push(goal(`relay memory per idle stream (${i.slopeHigh.from} → ${i.slopeHigh.to})`, i.slopeHigh.kibPerStream, GOAL.kibPerIdleStream, true, ' KiB'));
  if (i) g.push(goal('relay RSS with no stream', i.baselineRssKiB / KiB, GOAL.rssNoStreamMiB, true, ' MiB'));
  const top = i?.levels.at(-1);
  if (top && top.streams >= 10_000) g.push(goal(`relay RSS with ${top.streams.toLocaleString('en-US')} streams`, top.rssKiB / KiB, GOAL.rss10kStreamsMiB, true, ' MiB'));
  const f = r.fanout;
  const back = r.restart?.runs.find((z) => z.path === 'relay');
  if (back) g.push(goal(`streams not back ${back.waitMs / 1000} s after an upstream restart (${back.streams.toLocaleString('en-US')} streams)`, back.missing, GOAL.streamsNotBack, true, ' streams'));
  if (f) g.push(goal(`fan-out to ${f.streams.toLocaleString('en-US')} streams, last arrival, relay / direct`, f.ratioLast, GOAL.fanoutLastOverDirect, true));
  const a = r.agent;
  if (a?.ratio) {
    g.push(goal('agent cold start to first /status, agent / bare `node -e 0`', a.ratio.agentOverBare, GOAL.agentColdStartOverBare, true));
    g.push(goal('agent RSS, up and polling', a.rssKiB / KiB, GOAL.agentRssMiB, true, ' MiB'));
  }
  return g;
}

export function goalText(x: Goal): string {
  const unit = x.goal.slice(x.goal.lastIndexOf(' '));
  const v = x.goal.endsWith('×') ? `${x.value.toFixed(2)}×` : `${unit === ' streams' ? x.value.toFixed(0) : x.value.toFixed(1)}${unit}`;
  const range = x.spread && x.spread.reps.length > 1 ? ` (${x.spread.min.toFixed(2)}–${x.spread.max.toFixed(2)} over ${x.spread.reps.length})` : '';
  return `${v}${range}`;
}

export const goalVerdict = (x: Goal): string => (x.inNoise ? 'in noise' : x.pass ? 'PASS' : 'MISS');
