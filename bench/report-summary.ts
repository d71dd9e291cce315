/** The plain-text summary printed at the end of a run: every figure, per-process CPU, targets. */
import { goalText, goalVerdict } from './goals';
import { cpuSplit, mibOf, mibs, num, pct, us, x } from './format';
import { restartLines } from './report-restart';
import { type Results, rttFloorContext } from './results';
import { KiB } from './units';

function rttLines(k: NonNullable<Results['rtt']>): string[] {
  const out: string[] = [];
  out.push(`round trip (${k.count} × ${k.responseBytes} B, ${k.warmup} warm-up): p50 direct ${us(k.p50Us.direct)}, relay ${us(k.p50Us.relay)} (${x(k.ratioP50)}); p99 direct ${us(k.p99Us.direct)}, relay ${us(k.p99Us.relay)} (${x(k.ratioP99)}); relay CPU ${us(k.relayCpuUsPerRoundTrip)} per round trip (${pct(k.relayCpuSysShare)} in the kernel)`);
  if (k.floor && k.p50Us.floor !== undefined && k.p99Us.floor !== undefined) {
    const f = k.floor;
    out.push(`  floor (bare node:http2 pipe): p50 ${us(k.p50Us.floor)} (${x(f.ratioP50)} direct), p99 ${us(k.p99Us.floor)} (${x(f.ratioP99)} direct); relay/floor p50 ${x(f.relayOverFloorP50)}, p99 ${x(f.relayOverFloorP99)}; floor CPU ${us(f.cpuUsPerRoundTrip)} per round trip (${pct(f.cpuSysShare)} in the kernel)`);
  }
  const via = k.cpuUsPerRoundTrip.floor ? `; via floor ${cpuSplit(k.cpuUsPerRoundTrip.floor, us)}` : '';
  out.push(`  CPU per round trip: direct ${cpuSplit(k.cpuUsPerRoundTrip.direct, us)}; via relay ${cpuSplit(k.cpuUsPerRoundTrip.relay, us)}${via}`);
  return out;
}

function tputLines(t: NonNullable<Results['tput']>): string[] {
  const out: string[] = [];
  const s = (v: number): string => v.toFixed(2);
  for (const run of t.runs) {
    out.push(`throughput ${run.count} × ${run.label}: direct ${mibs(run.mibPerSec.direct)} [${run.reps.direct.map((z) => z.mibPerSec.toFixed(0)).join(', ')}], relay ${mibs(run.mibPerSec.relay)} [${run.reps.relay.map((z) => z.mibPerSec.toFixed(0)).join(', ')}] (${x(run.ratio)}); relay CPU ${run.relayCpuSecondsPerGiB.toFixed(2)} s/GiB`);
    if (run.floor && run.mibPerSec.floor !== undefined && run.reps.floor) {
      out.push(`  floor ${mibs(run.mibPerSec.floor)} [${run.reps.floor.map((z) => z.mibPerSec.toFixed(0)).join(', ')}] (${x(run.floor.ratio)} direct; relay/floor ${x(run.floor.relayOverFloor)}); floor CPU ${run.floor.cpuSecondsPerGiB.toFixed(2)} s/GiB`);
    }
    const via = run.cpuSecondsPerGiB.floor ? `; via floor ${cpuSplit(run.cpuSecondsPerGiB.floor, s)}` : '';
    out.push(`  CPU s per GiB: direct ${cpuSplit(run.cpuSecondsPerGiB.direct, s)}; via relay ${cpuSplit(run.cpuSecondsPerGiB.relay, s)}${via}`);
  }
  out.push(`relay CPU per GiB (all throughput runs): ${t.relayCpuSecondsPerGiB.toFixed(2)} s (${pct(t.relayCpuSysShare)} in the kernel); relay peak RSS ${mibOf(t.relayPeakRssKiB)}`);
  if (t.floor) out.push(`floor CPU per GiB (all throughput runs): ${t.floor.cpuSecondsPerGiB.toFixed(2)} s (${pct(t.floor.cpuSysShare)} in the kernel); floor peak RSS ${mibOf(t.floor.peakRssKiB)}`);
  return out;
}

function idleLines(i: NonNullable<Results['idle']>): string[] {
  const out: string[] = [];
  out.push(`idle streams: baseline ${mibOf(i.baselineRssKiB)}; ${i.levels.map((l) => `${num(l.streams)}: ${mibOf(l.rssKiB)}`).join('; ')}`);
  if (i.slopeHigh) out.push(`  per idle stream ${i.slopeHigh.from}→${i.slopeHigh.to}: ${i.slopeHigh.kibPerStream.toFixed(1)} KiB`);
  if (i.floor) out.push(`  floor (bare node:http2 pipe): baseline ${mibOf(i.floor.baselineRssKiB)}; ${i.floor.levels.map((l) => `${num(l.streams)}: ${mibOf(l.rssKiB)}`).join('; ')}${i.floor.kibPerStream ? `; per idle stream ${i.floor.kibPerStream.value.toFixed(1)} KiB` : ''}`);
  if (i.idleCpu) out.push(`  relay CPU with ${num(i.idleCpu.streams)} idle streams: ${i.idleCpu.percentOfCore.toFixed(2)} % of a core`);
  if (i.slopeLow) out.push(`  per idle stream ${i.slopeLow.from}→${i.slopeLow.to}: ${i.slopeLow.kibPerStream.toFixed(1)} KiB`);
  if (i.heapPerStream) {
    const h = i.heapPerStream;
    out.push(`  [diag] per stream ${h.from}→${h.to} after GC: JS heapUsed ${h.heapUsedKiB.toFixed(1)} KiB (heapTotal ${h.heapTotalKiB.toFixed(1)}), external ${h.externalKiB.toFixed(1)} KiB (arrayBuffers ${h.arrayBuffersKiB.toFixed(1)}), RSS ${h.rssAfterGcKiB.toFixed(1)} KiB`);
  }
  if (i.heap) {
    out.push(`  [diag] heap snapshot growth per stream (0→${i.heap.to}): ${(i.heap.totalBytesPerStream / KiB).toFixed(1)} KiB; largest:`);
    for (const g of i.heap.groups) out.push(`      ${(g.bytesPerStream / KiB).toFixed(2).padStart(6)} KiB  ${g.objectsPerStream.toFixed(1).padStart(6)} objects  ${g.name}`);
  }
  return out;
}

export function summary(r: Results): string {
  const out: string[] = ['', '=== results ==='];
  if (r.rtt) out.push(...rttLines(r.rtt));
  if (r.tput) out.push(...tputLines(r.tput));
  if (r.idle) out.push(...idleLines(r.idle));
  if (r.fanout) {
    const f = r.fanout;
    const rel = f.runs.filter((z) => z.path === 'relay' && z.upstreamConnections === f.upstreamConnections);
    const dir = f.runs.filter((z) => z.path === 'direct');
    const ms = (v: number[]): string => v.map((z) => z.toFixed(0)).join(', ');
    out.push(`fan-out ${num(f.streams)} × ${f.bytes / 2 ** 20} MiB: last arrival direct [${ms(dir.map((z) => z.lastMs))}] ms, relay [${ms(rel.map((z) => z.lastMs))}] ms; p50 direct [${ms(dir.map((z) => z.p50Ms))}], relay [${ms(rel.map((z) => z.p50Ms))}]; p99 direct [${ms(dir.map((z) => z.p99Ms))}], relay [${ms(rel.map((z) => z.p99Ms))}]; relay peak RSS ${mibOf(f.relayPeakRssKiB)}`);
    const flo = f.runs.filter((z) => z.path === 'floor');
    if (f.floorRatioLast) out.push(`  floor (bare node:http2 pipe): last arrival [${ms(flo.map((z) => z.lastMs))}] ms, floor / direct ${f.floorRatioLast.median.toFixed(2)}× (${f.floorRatioLast.min.toFixed(2)}–${f.floorRatioLast.max.toFixed(2)})`);
  }
  if (r.restart) out.push(...restartLines(r.restart));
  if (r.replicas) {
    const p = r.replicas;
    out.push(`replicas: ${num(p.streams)} streams over ${p.replicas} replicas, ${p.updates} updates: delivery p50 ${p.deliveryMs.p50} ms, p99 ${p.deliveryMs.p99} ms; all streams after ${p.allMs.median} ms (worst ${p.allMs.max} ms); CPU ${(p.cpuMsPerPush * 1000).toFixed(0)} µs per push; ${p.kibPerStream.toFixed(1)} KiB per stream`);
  }
  const floor = rttFloorContext(r.rtt);
  if (floor) out.push(`round trip: ${floor}`);
  if (r.goals.length) {
    out.push('', 'goals (docs/relay-performance.md, docs/agent-performance.md; median and range over repetitions):');
    for (const g of r.goals) out.push(`  ${goalVerdict(g).padEnd(8)}  ${g.name}: ${goalText(g)} (goal ${g.goal})`);
  }
  if (r.meta.relayWarnings) out.push(`note: the relay logged ${r.meta.relayWarnings} warning/error lines`);
  if (r.meta.floorErrors) out.push(`note: the floor proxy reported ${r.meta.floorErrors} errors`);
  return out.join('\n');
}
