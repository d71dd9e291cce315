/**
 * The relay's V8 flags take effect in a real process: v8-tuning.ts (the first
 * module the relay's entry point loads) sets them at run time, and V8 reads
 * them at its next GC. A workload that keeps a heap above V8's 8 MB threshold
 * for incremental marking and then churns objects shows incremental marking
 * steps with RELAY_V8_INCREMENTAL_MARKING=1 and none by default.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/relay-process';

const TUNING = path.join(ROOT, 'dist', 'src', 'relay', 'v8-tuning.js');
const WORKLOAD = `
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
`;

async function gcCounts(env: Record<string, string>): Promise<{ major: number; incremental: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', TUNING, '-e', WORKLOAD], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
  return JSON.parse(stdout) as { major: number; incremental: number };
}

describe('the relay V8 flags in a real process', () => {
  it('run full GCs without incremental marking by default, and with it when RELAY_V8_INCREMENTAL_MARKING is on', async () => {
    const [off, on] = await Promise.all([gcCounts({}), gcCounts({ RELAY_V8_INCREMENTAL_MARKING: 'true' })]);
    expect(off.major).toBeGreaterThan(0);
    expect(off.incremental).toBe(0);
    expect(on.major).toBeGreaterThan(0);
    expect(on.incremental).toBeGreaterThan(0);
  }, 90_000);
});
