import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onJsonLines } from '../../src/common/json-lines';
import { withParentPipe } from '../../src/common/parent-watch';

/** Preloaded into every child: it stops when the orchestrator is gone, however that happened. */
const PARENT_WATCH = path.join(__dirname, '..', '..', 'src', 'common', 'parent-watch-preload.js');

export interface MeshProcess {
  name: string;
  proc: ChildProcess;
  logFile: string;
  /** JSON lines seen on stdout (non-JSON lines are kept as {msg}). */
  lines: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The local mesh's processes: each one's output goes to `<dir>/logs/<name>.log`
 * (and its JSON lines are kept for readiness checks); `stopAll()` stops them in
 * reverse start order (SIGTERM, SIGKILL after a bound), so sidecars drain
 * before the relay and the management server go.
 */
export class ProcessGroup {
  private readonly procs: MeshProcess[] = [];

  constructor(private readonly logDir: string) {
    fs.mkdirSync(logDir, { recursive: true });
  }

  start(name: string, script: string, args: string[], env: Record<string, string>): MeshProcess {
    const logFile = path.join(this.logDir, `${name}.log`);
    const out = fs.openSync(logFile, 'a');
    // Own process group: a terminal's Ctrl-C reaches only the orchestrator, which then
    // stops everything in order (sidecars drain before the relay and the server go).
    // And a parent pipe: should the orchestrator die without stopping them (SIGKILL,
    // a crash), each child sees the pipe close and stops by itself.
    const watched = withParentPipe(['ignore', 'pipe', out], env);
    const proc = spawn(process.execPath, ['-r', PARENT_WATCH, script, ...args], { env: watched.env, stdio: watched.stdio, detached: true });
    const p: MeshProcess = {
      name,
      proc,
      logFile,
      lines: [],
      exited: new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal }))),
    };
    proc.stdout!.on('data', (d: Buffer) => fs.appendFileSync(logFile, d));
    onJsonLines(proc.stdout!, (line) => {
      p.lines.push(line);
      if (p.lines.length > 500) p.lines.splice(0, 250);
    });
    void p.exited.then(() => fs.closeSync(out));
    this.procs.push(p);
    return p;
  }

  /** Resolves with the first stdout JSON line matching `pred`; rejects if the process exits or time runs out. */
  waitForLine(p: MeshProcess, pred: (l: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const tick = () => {
        const hit = p.lines.find(pred);
        if (hit) return resolve(hit);
        if (p.proc.exitCode !== null || p.proc.signalCode !== null) return reject(new Error(`${p.name} exited before ${what}; see ${p.logFile}`));
        if (Date.now() - started > timeoutMs) return reject(new Error(`${p.name}: no ${what} within ${timeoutMs} ms; see ${p.logFile}`));
        setTimeout(tick, 50);
      };
      tick();
    });
  }

  get running(): MeshProcess[] {
    return this.procs.filter((p) => p.proc.exitCode === null && p.proc.signalCode === null);
  }

  /** Stop in reverse order; each gets `graceMs` after SIGTERM before SIGKILL. */
  async stopAll(graceMs = 10_000): Promise<void> {
    for (const p of [...this.procs].reverse()) {
      if (p.proc.exitCode !== null || p.proc.signalCode !== null) continue;
      p.proc.kill('SIGTERM');
      const t = setTimeout(() => p.proc.kill('SIGKILL'), graceMs);
      await p.exited;
      clearTimeout(t);
    }
  }

  /** Synchronous last resort (process 'exit'). */
  killAll(): void {
    for (const p of this.running) p.proc.kill('SIGKILL');
  }
}
