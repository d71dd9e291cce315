/** The Markdown block for README.md, between <!-- bench:start --> and <!-- bench:end -->. */
import { computeGoals, goalText, goalVerdict } from './goals';
import { mibOf, mibs, num, us, x } from './format';
import { restartTable } from './report-restart';
import type { Results } from './results';
import { KiB, median } from './units';
import { spreadText } from './spread';

function timedTable(r: Results): string[] {
  const lines: string[] = [];
  lines.push('| measure | direct (TLS) | via relay (UDS → TLS, SigV4) | relay / direct |');
  lines.push('|---|--:|--:|--:|');
  if (r.rtt) {
    const k = r.rtt;
    lines.push(`| round trip p50, ${k.responseBytes / KiB} KiB response | ${us(k.p50Us.direct)} | ${us(k.p50Us.relay)} | ${x(k.ratioP50)} |`);
    lines.push(`| round trip p99 | ${us(k.p99Us.direct)} | ${us(k.p99Us.relay)} | ${x(k.ratioP99)} |`);
  }
  if (r.tput) {
    for (const run of r.tput.runs) lines.push(`| throughput, ${run.count} × ${run.label} responses | ${mibs(run.mibPerSec.direct)} | ${mibs(run.mibPerSec.relay)} | ${x(run.ratio)} |`);
    lines.push(`| relay CPU per GiB relayed | | ${r.tput.relayCpuSecondsPerGiB.toFixed(2)} s | |`);
  }
  if (r.rtt) lines.push(`| relay CPU per round trip | | ${us(r.rtt.relayCpuUsPerRoundTrip)} | |`);
  if (r.tput) lines.push(`| relay peak RSS (VmHWM over these runs) | | ${mibOf(r.tput.relayPeakRssKiB)} | |`);
  return lines;
}

/** One paragraph: the floor path's figures, and the relay against it. Empty without the floor. */
function floorParagraph(r: Results): string[] {
  const k = r.rtt;
  const t = r.tput;
  const parts: string[] = [];
  const over: string[] = [];
  if (k?.floor && k.p50Us.floor !== undefined && k.p99Us.floor !== undefined) {
    parts.push(`p50 ${us(k.p50Us.floor)} (${x(k.floor.ratioP50)} direct), p99 ${us(k.p99Us.floor)} (${x(k.floor.ratioP99)} direct)`);
    over.push(`round trip p50 ${x(k.floor.relayOverFloorP50)} (+${us(k.p50Us.relay - k.p50Us.floor)}), p99 ${x(k.floor.relayOverFloorP99)}`);
  }
  const runs = (t?.runs ?? []).filter((run) => run.floor && run.mibPerSec.floor !== undefined);
  if (runs.length) {
    parts.push(`throughput ${runs.map((run) => `${mibs(run.mibPerSec.floor!)} with ${run.label} (${x(run.floor!.ratio)} direct)`).join(', ')}`);
    over.push(`throughput ${runs.map((run) => `${x(run.floor!.relayOverFloor)} with ${run.label}`).join(', ')}`);
  }
  const cpu: string[] = [];
  if (k?.floor) cpu.push(`${us(k.floor.cpuUsPerRoundTrip)} per round trip`);
  if (t?.floor) cpu.push(`${t.floor.cpuSecondsPerGiB.toFixed(2)} s per GiB`);
  if (cpu.length) parts.push(`floor CPU ${cpu.join(', ')}`);
  if (parts.length === 0) return [];
  return ['', `Floor (bare \`node:http2\` pipe, no signing/inspection, same stream windows, measured as a third path): ${parts.join('; ')}. Relay / floor: ${over.join('; ')}.`];
}

function idleTable(i: NonNullable<Results['idle']>): string[] {
  const lines: string[] = [];
  lines.push('| idle streams | client connections | relay RSS | /status streams.active |');
  lines.push('|--:|--:|--:|--:|');
  lines.push(`| 0 | 0 | ${mibOf(i.baselineRssKiB)} | 0 |`);
  for (const l of i.levels) lines.push(`| ${num(l.streams)} | ${num(l.connections)} | ${mibOf(l.rssKiB)} | ${num(l.statusActive)}${l.failed ? ` (${l.failed} failed)` : ''} |`);
  const parts: string[] = [];
  if (i.slopeHigh) parts.push(`**${i.slopeHigh.kibPerStream.toFixed(1)} KiB** per idle stream (${num(i.slopeHigh.from)} → ${num(i.slopeHigh.to)})`);
  if (i.slopeLow) parts.push(`${i.slopeLow.kibPerStream.toFixed(1)} KiB (${num(i.slopeLow.from)} → ${num(i.slopeLow.to)})`);
  if (i.floor) parts.push(`the floor proxy (a bare node:http2 pipe) holding the same streams: ${mibOf(i.floor.baselineRssKiB)} with none${i.floor.kibPerStream ? `, ${i.floor.kibPerStream.value.toFixed(1)} KiB per idle stream (${num(i.floor.kibPerStream.from)} → ${num(i.floor.kibPerStream.to)})` : ''}`);
  if (i.idleCpu) parts.push(`relay CPU with ${num(i.idleCpu.streams)} idle streams open ${i.idleCpu.percentOfCore.toFixed(2)} % of a core`);
  lines.push('');
  lines.push(`Relay memory: ${parts.join(', ')}. Each idle stream sent one request and got one response; ${i.levels.at(-1)?.streamsWithBothMessages === i.levels.at(-1)?.statusActive ? 'all were' : 'not all were'} confirmed open with a message each way in the relay's /status.`);
  return lines;
}

function fanoutTable(f: NonNullable<Results['fanout']>): string[] {
  const med = (p: 'relay' | 'direct', g: (z: (typeof f.runs)[number]) => number): string => {
    // the relay columns: the last relay configuration measured (the top-level figures)
    const v = f.runs.filter((z) => z.path === p && (p === 'direct' || z.upstreamConnections === f.upstreamConnections)).map(g).sort((a, b) => a - b);
    return `${v[Math.floor((v.length - 1) / 2)]!.toFixed(0)} ms`;
  };
  return [
    `| fan-out: one ${f.bytes / 2 ** 20} MiB update pushed to ${num(f.streams)} streams at once (median of ${f.ratioLast.reps.length}) | direct | via relay | relay / direct (range) |`,
    '|---|--:|--:|--:|',
    `| server's first write → a stream has it, p50 | ${med('direct', (z) => z.p50Ms)} | ${med('relay', (z) => z.p50Ms)} | ${x(f.ratioP50.median)} (${f.ratioP50.min.toFixed(2)}–${f.ratioP50.max.toFixed(2)}) |`,
    `| p99 | ${med('direct', (z) => z.p99Ms)} | ${med('relay', (z) => z.p99Ms)} | |`,
    `| the last stream has it | ${med('direct', (z) => z.lastMs)} | ${med('relay', (z) => z.lastMs)} | ${x(f.ratioLast.median)} (${f.ratioLast.min.toFixed(2)}–${f.ratioLast.max.toFixed(2)}) |`,
    `| relay peak RSS during the push (VmHWM, a fresh relay) | | ${mibOf(f.relayPeakRssKiB)} | |`,
    ...(f.variants ?? []).map(
      (v) => `| RELAY_UPSTREAM_CONNECTIONS=${v.upstreamConnections ?? 'default'}: the last stream has it, relay / direct | | | ${x(v.ratioLast.median)} (${v.ratioLast.min.toFixed(2)}–${v.ratioLast.max.toFixed(2)}) |`,
    ),
  ];
}

function goalsTable(r: Results): string[] {
  const goals = computeGoals(r);
  if (!goals.length) return [];
  const lines = ['| goal (docs/relay-performance.md, docs/agent-performance.md) | measured: median (range over repetitions) | goal | |', '|---|--:|---|---|'];
  for (const g of goals) lines.push(`| ${g.name} | ${goalText(g)} | ${g.goal} | ${goalVerdict(g)} |`);
  lines.push('', '"in noise": the goal lies within the range the figure took over the repetitions of this run.');
  return lines;
}

function agentTable(a: NonNullable<Results['agent']>): string[] {
  const mib = (kib: number) => `${(kib / KiB).toFixed(1)} MiB`;
  const m = (k: 'bare' | 'floor' | 'agent') => `${median(a.startMs[k]).toFixed(0)} ms`;
  return [
    '| agent (appnet-agent supervising the Envoy stand-in, checking a relay health service) | agent | floor (http + pino + YAML) | bare node |',
    '|---|--:|--:|--:|',
    `| spawn to first /status answer (bare: to exit), median of ${a.runs} rounds | ${m('agent')} | ${m('floor')} | ${m('bare')} |`,
    `| spawn to the first /status naming Envoy's pid (the whole start), median | ${median(a.envoyStartedMs).toFixed(0)} ms | | |`,
    `| per round: agent / bare, agent / floor | ${spreadText(a.ratio.agentOverBare)}, ${spreadText(a.ratio.agentOverFloor)} | floor / bare ${spreadText(a.ratio.floorOverBare)} | |`,
    `| RSS, up and polling | ${mib(a.rssKiB)} | ${mib(a.floorRssKiB)} | ${mib(a.bareRssKiB)} |`,
    `| bootstrap generation (pure); with platform facts and YAML | ${a.bootstrap.generateUs.toFixed(0)} µs; ${a.bootstrap.renderMs.toFixed(1)} ms | | |`,
  ];
}

function replicasTable(p: NonNullable<Results['replicas']>): string[] {
  return [
    `| control plane: ${num(p.streams)} ADS streams over ${p.replicas} appnet-mgmt replicas sharing etcd, ${p.updates} UpdateRoute calls | value |`,
    '|---|--:|',
    `| UpdateRoute sent → a stream has the new routes, p50 (p99) over every stream and update | ${p.deliveryMs.p50} ms (${p.deliveryMs.p99} ms) |`,
    `| UpdateRoute sent → every stream has them, median (worst) of the updates | ${p.allMs.median} ms (${p.allMs.max} ms) |`,
    `| replica CPU per push (one response to one stream, both replicas) | ${(p.cpuMsPerPush * 1000).toFixed(0)} µs |`,
    `| replica memory per open stream | ${p.kibPerStream.toFixed(1)} KiB |`,
    `| replica RSS with no stream (each) | ${p.baselineRssMiB.map((v) => `${v.toFixed(0)} MiB`).join(', ')} |`,
  ];
}

export function markdown(r: Results): string {
  const m = r.meta;
  const lines: string[] = [];
  lines.push('<!-- bench:start -->');
  const timed = r.rtt || r.tput ? ` Round trips and throughput: ${m.reps === 1 ? 'one run' : `median of ${m.reps} runs`} after one discarded warm-up run per path, as ratios against a direct TLS connection measured in the same run.` : '';
  const diag = m.diag ? ' (--diag run: RSS includes the heap snapshots\' own cost)' : '';
  lines.push(
    `Relay benchmark (\`npm run bench${m.quick ? ' -- --quick' : ''}\`)${diag}, ${m.date.slice(0, 10)}: Node ${m.node}, ${m.platform}, ${m.cpus} cores (${m.cpuModel}), ` +
      `load clients, relay and management server in separate processes sharing those cores.${timed}`,
  );
  if (r.rtt || r.tput) lines.push('', ...timedTable(r), ...floorParagraph(r));
  if (r.idle) lines.push('', ...idleTable(r.idle));
  if (r.fanout) lines.push('', ...fanoutTable(r.fanout));
  if (r.restart) lines.push('', ...restartTable(r.restart));
  const goals = goalsTable(r);
  if (goals.length) lines.push('', ...goals);
  if (r.agent) lines.push('', ...agentTable(r.agent));
  if (r.replicas) lines.push('', ...replicasTable(r.replicas));
  lines.push('<!-- bench:end -->');
  return lines.join('\n');
}
