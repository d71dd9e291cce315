/**
 * Diagnosis only (`npm run bench -- --diag`): preloaded into the relay process
 * with NODE_OPTIONS="--expose-gc --require .../relay-probe.js". Over the IPC
 * channel run.ts opened it answers
 *  - {type:'mem'}: full GC (twice), then process.memoryUsage() and V8 heap space sizes;
 *  - {type:'snapshot', file}: write a heap snapshot to `file`.
 * It changes nothing in the relay; without an IPC channel it does nothing.
 */
import * as fs from 'node:fs';
import * as v8 from 'node:v8';

interface ProbeRequest {
  probe: number;
  type: 'mem' | 'snapshot';
  file?: string;
}

function vmRssKiB(): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

if (process.send && process.channel) {
  process.on('message', (m: ProbeRequest) => {
    if (typeof m !== 'object' || m === null || typeof m.probe !== 'number') return;
    try {
      if (m.type === 'mem') {
        const rssBeforeGcKiB = vmRssKiB();
        const gc = (globalThis as { gc?: () => void }).gc;
        gc?.();
        gc?.();
        const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
        process.send!({ probe: m.probe, ok: true, result: { rssBeforeGcKiB, rssAfterGcKiB: vmRssKiB(), gc: gc !== undefined, usage: process.memoryUsage(), spaces } });
      } else if (m.type === 'snapshot' && m.file) {
        const t0 = Date.now();
        v8.writeHeapSnapshot(m.file);
        process.send!({ probe: m.probe, ok: true, result: { file: m.file, ms: Date.now() - t0 } });
      }
    } catch (err) {
      process.send!({ probe: m.probe, ok: false, error: (err as Error).message });
    }
  });
  process.channel.unref(); // never what keeps the relay alive
}
