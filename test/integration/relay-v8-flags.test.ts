/**
 * The relay's V8 flags take effect in a real process: v8-tuning.ts (the first
 * module the relay's entry point loads) sets them at run time, and V8 reads
 * them at its next GC. A workload that keeps a heap above V8's 8 MB threshold
 * for incremental marking and then churns objects shows incremental marking
 * steps with RELAY_V8_INCREMENTAL_MARKING=on and none with `off` or at the
 * start of `auto`; `auto`'s switch (incremental-marking.ts), told the heap is
 * large, turns them on in the same process.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/relay-process';

const TUNING = path.join(ROOT, 'dist', 'src', 'relay', 'v8-tuning.js');
const SWITCH = path.join(ROOT, 'dist', 'src', 'relay', 'incremental-marking.js');
const WORKLOAD = `
if (process.env.TEST_SWITCH_HEAP_MIB) {
  const sw = require(process.env.TEST_SWITCH_MODULE).startMarkingSwitch({ mode: 'auto', everyMs: 1, heapBytes: () => Number(process.env.TEST_SWITCH_HEAP_MIB) * 1048576 });
  const t = setInterval(() => { if (sw.record.switches > 0) { clearInterval(t); sw.stop(); run(); } }, 1);
} else run();
function run() {
const { PerformanceObserver, constants } = require('node:perf_hooks');
const counts = { major: 0, incremental: 0 };
const obs = new PerformanceObserver((l) => {
  for (const e of l.getEntries()) {
    if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) counts.major++;
    if (e.detail.kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) counts.incremental++;
  }
});
obs.observe({ entryTypes: ['gc'] });
const keep = [];
for (let i = 0; i < 150000; i++) keep.push({ i, s: 'x' + i });
const ring = new Array(200000);
let k = 0, rounds = 0;
(function step() {
  for (let i = 0; i < 2e5; i++) { ring[k] = { i, a: [i, i] }; k = (k + 1) % ring.length; }
  if (++rounds < 60) return setImmediate(step);
  setTimeout(() => { obs.disconnect(); console.log(JSON.stringify({ ...counts, kept: keep.length })); }, 50);
})();
}
`;

async function gcCounts(env: Record<string, string>): Promise<{ major: number; incremental: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', TUNING, '-e', WORKLOAD], {
    env: { PATH: process.env.PATH ?? '', TEST_SWITCH_MODULE: SWITCH, ...env },
    timeout: 60_000,
  });
  return JSON.parse(stdout) as { major: number; incremental: number };
}

describe('the relay V8 flags in a real process', () => {
  it('run full GCs without incremental marking at start (auto, off), with it when on or once auto sees a large heap', async () => {
    const [auto, off, on, grown] = await Promise.all([
      gcCounts({}),
      gcCounts({ RELAY_V8_INCREMENTAL_MARKING: 'off' }),
      gcCounts({ RELAY_V8_INCREMENTAL_MARKING: 'on' }),
      gcCounts({ TEST_SWITCH_HEAP_MIB: '64' }),
    ]);
    for (const c of [auto, off, on, grown]) expect(c.major).toBeGreaterThan(0);
    expect(auto.incremental).toBe(0);
    expect(off.incremental).toBe(0);
    expect(on.incremental).toBeGreaterThan(0);
    expect(grown.incremental).toBeGreaterThan(0);
  }, 90_000);
});
