/**
 * Phase 4, idle streams: relay RSS with N open idle streams (a fresh relay),
 * each proved open through /status; with --diag, GC'd heap figures and a heap
 * snapshot diff per stream.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type HeapGroup, perStreamGrowth, summarizeHeapSnapshot } from './heap-summary';
import type { OpenResult } from './load-client';
import type { Options } from './options';
import { type IdleFloor, idleFloor } from './phase-idle-floor';
import { CpuMeter, procStatusKiB } from './proc-stats';
import { type Child, type Cleanup, sleep, startClient } from './processes';
import { type TrimDone, describeMarking, describeTrim, relayQuiet, relayStatus, startRelay } from './relay-process';
import { say } from './say';
import type { Setup } from './setup';
import { KiB, MiB } from './units';

export interface DiagMem {
  rssBeforeGcKiB: number;
  rssAfterGcKiB: number;
  usage: NodeJS.MemoryUsage;
  spaces: Record<string, number>;
}

export interface IdleLevel {
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
  /** The memory the relay gave back (RELAY_MEMORY_TRIM_AFTER_QUIET) before this reading, if it did. */
  trimmed?: TrimDone;
  diag?: DiagMem;
}

interface Slope {
  from: number;
  to: number;
  kibPerStream: number;
}

export interface IdlePhase {
  baselineRssKiB: number;
  baselineTrimmed?: TrimDone;
  baselineDiag?: DiagMem;
  levels: IdleLevel[];
  slopeLow?: Slope;
  slopeHigh?: Slope;
  relayEnv: Record<string, string>;
  heap?: { from: number; to: number; totalBytesPerStream: number; groups: Array<{ name: string; objectsPerStream: number; bytesPerStream: number }> };
  /** Relay CPU while every stream of the top level is open and idle: % of one core over `overMs`. */
  /** The same idle streams on the floor proxy (a bare node:http2 pipe), unless --no-floor. */
  floor?: IdleFloor;
  idleCpu?: { streams: number; overMs: number; percentOfCore: number };
  heapPerStream?: { from: number; to: number; heapUsedKiB: number; heapTotalKiB: number; externalKiB: number; arrayBuffersKiB: number; rssAfterGcKiB: number };
}

export async function idlePhase(o: Options, cleanup: Cleanup, s: Setup): Promise<IdlePhase> {
  // A fresh relay. The default admission limit (100 new streams/s, burst 200) would make
  // 10 000 streams take 100 s and refuse those queued beyond 10 s, so it is raised here.
  const relayEnv = { RELAY_MAX_NEW_STREAMS_PER_SECOND: '1000000' };
  const relay = await startRelay(cleanup, s, 'relay-idle', { ...o.relayEnv, ...relayEnv }, o.diag, o.relayNodeArgs);
  const workers: Child[] = [];
  try {
    for (let w = 0; w < o.idle.workers; w++) workers.push(await startClient(cleanup, `idle-client-${w + 1}`));
    // Readings are taken once the relay has had its quiet spell (RELAY_MEMORY_TRIM_AFTER_QUIET):
    // what an idle relay holds for good, not what the last burst left behind.
    const baselineTrimmed = await relayQuiet(relay.adminSocket);
    await sleep(o.idle.settleMs);
    const baselineRssKiB = procStatusKiB(relay.pid, 'VmRSS');
    const st0 = await relayStatus(relay.adminSocket);
    say(`  idle  relay baseline: RSS ${(baselineRssKiB / KiB).toFixed(1)} MiB, streams.active ${st0.streams.active}${baselineTrimmed ? ` (after ${describeTrim(baselineTrimmed)})` : ''}`);
    const result: IdlePhase = { baselineRssKiB, baselineTrimmed, levels: [], relayEnv };
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
            : w.request<OpenResult>({ cmd: 'open', target: { kind: 'uds', socket: relay.socket }, plan: [...plans[k]!.entries()], bytes: o.idle.responseBytes, concurrency: o.idle.concurrency, timeoutMs: 30_000 }, 120_000),
        ),
      );
      const openMs = Date.now() - t0;
      const failed = results.reduce((a, r) => a + r.failed, 0);
      const errors = results.flatMap((r) => r.errors).slice(0, 5);
      open = n;
      const trimmed = await relayQuiet(relay.adminSocket);
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
        trimmed,
      };
      say(
        `  idle  ${String(n).padStart(6)} streams / ${String(level.connections).padStart(3)} conns: RSS ${(rssKiB / KiB).toFixed(1)} MiB; /status streams.active ${st.streams.active}, ` +
          `client connections ${st.listener.connections}, ${both} with a message each way; opened in ${(openMs / 1000).toFixed(1)} s${trimmed ? `, read after ${describeTrim(trimmed)}` : ''}${describeMarking(st)}${failed ? `; ${failed} FAILED: ${errors.join(' | ')}` : ''}`,
      );
      if (relay.probe) {
        level.diag = await relay.probe<DiagMem>({ type: 'mem' });
        say(`  idle  [diag] after GC: heapUsed ${(level.diag.usage.heapUsed / MiB).toFixed(1)} MiB, external ${(level.diag.usage.external / MiB).toFixed(1)} MiB, arrayBuffers ${(level.diag.usage.arrayBuffers / MiB).toFixed(1)} MiB, RSS ${(level.diag.rssAfterGcKiB / KiB).toFixed(1)} MiB`);
      }
      result.levels.push(level);
    }
    const top = result.levels.at(-1);
    if (top) {
      const meter = new CpuMeter(relay.pid);
      const overMs = Math.max(3000, o.idle.settleMs * 2);
      meter.start();
      await sleep(overMs);
      meter.stop();
      result.idleCpu = { streams: top.streams, overMs, percentOfCore: (meter.total / (overMs / 1000)) * 100 };
      say(`  idle  relay CPU with ${top.streams} idle streams: ${result.idleCpu.percentOfCore.toFixed(2)} % of a core over ${overMs / 1000} s`);
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
    await relay.stop().catch(() => undefined);
  }
}

/** The relay's idle streams, then (unless --no-floor) the same on the floor proxy for reference. */
export async function idlePhaseWithFloor(o: Options, cleanup: Cleanup, s: Setup): Promise<IdlePhase> {
  const result = await idlePhase(o, cleanup, s);
  if (o.floor) result.floor = await idleFloor(o, cleanup, s);
  return result;
}
