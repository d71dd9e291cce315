/**
 * Phase "replicas": the control plane as a fleet sees it. A real etcd, two
 * appnet-mgmt replicas sharing the model through it (--store etcd://...), and
 * N ADS streams spread over both (a forked client, as N Envoys of virtual node
 * serviceA, each subscribed to its egress routes). Then U route updates
 * through replica A's App Mesh API (alternating weights): for each, the time
 * from sending UpdateRoute until each stream received the new version — its
 * p50 and p99 over every stream and update, and the time until the last
 * stream had it. Also the replicas' CPU per push (one response to one stream)
 * and their memory per stream (RSS with the streams open minus before).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onJsonLines } from '../src/common/json-lines';
import { TypeUrl } from '../src/mgmt/snapshot';
import { EtcdProcess } from '../test/fixtures/etcd-process';
import type { Options } from './options';
import { ProcMeters, procStatusKiB } from './proc-stats';
import { Child, type Cleanup, Tail, stopProcess, withTimeout } from './processes';
import { say } from './say';

export interface ReplicasPhase {
  streams: number;
  replicas: number;
  updates: number;
  /** ms from UpdateRoute sent to each stream's new version, over every stream and update. */
  deliveryMs: { p50: number; p99: number };
  /** ms until the last stream had the new version, per update: median and worst. */
  allMs: { median: number; max: number };
  /** replica CPU ms per push (one response to one stream), both replicas together. */
  cpuMsPerPush: number;
  /** replica RSS KiB per open stream (both replicas' growth / streams). */
  kibPerStream: number;
  /** replica RSS MiB before any stream, each. */
  baselineRssMiB: number[];
}

const ROOT = path.resolve(__dirname, '..', '..');
const MGMT = path.join(ROOT, 'dist', 'src', 'mgmt', 'main.js');
const SEED = path.join(ROOT, 'examples', 'appmesh', 'apps.yaml');
const ROUTE_PATH = '/v20190125/meshes/apps/virtualRouter/serviceB/routes/serviceB';

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

interface Replica {
  proc: ChildProcess;
  port: number;
  adminPort: number;
  tail: Tail;
}

async function startReplica(cleanup: Cleanup, name: string, store: string): Promise<Replica> {
  const proc = cleanup.track(spawn(process.execPath, [MGMT, '--store', store, '--appmesh', SEED, '--port', '0', '--admin-port', '0', '--api-rate-limit', '0'], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] }));
  const tail = new Tail();
  tail.attach(proc.stderr);
  const listening = new Promise<{ port: number; adminPort: number }>((resolve, reject) => {
    onJsonLines(proc.stdout!, (l) => {
      if (l['msg'] === 'listening') resolve({ port: Number(l['port']), adminPort: Number(l['adminPort']) });
    });
    proc.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${tail.text()}`)));
  });
  const { port, adminPort } = await withTimeout(listening, 30_000, `${name} start`);
  return { proc, port, adminPort, tail };
}

async function updateRoute(r: Replica, serviceB: number): Promise<void> {
  const spec = { http2Route: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: serviceB }, { virtualNode: 'serviceBv2', weight: 100 - serviceB }] } } };
  const res = await fetch(`http://127.0.0.1:${r.adminPort}${ROUTE_PATH}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spec }) });
  if (!res.ok) throw new Error(`UpdateRoute: ${res.status} ${await res.text()}`);
}

export async function replicasPhase(o: Options, cleanup: Cleanup): Promise<ReplicasPhase> {
  const { streams, updates } = o.replicas;
  say(`replicas: a real etcd, 2 appnet-mgmt replicas (--store etcd://), ${streams} ADS streams over both, ${updates} route updates`);
  const etcd = await EtcdProcess.start();
  cleanup.close(() => etcd.close());
  const store = `etcd://${etcd.endpoint}/appnet-bench`;
  const a = await startReplica(cleanup, 'replica A', store);
  const b = await startReplica(cleanup, 'replica B', store);
  const pids = { a: a.proc.pid!, b: b.proc.pid! };
  const baseline = [procStatusKiB(pids.a, 'VmRSS'), procStatusKiB(pids.b, 'VmRSS')];
  const client = new Child(cleanup, 'ads-fanout-client', 'ads-fanout-client.js', {});
  await withTimeout(client.ready, 15_000, 'ads-fanout-client start');
  try {
    await client.request(
      {
        cmd: 'open',
        targets: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`],
        streams,
        channelsPerTarget: Math.max(1, Math.ceil(streams / 2 / 100)),
        nodeId: 'mesh/apps/virtualNode/serviceA',
        typeUrl: TypeUrl.RouteConfiguration,
        names: ['rds_egress_http_80'],
      } as never,
      120_000,
    );
    const withStreams = [procStatusKiB(pids.a, 'VmRSS'), procStatusKiB(pids.b, 'VmRSS')];
    const deliveries: number[] = [];
    const all: number[] = [];
    const meters = new ProcMeters(pids);
    for (let u = 0; u < updates; u++) {
      await client.request({ cmd: 'mark' }, 10_000);
      meters.start();
      const t0 = Date.now();
      await updateRoute(a, u % 2 === 0 ? 10 : 75);
      const { arrivalsMs } = await client.request<{ arrivalsMs: number[] }>({ cmd: 'collect', timeoutMs: 60_000 } as never, 70_000);
      meters.stop();
      const d = arrivalsMs.map((t) => t - t0);
      deliveries.push(...d);
      all.push(Math.max(...d));
      say(`  update ${u + 1}/${updates}: every stream had it after ${Math.max(...d)} ms`);
    }
    deliveries.sort((x, y) => x - y);
    all.sort((x, y) => x - y);
    const cpuS = Object.values(meters.per(1)).reduce((s, v) => s + v, 0);
    return {
      streams,
      replicas: 2,
      updates,
      deliveryMs: { p50: quantile(deliveries, 0.5), p99: quantile(deliveries, 0.99) },
      allMs: { median: quantile(all, 0.5), max: all[all.length - 1]! },
      cpuMsPerPush: (cpuS * 1000) / (streams * updates),
      kibPerStream: (withStreams[0]! + withStreams[1]! - baseline[0]! - baseline[1]!) / streams,
      baselineRssMiB: baseline.map((k) => k / 1024),
    };
  } finally {
    await client.request({ cmd: 'close' }, 10_000).catch(() => undefined);
    client.kill();
    await Promise.all([stopProcess(a.proc, 'replica A', true), stopProcess(b.proc, 'replica B', true)]);
    await etcd.close();
    fs.rmSync(etcd.dir, { recursive: true, force: true });
  }
}
