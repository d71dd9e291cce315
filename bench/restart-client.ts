/**
 * Benchmark child process: ADS streams that come back by themselves, as
 * Envoy's do. Each stream sends one DiscoveryRequest asking for one response
 * and then idles; when it ends, for any reason, it is opened again after a
 * jittered exponential backoff (Envoy's xDS stream: 500 ms base, 30 s cap, a
 * random delay below the current bound, the bound doubling at each failure and
 * starting again once a response arrives). Driven over IPC like the other
 * children (processes.ts Child):
 *
 *   {cmd: 'open', target, plan, bytes, concurrency, timeoutMs}
 *       -> {opened, failed, errors, ms}   `concurrency` streams at a time, each until its first response
 *   {cmd: 'arm', version}                 from now on, note when each stream first gets a response with
 *                                         this version_info (one from the restarted server)
 *   {cmd: 'collect', timeoutMs}
 *       -> {arrivals, missing, reopens, failures}   once every stream has one (or the time is up)
 *   {cmd: 'close'}                        cancel every stream, no more reopening
 */
import * as grpc from '@grpc/grpc-js';
import type { Target } from './load-client';
import { ADS_PATH, DOMAIN, discoveryRequest, responseVersion } from './wire';

const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 30_000;

export interface RestartOpenResult {
  opened: number;
  failed: number;
  errors: string[];
  ms: number;
}

export interface RestartCollectResult {
  /** Wall-clock ms (performance.timeOrigin + now) at which each armed stream got a response of the armed version. */
  arrivals: number[];
  missing: number;
  /** Streams opened again since `arm`. */
  reopens: number;
  /** Why streams ended since `arm`: status code and message (digits folded to #), with counts. */
  failures: Record<string, number>;
}

interface Slot {
  client: grpc.Client;
  call: grpc.ClientDuplexStream<Buffer, Buffer> | undefined;
  /** The bound of the next backoff delay. */
  boundMs: number;
  firstResponse: () => void;
  gotFirst: boolean;
  backAt: number | undefined;
}

const id = (b: Buffer): Buffer => b;
const now = (): number => performance.timeOrigin + performance.now();

const clients = new Map<number, grpc.Client>();
const slots: Slot[] = [];
let closing = false;
let bytes = 256;
let seq = 0;
let armed: { version: string; back: number; reopens: number; failures: Map<string, number>; done: () => void } | undefined;

function makeClient(t: Target): grpc.Client {
  // A connection of its own per client (no shared subchannel), like one Envoy each. Envoy connects to its
  // xDS cluster when a stream needs it, with no backoff of its own: grpc-js's channel backoff (1 s rising to
  // 120 s) is held at 0.5–1 s so that the stream's backoff is the one that paces the return.
  const base: grpc.ChannelOptions = { 'grpc.max_receive_message_length': -1, 'grpc.use_local_subchannel_pool': 1, 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 1000 };
  if (t.kind === 'direct') return new grpc.Client(t.address, grpc.credentials.createSsl(Buffer.from(t.caPem)), { ...base, 'grpc.ssl_target_name_override': DOMAIN, 'grpc.default_authority': DOMAIN });
  return new grpc.Client(`unix://${t.socket}`, grpc.credentials.createInsecure(), base);
}

function start(slot: Slot): void {
  if (closing) return;
  const call = slot.client.makeBidiStreamRequest(ADS_PATH, id, id, new grpc.Metadata());
  slot.call = call;
  call.on('error', () => undefined);
  call.on('data', (m: Buffer) => {
    slot.boundMs = RETRY_BASE_MS;
    if (!slot.gotFirst) {
      slot.gotFirst = true;
      slot.firstResponse();
    }
    const a = armed;
    if (a && slot.backAt === undefined && responseVersion(m) === a.version) {
      slot.backAt = now();
      if (++a.back === slots.length) a.done();
    }
  });
  call.on('status', (s: grpc.StatusObject) => {
    if (slot.call !== call || closing) return;
    slot.call = undefined;
    if (armed) {
      const why = `${grpc.status[s.code] ?? s.code}: ${s.details.replace(/\d+/g, '#')}`;
      armed.failures.set(why, (armed.failures.get(why) ?? 0) + 1);
    }
    const delay = Math.floor(Math.random() * slot.boundMs);
    slot.boundMs = Math.min(slot.boundMs * 2, RETRY_MAX_MS);
    setTimeout(() => {
      if (armed) armed.reopens++;
      start(slot);
    }, delay);
  });
  call.write(discoveryRequest({ count: 1, bytes, nodeId: `bench-restart-${process.pid}-${++seq}` }));
}

async function open(c: { target: Target; plan: Array<[conn: number, streams: number]>; bytes: number; concurrency: number; timeoutMs: number }): Promise<RestartOpenResult> {
  const t0 = Date.now();
  bytes = c.bytes;
  const fresh: Slot[] = [];
  for (const [conn, n] of c.plan) {
    let client = clients.get(conn);
    if (!client) clients.set(conn, (client = makeClient(c.target)));
    for (let k = 0; k < n; k++) fresh.push({ client, call: undefined, boundMs: RETRY_BASE_MS, firstResponse: () => undefined, gotFirst: false, backAt: undefined });
  }
  slots.push(...fresh);
  const deadline = t0 + c.timeoutMs;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < fresh.length && Date.now() < deadline) {
      const slot = fresh[next++]!;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        slot.firstResponse = () => (clearTimeout(t), resolve());
        start(slot);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, c.concurrency) }, lane));
  const failed = fresh.filter((s) => !s.gotFirst).length;
  return { opened: fresh.length - failed, failed, errors: failed ? [`${failed} streams without a response within ${c.timeoutMs} ms`] : [], ms: Date.now() - t0 };
}

function arm(version: string): { armed: number } {
  for (const s of slots) s.backAt = undefined;
  armed = { version, back: 0, reopens: 0, failures: new Map(), done: () => undefined };
  return { armed: slots.length };
}

async function collect(timeoutMs: number): Promise<RestartCollectResult> {
  const a = armed;
  if (!a) throw new Error('collect before arm');
  if (a.back < slots.length) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      a.done = () => (clearTimeout(t), resolve());
    });
  }
  armed = undefined;
  const arrivals = slots.flatMap((s) => (s.backAt === undefined ? [] : [s.backAt]));
  return { arrivals, missing: slots.length - arrivals.length, reopens: a.reopens, failures: Object.fromEntries(a.failures) };
}

function closeAll(): { closed: number } {
  closing = true;
  for (const s of slots) s.call?.cancel();
  for (const c of clients.values()) c.close();
  return { closed: slots.length };
}

async function handle(c: { cmd: string } & Record<string, unknown>): Promise<unknown> {
  switch (c.cmd) {
    case 'open':
      return open(c as never);
    case 'arm':
      return arm(String(c['version']));
    case 'collect':
      return collect(Number(c['timeoutMs']));
    case 'close':
      return closeAll();
    default:
      throw new Error(`unknown command ${c.cmd}`);
  }
}

process.on('message', (m: { id: number; command: { cmd: string } & Record<string, unknown> }) => {
  handle(m.command).then(
    (result) => process.send!({ id: m.id, ok: true, result }),
    (err: Error) => process.send!({ id: m.id, ok: false, error: err.message }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'ready' });
