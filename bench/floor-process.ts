/** The floor proxy (bench/floor-proxy) as a separate process, started and stopped like the relay. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { type Cleanup, Tail, stopProcess, withTimeout } from './processes';
import type { Setup } from './setup';
import { DOMAIN } from './wire';

export interface Floor {
  pid: number;
  socket: string;
  /** Counts the proxy's own complaints (lines it writes to stderr). */
  tail: Tail;
  stop(): Promise<void>;
}

export async function startFloor(cleanup: Cleanup, s: Setup, name = 'floor', nodeArgs?: string[]): Promise<Floor> {
  const socket = path.join(s.dir, `${name}.sock`);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', FLOOR_SOCKET: socket, FLOOR_UPSTREAM_PORT: String(s.upstreamPort), FLOOR_CA_FILE: s.caFile, FLOOR_DOMAIN: DOMAIN };
  // stdin stays open: the proxy exits when it closes, so it cannot outlive the benchmark.
  const proc = cleanup.track(spawn(process.execPath, [...(nodeArgs ?? []), path.join(__dirname, 'floor-proxy.js')], { env, stdio: ['pipe', 'pipe', 'pipe'] }));
  proc.stdin!.on('error', () => undefined);
  const tail = new Tail(/^floor-proxy: /);
  tail.attach(proc.stdout);
  tail.attach(proc.stderr);
  const ready = new Promise<void>((resolve, reject) => {
    proc.once('exit', (code, signal) => reject(new Error(`floor proxy exited (${signal ?? code}): ${tail.text()}`)));
    proc.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
  });
  await withTimeout(ready, 15_000, 'floor proxy start');
  return { pid: proc.pid!, socket, tail, stop: () => stopProcess(proc, 'floor proxy', nodeArgs !== undefined) };
}
