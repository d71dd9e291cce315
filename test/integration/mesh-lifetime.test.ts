import { type ChildProcessByStdio, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commandLine, descendants, killAll, running } from '../fixtures/process-tree';
import { ROOT } from '../fixtures/relay-process';
import { waitFor } from '../fixtures/tmp';

const MESH_MAIN = path.join(ROOT, 'dist', 'tools', 'mesh', 'main.js');
/** mgmt, relay, three agents, three Envoy stand-ins, three demo apps. */
const PROCESSES = 11;

interface RunningMesh {
  p: ChildProcessByStdio<null, Readable, Readable>;
  out(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every process the orchestrator started, directly or through an agent. */
  pids: number[];
  dir: string;
}

/** `npm run mesh` in a process group of its own (like a terminal's foreground job), up to its first table. */
async function startMesh(): Promise<RunningMesh> {
  const p = spawn(process.execPath, [MESH_MAIN, '--rate', '5'], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => p.on('exit', (code, signal) => r({ code, signal })));
  const dir = (await waitFor(() => /logs: (\/tmp\/appnet-mesh-\w+)\/logs/.exec(out), 60_000, `the first table (output: ${out.slice(-300)})`, 100))[1]!;
  const pids = await waitFor(() => {
    const d = descendants(p.pid!);
    return d.length >= PROCESSES ? d : undefined;
  }, 20_000, `${PROCESSES} processes under the orchestrator`, 100);
  return { p, out: () => out, exited, pids, dir };
}

const leftOver = (m: RunningMesh) => m.pids.filter(running).map((pid) => `${pid}: ${commandLine(pid)}`);

describe('npm run mesh: nothing left running, however the orchestrator ends', () => {
  it('stops everything on SIGHUP (a closed terminal window), though its terminal is gone', async () => {
    const m = await startMesh();
    try {
      m.p.stdout.destroy(); // the terminal is gone: writing to it fails from now on
      m.p.stderr.destroy();
      process.kill(m.p.pid!, 'SIGHUP');
      expect(await m.exited).toEqual({ code: 0, signal: null });
      expect(leftOver(m)).toEqual([]);
      expect(fs.existsSync(m.dir)).toBe(false);
    } finally {
      killAll(m.pids);
      if (m.p.exitCode === null) m.p.kill('SIGKILL');
      fs.rmSync(m.dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('its children stop by themselves when the orchestrator is SIGKILLed (parent pipe)', async () => {
    const m = await startMesh();
    try {
      m.p.kill('SIGKILL');
      await m.exited;
      await waitFor(() => leftOver(m).length === 0, 45_000, 'every child to stop', 250).catch((err: Error) => {
        throw new Error(`${err.message}; still running:\n${leftOver(m).join('\n')}`);
      });
    } finally {
      killAll(m.pids);
      fs.rmSync(m.dir, { recursive: true, force: true });
    }
  }, 120_000);
});
