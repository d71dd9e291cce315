import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from '../../common/logger';
import { withParentPipe } from '../../common/parent-watch';
import type { EnvoyExit } from '../health/status-document';
import { restartDelayMs } from './envoy-command';

export interface SupervisorOptions {
  bin: string;
  /** Called before each start: the arguments may change (log level). */
  args(): string[];
  /** Restarts allowed after the first start (APPNET_ENVOY_RESTART_COUNT). */
  restartBudget: number;
  env: NodeJS.ProcessEnv;
  /** Where Envoy's stdout/stderr go: inherited, or an open file descriptor (the log file). */
  output: 'inherit' | number;
  log: Logger;
  onStart?(pid: number): void;
  onExit?(exit: EnvoyExit): void;
  /** The restart budget is spent: the agent should exit. */
  onGiveUp?(last: EnvoyExit): void;
}

/**
 * Starts Envoy and keeps it running: each exit is recorded (code or signal) and
 * Envoy is restarted (with a short backoff after the first restart) until the
 * budget is spent. `stop()` terminates it for real: SIGTERM, then SIGKILL after
 * a bound (the reference's stop path never runs, so it never signals Envoy).
 */
export class EnvoySupervisor {
  private child: ChildProcess | undefined;
  private restarts = 0;
  private last: EnvoyExit | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: SupervisorOptions) {}

  get pid(): number {
    return this.child?.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : -1;
  }

  get restartCount(): number {
    return this.restarts;
  }

  get lastExit(): EnvoyExit | undefined {
    return this.last;
  }

  get running(): boolean {
    return this.pid !== -1;
  }

  start(): void {
    if (this.stopping) return;
    const args = this.o.args();
    const out = this.o.output;
    let child: ChildProcess;
    // A parent pipe too: a real Envoy ignores it (in a container it dies with the container
    // when the agent, PID 1, dies); the local stand-in stops when it closes, so a SIGKILLed
    // agent leaves no Envoy behind on a laptop either.
    const watched = withParentPipe(['ignore', out, out], this.o.env);
    try {
      child = spawn(this.o.bin, args, { env: watched.env, stdio: watched.stdio });
    } catch (err) {
      // spawn itself can throw (e.g. EACCES on some platforms); treat like an immediate exit
      this.o.log.error({ bin: this.o.bin, err: (err as Error).message }, 'cannot start Envoy');
      return this.exited(-1, 127, null);
    }
    this.child = child;
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
      this.o.log.error({ bin: this.o.bin, err: err.message }, 'cannot start Envoy');
    });
    child.once('spawn', () => {
      this.o.log.info({ pid: child.pid, bin: this.o.bin, args, restart: this.restarts }, 'started Envoy');
      this.o.onStart?.(child.pid!);
    });
    // 'close' waits for every stdio stream: the parent pipe is closed here once Envoy is gone,
    // so a process Envoy left holding it cannot delay the restart.
    child.once('exit', () => child.stdio[3]?.destroy());
    child.once('close', (code, signal) => this.exited(child.pid ?? -1, spawnError ? 127 : code, signal));
  }

  /**
   * Terminate Envoy: SIGTERM, then SIGKILL if it is still there after `killAfterMs`.
   * Resolves once it is gone (never leaves an orphan behind).
   */
  async stop(killAfterMs: number): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.o.log.warn({ pid: child.pid, afterMs: killAfterMs }, 'Envoy ignored SIGTERM: sending SIGKILL');
      child.kill('SIGKILL');
    }, killAfterMs);
    await gone;
    clearTimeout(timer);
  }

  /** Last resort on agent exit: synchronous SIGKILL. */
  killNow(): void {
    this.stopping = true;
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private exited(pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    const willRestart = !this.stopping && this.restarts < this.o.restartBudget;
    const action = this.stopping ? 'stopping' : willRestart ? 'restarted' : 'gave up (restart budget spent)';
    const exit: EnvoyExit = { pid, code, signal, at: new Date().toISOString(), action };
    this.last = exit;
    this.child = undefined;
    const level = this.stopping ? 'info' : 'error';
    this.o.log[level]({ pid, code, signal, restarts: this.restarts, budget: this.o.restartBudget, action }, 'Envoy exited');
    this.o.onExit?.(exit);
    if (this.stopping) return;
    if (!willRestart) return this.o.onGiveUp?.(exit);
    this.restarts++;
    this.restartTimer = setTimeout(() => this.start(), restartDelayMs(this.restarts));
  }
}
