/** What /proc says about a process: CPU time (utime, stime) and memory (VmRSS, VmHWM). */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

function readClkTck(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** Clock ticks per second, the unit of /proc/<pid>/stat CPU times. */
export const CLK_TCK = readClkTck();

/** utime and stime of `pid`, in seconds. */
function cpuTimes(pid: number): { user: number; sys: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after "(comm) ": f[0] = state (field 3), so utime (14) = f[11], stime (15) = f[12]
  return { user: Number(f[11]) / CLK_TCK, sys: Number(f[12]) / CLK_TCK };
}

/** Accumulates a process's CPU time over chosen intervals. */
export class CpuMeter {
  user = 0;
  sys = 0;
  private at: { user: number; sys: number } | undefined;
  constructor(private readonly pid: number) {}
  start(): void {
    this.at = cpuTimes(this.pid);
  }
  stop(): void {
    if (!this.at) return;
    const now = cpuTimes(this.pid);
    this.user += now.user - this.at.user;
    this.sys += now.sys - this.at.sys;
    this.at = undefined;
  }
  get total(): number {
    return this.user + this.sys;
  }
}

/** CPU meters for several processes at once (client, proxy, server), started and stopped together. */
export class ProcMeters {
  readonly meters: Record<string, CpuMeter>;
  constructor(pids: Record<string, number>) {
    this.meters = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, new CpuMeter(pid)]));
  }
  start(): void {
    for (const m of Object.values(this.meters)) m.start();
  }
  stop(): void {
    for (const m of Object.values(this.meters)) m.stop();
  }
  /** CPU seconds of each process divided by `units`, times `scale`. */
  per(units: number, scale = 1): Record<string, number> {
    return Object.fromEntries(Object.entries(this.meters).map(([k, m]) => [k, (m.total / units) * scale]));
  }
}

export function procStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}
