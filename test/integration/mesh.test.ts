import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/relay-process';
import { waitFor } from '../fixtures/tmp';

const MESH_MAIN = path.join(ROOT, 'dist', 'src', 'mesh', 'main.js');

/** Processes whose command line mentions `text` (what the mesh left running, if anything). */
function processesMentioning(text: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(text) && !l.includes('ps -eo'));
}

describe('npm run mesh (bounded smoke test)', () => {
  it('starts the seed scenario, reaches the table with every sidecar HEALTHY and traffic split, and stops cleanly on Ctrl-C', async () => {
    // In a process group of its own, like a foreground job in a terminal
    const p = spawn(process.execPath, [MESH_MAIN, '--rate', '40'], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
    try {
      const table = await waitFor(
        () => {
          const tables = out.split('-'.repeat(80));
          return tables.find((t) => /serviceA\s+HEALTHY/.test(t) && /serviceB\s+HEALTHY/.test(t) && /serviceBv2\s+HEALTHY/.test(t) && /last 200 calls/.test(t));
        },
        45_000,
        'a table with three HEALTHY sidecars and 200 calls',
        250,
      );
      expect(table).toMatch(/relay: HEALTHY · upstream CONNECTED · credentials VALID \(container-credentials\)/);
      for (const node of ['serviceA', 'serviceB', 'serviceBv2']) expect(table).toMatch(new RegExp(`mesh/apps/virtualNode/${node}\\s+SYNCED`));
      const b = Number(/serviceB\s+(\d+)\s+[\d.]+%/.exec(table)![1]);
      const v2 = Number(/serviceBv2\s+(\d+)\s+[\d.]+%/.exec(table)![1]);
      expect(b + v2).toBe(200);
      expect(b).toBeGreaterThan(120); // about 150 (75 %)
      expect(v2).toBeGreaterThan(20); // about 50 (25 %)
      expect(table).toMatch(/serviceB\s+\d+\s+[\d.]+%\s+#+\s+route weight 75/);
      // shift all traffic live through the management server's App Mesh API (the command the table prints)
      const url = /curl -X PUT (http:\/\/127\.0\.0\.1:\d+\S+)/.exec(out)![1]!;
      const body = { spec: { http2Route: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 0 }, { virtualNode: 'serviceBv2', weight: 100 }] } } } };
      const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(put.status).toBe(200);
      const shifted = await waitFor(() => out.split('-'.repeat(80)).find((t) => /serviceBv2\s+200\s+100\.0%/.test(t)), 30_000, 'a table with all of the last 200 calls on serviceBv2', 250);
      expect(shifted).toMatch(/route weight 100/);
      const dir = /logs: (\/tmp\/appnet-mesh-\w+)\/logs/.exec(out)![1]!;
      expect(processesMentioning(dir).length).toBeGreaterThan(3);
      process.kill(-p.pid!, 'SIGINT'); // what Ctrl-C does: SIGINT to the whole foreground group
      expect(await exited).toBe(0);
      expect(out).toMatch(/Ctrl-C: stopping the mesh/);
      expect(out).toMatch(/\nstopped\n/);
      expect(fs.existsSync(dir)).toBe(false);
      expect(processesMentioning(dir)).toEqual([]);
    } finally {
      if (p.exitCode === null) process.kill(-p.pid!, 'SIGKILL');
    }
  }, 90_000);
});
