/**
 * A fixed load through one proxy (the relay or the floor proxy), measuring that
 * process only: for comparing two builds of the relay by instruction counts,
 * which wall-clock runs on a shared machine cannot (docs/relay-performance.md,
 * "Per message"). The bench's fake management server, credentials and load
 * client; warm-up on one stream, then the measured load on a new stream.
 *
 *   node dist/bench/proxy-load.js [--proxy relay|floor] [--mode plain|callgrind|gc|deopt]
 *        [--rtt 3000] [--tput 0] [--tput-mib 1] [--warm 6000] [--node-args "..."] [--env K=V]... [--out DIR]
 *
 * callgrind: the proxy runs under `valgrind --tool=callgrind`; its counters are
 * zeroed after the warm-up (`callgrind_control -z`) and dumped after each measured
 * part (`callgrind_control -d`); the dumps stay in --out for callgrind_annotate.
 * gc: `--trace-gc`, scavenges and mark-compacts per part. deopt: `--trace-deopt`,
 * the deoptimisations of the measured parts (the trace is written to --out).
 * Prints one JSON line: CPU seconds (and instructions, GCs, deopts) per part.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { containerCredentialEnv } from '../test/fixtures/cred-server';
import type { Target } from './load-client';
import { parseArgs } from './options';
import { Cleanup, sleep, startClient } from './processes';
import { RELAY_MAIN, relayStatus } from './relay-process';
import { startSetup } from './setup';
import { DOMAIN } from './wire';

const argv = process.argv.slice(2);
const arg = (k: string, d: string): string => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : d;
};
const proxy = arg('proxy', 'relay');
const mode = arg('mode', 'plain');
const counts = { rtt: Number(arg('rtt', '3000')), tput: Number(arg('tput', '0')), warm: Number(arg('warm', '6000')) };
const tputMiB = Number(arg('tput-mib', '1'));
const outDir = path.resolve(arg('out', `proxy-load-${proxy}-${mode}`));

/** utime + stime of a process, seconds. */
function cpuSeconds(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const p = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(p[11]) + Number(p[12])) / 100;
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  process.on('exit', () => cleanup.runSync());
  const s = await startSetup(cleanup, parseArgs([]));
  const sock = path.join(s.dir, 'proxy.sock');
  const admin = path.join(s.dir, 'admin.sock');
  const env: Record<string, string> =
    proxy === 'relay'
      ? {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          AWS_REGION: 'us-west-2',
          APPNET_RELAY_LISTENER_UDS_PATH: sock,
          APPNET_MANAGEMENT_DOMAIN_NAME: DOMAIN,
          APPNET_MANAGEMENT_ADDRESS: '127.0.0.1',
          APPNET_MANAGEMENT_PORT: String(s.upstreamPort),
          RELAY_TRUSTED_CA_FILE: s.caFile,
          APPNET_AGENT_ADMIN_MODE: 'uds',
          APPNET_AGENT_ADMIN_UDS_PATH: admin,
          APPNET_LOG_LEVEL: 'warn',
          ...containerCredentialEnv(s.creds.url),
        }
      : { PATH: process.env.PATH ?? '/usr/bin:/bin', FLOOR_SOCKET: sock, FLOOR_UPSTREAM_PORT: String(s.upstreamPort), FLOOR_CA_FILE: s.caFile, FLOOR_DOMAIN: DOMAIN };
  argv.forEach((a, i) => {
    if (argv[i - 1] !== '--env') return;
    const eq = a.indexOf('=');
    env[a.slice(0, eq)] = a.slice(eq + 1);
  });
  fs.mkdirSync(outDir, { recursive: true });
  const script = proxy === 'relay' ? RELAY_MAIN : path.join(__dirname, 'floor-proxy.js');
  const nodeArgs = arg('node-args', '').split(' ').filter(Boolean);
  if (mode === 'gc') nodeArgs.push('--trace-gc');
  if (mode === 'deopt') nodeArgs.push('--trace-deopt');
  const cg = mode === 'callgrind';
  const cmd = cg ? 'valgrind' : process.execPath;
  const args = [...(cg ? ['--tool=callgrind', `--callgrind-out-file=${path.join(outDir, 'callgrind.out')}`, process.execPath] : []), ...nodeArgs, script];
  const proc = cleanup.track(spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] }));
  proc.stdin!.on('error', () => undefined);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (proxy === 'relay') {
      const st = await relayStatus(admin).catch(() => undefined);
      if (st?.healthStatus === 'HEALTHY' && st.upstream.state === 'CONNECTED') break;
    } else if (out.includes('ready')) break;
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`${proxy} not ready: ${out.slice(-2000)}`);
    await sleep(300);
  }
  const client = await startClient(cleanup, 'load-client');
  const target: Target = { kind: 'uds', socket: sock };
  const T = 3_600_000;
  const rtt = (count: number) => client.request<{ p50Us: number }>({ cmd: 'rtt', target, warmup: 0, count, bytes: 1024, timeoutMs: T }, T);
  const tput = (count: number) => client.request<{ mibPerSec: number }>({ cmd: 'tput', target, warmup: 20, count, bytes: tputMiB * (1 << 20), timeoutMs: T }, T, () => undefined);
  if (counts.tput) await tput(Math.max(5, Math.round(counts.tput / 5)));
  if (counts.rtt) await rtt(counts.warm);
  const control = (flag: string) => execFileSync('callgrind_control', [flag, String(proc.pid)], { stdio: 'pipe' });
  const result: Record<string, unknown> = { proxy, mode, counts };
  const part = async (name: string, run: () => Promise<unknown>): Promise<void> => {
    if (cg) control('-z');
    const c0 = cpuSeconds(proc.pid!);
    const o0 = out.length;
    await run();
    const r: Record<string, number | string> = { cpuSeconds: +(cpuSeconds(proc.pid!) - c0).toFixed(2) };
    const lines = out.slice(o0).split('\n');
    if (mode === 'gc') {
      r.scavenges = lines.filter((l) => l.includes('Scavenge')).length;
      r.markCompacts = lines.filter((l) => l.includes('Mark-Compact')).length;
    }
    if (mode === 'deopt') {
      r.deopts = lines.filter((l) => l.startsWith('[bailout (kind: deopt')).length;
      fs.writeFileSync(path.join(outDir, `${name}-deopt.txt`), out.slice(o0));
    }
    if (cg) {
      const before = new Set(fs.readdirSync(outDir));
      control('-d');
      for (let i = 0; i < 50 && fs.readdirSync(outDir).every((f) => before.has(f)); i++) await sleep(100);
      const dump = fs.readdirSync(outDir).find((f) => !before.has(f));
      if (dump) {
        fs.renameSync(path.join(outDir, dump), path.join(outDir, `${name}-${dump}`));
        const m = /^(?:summary|totals): (\d+)/m.exec(fs.readFileSync(path.join(outDir, `${name}-${dump}`), 'utf8'));
        if (m) r.instructions = Number(m[1]);
        r.dump = `${name}-${dump}`;
      }
    }
    result[name] = r;
  };
  if (counts.rtt) await part('rtt', () => rtt(counts.rtt));
  if (counts.tput) await part('tput', () => tput(counts.tput));
  result.loadavg = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  fs.writeFileSync(path.join(outDir, 'proxy-output.txt'), out);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (nodeArgs.some((a) => a.startsWith('--cpu-prof') || a.startsWith('--heap-prof'))) {
    // a profile is written only when the process exits by itself: SIGTERM, then wait
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await Promise.race([exited, sleep(20_000)]);
  }
  await cleanup.run();
  process.exit(0);
}

main().catch((err: Error) => {
  process.stderr.write(`proxy-load: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
