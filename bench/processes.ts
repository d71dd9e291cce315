/**
 * The benchmark's child processes and what must go when it ends: every process
 * it started is tracked (and killed by its own pid), temp directories removed
 * and in-process servers closed, on exit, error or signal.
 */
import { type ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClientCommand } from './load-client';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

const running = (p: ChildProcess): boolean => p.exitCode === null && p.signalCode === null;

/** Everything the benchmark must undo: child processes, temp directories, in-process servers. */
export class Cleanup {
  private readonly children = new Set<ChildProcess>();
  private readonly dirs = new Set<string>();
  private readonly closers: Array<() => Promise<unknown>> = [];

  track(p: ChildProcess): ChildProcess {
    this.children.add(p);
    p.once('exit', () => this.children.delete(p));
    return p;
  }

  removeDir(dir: string): string {
    this.dirs.add(dir);
    return dir;
  }

  close(fn: () => Promise<unknown>): void {
    this.closers.push(fn);
  }

  /** Kill every child (by its own pid) and remove the temp dirs. Safe to call twice; for process 'exit'. */
  runSync(): void {
    for (const p of this.children) {
      try {
        if (running(p)) p.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (const d of this.dirs) fs.rmSync(d, { recursive: true, force: true });
    this.dirs.clear();
  }

  /** runSync, then wait (bounded) for the children to be gone and close the in-process servers. */
  async run(): Promise<void> {
    const waits = [...this.children].map((p) => new Promise<void>((r) => (running(p) ? p.once('exit', () => r()) : r())));
    this.runSync();
    await Promise.race([Promise.all(waits), sleep(3000)]);
    for (const fn of this.closers.splice(0)) await fn().catch(() => undefined);
  }
}

/** Stop a process we spawned: SIGTERM first when `gentle` (so that --cpu-prof and the like can write), then SIGKILL. */
export async function stopProcess(proc: ChildProcess, name: string, gentle: boolean): Promise<void> {
  if (!running(proc)) return;
  const gone = new Promise<void>((res) => proc.once('exit', () => res()));
  if (gentle) {
    proc.kill('SIGTERM');
    if (await Promise.race([gone.then(() => true), sleep(10_000).then(() => false)])) return;
  }
  proc.kill('SIGKILL');
  await withTimeout(gone, 5000, `stopping ${name}`);
}

/** Last lines a child printed, for error messages; counts the lines that match `warning`. */
export class Tail {
  private lines: string[] = [];
  private partial = '';
  warnings = 0;
  constructor(private readonly warning: RegExp = /"level":(40|50|60)/) {}
  attach(stream: NodeJS.ReadableStream | null): void {
    stream?.on('data', (d: Buffer) => {
      const text = this.partial + d.toString();
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      for (const l of parts) {
        if (this.warning.test(l)) this.warnings++;
        this.lines.push(l.length > 400 ? `${l.slice(0, 400)}…` : l);
      }
      if (this.lines.length > 40) this.lines = this.lines.slice(-40);
    });
  }
  text(n = 8): string {
    return [...this.lines, this.partial].filter(Boolean).slice(-n).join('\n');
  }
}

/** A forked helper (server or load client, bench/<script>) spoken to over IPC. */
export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress?: (p: string) => void }>();
  readonly tail = new Tail();
  readonly ready: Promise<unknown>;
  readonly proc: ChildProcess;

  constructor(
    cleanup: Cleanup,
    readonly name: string,
    script: string,
    env: Record<string, string>,
  ) {
    this.proc = cleanup.track(fork(path.join(__dirname, script), [], { execArgv: [], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }));
    this.tail.attach(this.proc.stdout);
    this.tail.attach(this.proc.stderr);
    this.ready = new Promise((resolve, reject) => {
      this.pending.set(0, { resolve, reject });
    });
    this.proc.on('message', (m: { id?: number; type?: string; ok?: boolean; result?: unknown; error?: string; progress?: string }) => {
      if (m.type === 'ready') return this.pending.get(0)?.resolve(m), void this.pending.delete(0);
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.progress !== undefined) return p.onProgress?.(m.progress);
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${this.name}: ${m.error}`));
    });
    this.proc.once('exit', (code, signal) => {
      const err = new Error(`${this.name} exited (${signal ?? code}): ${this.tail.text()}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  request<T>(command: ClientCommand | { cmd: string; [k: string]: unknown }, timeoutMs: number, onProgress?: (p: string) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: no answer to ${command.cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(t), resolve(v as T)),
        reject: (e) => (clearTimeout(t), reject(e)),
        ...(onProgress ? { onProgress } : {}),
      });
      this.proc.send({ id, command });
    });
  }

  kill(): void {
    if (running(this.proc)) this.proc.kill('SIGKILL');
  }
}

export async function startClient(cleanup: Cleanup, name: string): Promise<Child> {
  const c = new Child(cleanup, name, 'load-client.js', {});
  await withTimeout(c.ready, 15_000, `${name} start`);
  return c;
}
