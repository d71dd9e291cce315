/**
 * Benchmark child process: a load generator (grpc-js client, identity
 * serializers, no message size limits), driven by run.ts over IPC. It never
 * shares a process with the relay or the server. Commands:
 *  - rtt:  one bidi stream, `warmup` + `count` sequential request -> 1 response round trips.
 *  - tput: one bidi stream, warm it up, then ask for `count` responses of `bytes` and time them.
 *  - open: open streams on numbered connections; each sends one request and waits
 *          for one response, then stays open (idle) until the process is killed.
 *  - arm:   every open idle stream notes the wall-clock time (ms) of its next response of `bytes`.
 *  - collect: once every armed stream has one (or the time is up), those times.
 *  - close: cancel every open idle stream and close their connections.
 * Exits when the parent goes away.
 */
import * as grpc from '@grpc/grpc-js';
import { ADS_PATH, DOMAIN, discoveryRequest } from './wire';

/** direct: TLS to the server; uds: h2c on a Unix socket (the relay or the floor proxy). */
export type Target = { kind: 'direct'; address: string; caPem: string } | { kind: 'uds'; socket: string };

export type ClientCommand =
  | { cmd: 'rtt'; target: Target; warmup: number; count: number; bytes: number; timeoutMs: number }
  | { cmd: 'tput'; target: Target; warmup: number; count: number; bytes: number; timeoutMs: number }
  | { cmd: 'open'; target: Target; plan: Array<[conn: number, streams: number]>; bytes: number; concurrency: number; timeoutMs: number }
  | { cmd: 'arm'; bytes: number }
  | { cmd: 'collect'; timeoutMs: number }
  | { cmd: 'close' };

export interface CollectResult {
  /** Wall-clock ms (performance.timeOrigin + now) at which each armed stream got its message. */
  arrivals: number[];
  missing: number;
}

export interface RttResult {
  count: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  meanUs: number;
  maxUs: number;
}

export interface TputResult {
  messages: number;
  bytes: number;
  seconds: number;
  mibPerSec: number;
}

export interface OpenResult {
  opened: number;
  failed: number;
  errors: string[];
  ms: number;
  totalOpen: number;
  connections: number;
}

const id = (b: Buffer): Buffer => b;
const BASE_OPTIONS: grpc.ChannelOptions = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 };

function makeClient(t: Target, extra: grpc.ChannelOptions = {}): grpc.Client {
  if (t.kind === 'direct') {
    return new grpc.Client(t.address, grpc.credentials.createSsl(Buffer.from(t.caPem)), {
      ...BASE_OPTIONS,
      'grpc.ssl_target_name_override': DOMAIN,
      'grpc.default_authority': DOMAIN,
      ...extra,
    });
  }
  return new grpc.Client(`unix://${t.socket}`, grpc.credentials.createInsecure(), { ...BASE_OPTIONS, ...extra });
}

function openCall(client: grpc.Client): grpc.ClientDuplexStream<Buffer, Buffer> {
  const call = client.makeBidiStreamRequest(ADS_PATH, id, id, new grpc.Metadata());
  call.on('error', () => undefined);
  return call;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const k = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[k]!;
}

let seq = 0;

/** Run `rounds` sequential round trips on `call`; returns each one's time in µs (after `skip`). */
function roundTrips(call: grpc.ClientDuplexStream<Buffer, Buffer>, skip: number, rounds: number, bytes: number, timeoutMs: number): Promise<Float64Array> {
  const first = discoveryRequest({ count: 1, bytes, nodeId: `bench-rtt-${process.pid}-${++seq}` });
  const next = discoveryRequest({ count: 1, bytes, versionInfo: '1', responseNonce: 'n1' });
  const samples = new Float64Array(Math.max(0, rounds - skip));
  return new Promise((resolve, reject) => {
    let i = 0;
    let t0 = 0n;
    let done = false;
    const timer = setTimeout(() => finish(new Error(`round trips timed out after ${timeoutMs} ms (${i}/${rounds})`)), timeoutMs);
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      call.removeListener('data', onData);
      if (err) reject(err);
      else resolve(samples);
    };
    const onData = (m: Buffer): void => {
      const dt = Number(process.hrtime.bigint() - t0) / 1000;
      if (m.length !== bytes) return finish(new Error(`response of ${m.length} bytes, expected ${bytes}`));
      if (i >= skip) samples[i - skip] = dt;
      i++;
      if (i >= rounds) return finish();
      t0 = process.hrtime.bigint();
      call.write(next);
    };
    call.on('data', onData);
    call.once('status', (s: grpc.StatusObject) => finish(new Error(`stream ended early: ${s.code} ${s.details}`)));
    if (rounds === 0) return finish();
    t0 = process.hrtime.bigint();
    call.write(first);
  });
}

async function rtt(c: Extract<ClientCommand, { cmd: 'rtt' }>): Promise<RttResult> {
  const client = makeClient(c.target);
  const call = openCall(client);
  try {
    const s = await roundTrips(call, c.warmup, c.warmup + c.count, c.bytes, c.timeoutMs);
    const sorted = s.slice().sort();
    let sum = 0;
    for (const v of s) sum += v;
    return { count: s.length, p50Us: percentile(sorted, 50), p90Us: percentile(sorted, 90), p99Us: percentile(sorted, 99), meanUs: sum / s.length, maxUs: sorted[sorted.length - 1] ?? NaN };
  } finally {
    call.end();
    client.close();
  }
}

async function tput(c: Extract<ClientCommand, { cmd: 'tput' }>, progress: (what: string) => void): Promise<TputResult> {
  const client = makeClient(c.target);
  const call = openCall(client);
  try {
    await roundTrips(call, 0, c.warmup, 1024, c.timeoutMs); // connection and stream up, code warm
    progress('warm'); // the parent starts counting relay CPU here
    const req = discoveryRequest({ count: c.count, bytes: c.bytes, versionInfo: '1', responseNonce: 'n1' });
    return await new Promise<TputResult>((resolve, reject) => {
      let messages = 0;
      let bytes = 0;
      let done = false;
      const t0 = process.hrtime.bigint();
      const timer = setTimeout(() => finish(new Error(`throughput run timed out after ${c.timeoutMs} ms (${messages}/${c.count} messages)`)), c.timeoutMs);
      const finish = (err?: Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        call.removeListener('data', onData);
        if (err) return reject(err);
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        resolve({ messages, bytes, seconds, mibPerSec: bytes / 2 ** 20 / seconds });
      };
      const onData = (m: Buffer): void => {
        messages++;
        bytes += m.length;
        if (messages >= c.count) finish();
      };
      call.on('data', onData);
      call.once('status', (s: grpc.StatusObject) => finish(new Error(`stream ended early: ${s.code} ${s.details}`)));
      call.write(req);
    });
  } finally {
    call.cancel();
    client.close();
  }
}

const idleClients = new Map<number, grpc.Client>();
const idleCalls: Array<grpc.ClientDuplexStream<Buffer, Buffer>> = [];

function openOne(client: grpc.Client, bytes: number, timeoutMs: number): Promise<void> {
  const call = openCall(client);
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => finish(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        call.cancel();
        return reject(err);
      }
      idleCalls.push(call);
      resolve();
    };
    call.once('data', () => finish());
    call.once('status', (s: grpc.StatusObject) => finish(new Error(`stream ended: ${s.code} ${s.details}`)));
    call.write(discoveryRequest({ count: 1, bytes, nodeId: `bench-idle-${process.pid}-${++seq}` }));
  });
}

async function open(c: Extract<ClientCommand, { cmd: 'open' }>): Promise<OpenResult> {
  const t0 = Date.now();
  const jobs: grpc.Client[] = [];
  for (const [conn, n] of c.plan) {
    let client = idleClients.get(conn);
    if (!client) {
      // A connection of its own per client (no shared subchannel), like one Envoy each.
      client = makeClient(c.target, { 'grpc.use_local_subchannel_pool': 1 });
      idleClients.set(conn, client);
    }
    for (let k = 0; k < n; k++) jobs.push(client);
  }
  let next = 0;
  let opened = 0;
  let failed = 0;
  const errors: string[] = [];
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const client = jobs[next++]!;
      try {
        await openOne(client, c.bytes, c.timeoutMs);
        opened++;
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, c.concurrency) }, lane));
  return { opened, failed, errors, ms: Date.now() - t0, totalOpen: idleCalls.length, connections: idleClients.size };
}

let armed: { arrivals: number[]; expected: number; done: () => void } | undefined;

function arm(bytes: number): { armed: number } {
  const state = { arrivals: [] as number[], expected: idleCalls.length, done: (): void => undefined };
  armed = state;
  for (const call of idleCalls) {
    const onData = (m: Buffer): void => {
      if (m.length !== bytes) return;
      state.arrivals.push(performance.timeOrigin + performance.now());
      call.removeListener('data', onData);
      if (state.arrivals.length === state.expected) state.done();
    };
    call.on('data', onData);
  }
  return { armed: idleCalls.length };
}

async function collect(timeoutMs: number): Promise<CollectResult> {
  const state = armed;
  if (!state) throw new Error('collect before arm');
  if (state.arrivals.length < state.expected) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      state.done = () => (clearTimeout(t), resolve());
    });
  }
  armed = undefined;
  return { arrivals: state.arrivals, missing: state.expected - state.arrivals.length };
}

function closeAll(): { closed: number } {
  const closed = idleCalls.length;
  for (const call of idleCalls.splice(0)) call.cancel();
  for (const client of idleClients.values()) client.close();
  idleClients.clear();
  return { closed };
}

async function handle(c: ClientCommand, progress: (what: string) => void): Promise<unknown> {
  switch (c.cmd) {
    case 'rtt':
      return rtt(c);
    case 'tput':
      return tput(c, progress);
    case 'open':
      return open(c);
    case 'arm':
      return arm(c.bytes);
    case 'collect':
      return collect(c.timeoutMs);
    case 'close':
      return closeAll();
  }
}

process.on('message', (m: { id: number; command: ClientCommand }) => {
  handle(m.command, (what) => process.send!({ id: m.id, progress: what })).then(
    (result) => process.send!({ id: m.id, ok: true, result }),
    (err: Error) => process.send!({ id: m.id, ok: false, error: err.message }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'ready' });
