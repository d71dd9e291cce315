import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/relay-process';
import { waitFor } from '../fixtures/tmp';

const MESH_MAIN = path.join(ROOT, 'dist', 'tools', 'mesh', 'main.js');

/** A command line as a user pastes it into a shell (/usr/bin first: Debian's AWS CLI v2). */
function runShell(command: string): Promise<{ code: number | null; stdout: string; output: string }> {
  return new Promise((resolve) => {
    const sh = spawn('/bin/bash', ['-c', command], { env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent', AWS_PAGER: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    sh.stdout.on('data', (d) => (stdout += d));
    sh.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => sh.kill('SIGKILL'), 60_000);
    sh.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, output: `${command}\n${stdout}\n${stderr}` });
    });
  });
}

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
      // The printed console URL opens the console with its token.
      const consoleUrl = /web console \(the graph, the clients, the split to edit\): (http:\/\/127\.0\.0\.1:\d+\/ui\/)#token=(\S+)/.exec(out);
      expect(consoleUrl, out.slice(-3000)).not.toBeNull();
      const model = await fetch(`${consoleUrl![1]}api/model`, { headers: { authorization: `Bearer ${consoleUrl![2]}` } });
      expect(model.status).toBe(200);
      expect(((await model.json()) as { meshes: Array<{ mesh: { meshName: string } }> }).meshes.map((m) => m.mesh.meshName)).toEqual(['apps']);
      expect((await fetch(`${consoleUrl![1]}index.html`)).status).toBe(200);
      // Shift all traffic live with the command the table prints: the AWS CLI (Debian's awscli) against appnet-mgmt's App Mesh API.
      const command = /(AWS_CONFIG_FILE=\S+ AWS_SHARED_CREDENTIALS_FILE=\S+ AWS_PROFILE=\S+ \\\n\s+aws appmesh update-route --endpoint-url http:\/\/127\.0\.0\.1:\d+ [^\n]+\\\n\s+--spec '[^'\n]+')/.exec(out)?.[1];
      expect(command, out.slice(-3000)).toBeDefined();
      const aws = await runShell(command!);
      expect(aws.code, aws.output).toBe(0);
      expect(JSON.parse(aws.stdout).route).toMatchObject({ routeName: 'serviceB', metadata: { version: 2 }, spec: { http2Route: { action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 0 }, { virtualNode: 'serviceBv2', weight: 100 }] } } } });
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
