/**
 * The idle phase's reference: the same idle streams held by the floor proxy (a
 * bare node:http2 pipe, bench/floor-proxy), so that the relay's memory per idle
 * stream and with no stream can be read against what Node's HTTP/2 and TLS
 * cost by themselves on this machine. Two levels: the last two of the relay's.
 */
import { startFloor } from './floor-process';
import type { OpenResult } from './load-client';
import type { Options } from './options';
import { procStatusKiB } from './proc-stats';
import { type Child, type Cleanup, sleep, startClient } from './processes';
import { say } from './say';
import type { Setup } from './setup';
import { KiB } from './units';

export interface IdleFloor {
  baselineRssKiB: number;
  levels: Array<{ streams: number; rssKiB: number; failed: number }>;
  kibPerStream?: { from: number; to: number; value: number };
}

export async function idleFloor(o: Options, cleanup: Cleanup, s: Setup): Promise<IdleFloor> {
  const floor = await startFloor(cleanup, s, 'floor-idle');
  const workers: Child[] = [];
  try {
    for (let w = 0; w < o.idle.workers; w++) workers.push(await startClient(cleanup, `idle-floor-client-${w + 1}`));
    await sleep(o.idle.settleMs);
    const result: IdleFloor = { baselineRssKiB: procStatusKiB(floor.pid, 'VmRSS'), levels: [] };
    say(`  idle  floor baseline: RSS ${(result.baselineRssKiB / KiB).toFixed(1)} MiB`);
    const per = o.idle.streamsPerConnection;
    let open = 0;
    for (const n of o.idle.levels.slice(-2)) {
      const plans: Array<Map<number, number>> = workers.map(() => new Map());
      for (let j = open; j < n; j++) {
        const conn = Math.floor(j / per);
        const plan = plans[conn % workers.length]!;
        plan.set(conn, (plan.get(conn) ?? 0) + 1);
      }
      const results = await Promise.all(
        workers.map((w, k) =>
          plans[k]!.size === 0
            ? Promise.resolve<OpenResult>({ opened: 0, failed: 0, errors: [], ms: 0, totalOpen: 0, connections: 0 })
            : w.request<OpenResult>({ cmd: 'open', target: { kind: 'uds', socket: floor.socket }, plan: [...plans[k]!.entries()], bytes: o.idle.responseBytes, concurrency: o.idle.concurrency, timeoutMs: 30_000 }, 120_000),
        ),
      );
      open = n;
      await sleep(o.idle.settleMs);
      const level = { streams: n, rssKiB: procStatusKiB(floor.pid, 'VmRSS'), failed: results.reduce((a, r) => a + r.failed, 0) };
      result.levels.push(level);
      say(`  idle  floor ${String(n).padStart(6)} streams: RSS ${(level.rssKiB / KiB).toFixed(1)} MiB${level.failed ? `; ${level.failed} FAILED` : ''}`);
    }
    const [a, b] = result.levels;
    if (a && b) result.kibPerStream = { from: a.streams, to: b.streams, value: (b.rssKiB - a.rssKiB) / (b.streams - a.streams) };
    return result;
  } finally {
    for (const w of workers) w.kill();
    await floor.stop().catch(() => undefined);
  }
}
