/**
 * Benchmark child process: the fake management server. A grpc-js TLS server
 * (identity serializers, no message size limits) whose ADS method answers each
 * DiscoveryRequest `bench:<count>:<bytes>` with <count> pre-built
 * DiscoveryResponses of <bytes>, honouring write backpressure.
 * Started by run.ts with fork(); reports {type:'ready', port} over IPC and
 * exits when the parent goes away. IPC commands: {cmd:'calls'} -> {active};
 * {cmd:'push', bytes} writes one response of <bytes> to every open call at once
 * (the fan-out phase: a management server pushing one update to every stream)
 * -> {pushed, at} with `at` the wall-clock time (ms, sub-ms precision) before the first write.
 * BENCH_PORT binds that port (default: any free one; the restart phase starts a
 * second server on the first one's port); BENCH_RESPONSE_VERSION is the
 * version_info of every response (default `1`), so a client can tell which
 * server instance answered. The ready message carries `at`, the wall-clock
 * time (ms) at which the port was bound.
 */
import * as fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ADS_PATH, discoveryResponse, parseAsk } from './wire';

const id = (b: Buffer): Buffer => b;
const cache = new Map<number, Buffer>();
function response(bytes: number): Buffer {
  let r = cache.get(bytes);
  if (!r) {
    r = discoveryResponse(bytes, process.env.BENCH_RESPONSE_VERSION || '1');
    cache.set(bytes, r);
  }
  return r;
}

let activeCalls = 0;
const openCalls = new Set<grpc.ServerDuplexStream<Buffer, Buffer>>();

/**
 * One response to every open call, written in batches with a turn of the event
 * loop between them: one synchronous loop over 1,000 × 1 MiB holds the server's
 * loop for seconds, long enough for a client's keepalive PING to go unanswered
 * (the relay's, 5 s by default, then cuts its one connection and every stream
 * on it). A server that answers PINGs while it pushes is the fair comparison.
 */
const PUSH_BATCH = 25;
function push(bytes: number): Promise<{ pushed: number; at: number }> {
  const msg = response(bytes);
  const calls = [...openCalls];
  const at = performance.timeOrigin + performance.now();
  let pushed = 0;
  return new Promise((resolve) => {
    let i = 0;
    const batch = (): void => {
      for (const end = Math.min(calls.length, i + PUSH_BATCH); i < end; i++) {
        const call = calls[i]!;
        if (call.destroyed || call.writableEnded) continue;
        call.write(msg);
        pushed++;
      }
      if (i < calls.length) setImmediate(batch);
      else resolve({ pushed, at });
    };
    batch();
  });
}

function serve(call: grpc.ServerDuplexStream<Buffer, Buffer>): void {
  activeCalls++;
  openCalls.add(call);
  /** What is still to be sent: [message, how many more times]. */
  const queue: Array<[Buffer, number]> = [];
  let waiting = false;
  const pump = (): void => {
    waiting = false;
    while (queue.length > 0) {
      const head = queue[0]!;
      if (--head[1] === 0) queue.shift();
      if (!call.write(head[0])) {
        waiting = true;
        call.once('drain', pump);
        return;
      }
    }
  };
  call.on('data', (req: Buffer) => {
    const ask = parseAsk(req);
    if (!ask || ask.count <= 0) return;
    queue.push([response(ask.bytes), ask.count]);
    if (!waiting) pump();
  });
  call.on('end', () => call.end());
  call.on('error', () => undefined);
  call.on('close', () => {
    activeCalls--;
    openCalls.delete(call);
  });
}

async function main(): Promise<void> {
  const certPem = fs.readFileSync(process.env.BENCH_CERT!);
  const keyPem = fs.readFileSync(process.env.BENCH_KEY!);
  for (const b of (process.env.BENCH_PREBUILD ?? '').split(',').filter(Boolean)) response(Number(b));
  const server = new grpc.Server({ 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
  const def = {
    ads: { path: ADS_PATH, requestStream: true, responseStream: true, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id },
  };
  server.addService(def as unknown as grpc.ServiceDefinition, { ads: serve } as unknown as grpc.UntypedServiceImplementation);
  const creds = grpc.ServerCredentials.createSsl(null, [{ cert_chain: certPem, private_key: keyPem }], false);
  const want = Number(process.env.BENCH_PORT ?? 0);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(`127.0.0.1:${want}`, creds, (e, p) => (e ? reject(e) : resolve(p))));
  const at = performance.timeOrigin + performance.now();
  process.on('message', (m: { id: number; command: { cmd: string; bytes?: number } }) => {
    if (m.command?.cmd === 'calls') process.send!({ id: m.id, ok: true, result: { active: activeCalls } });
    else if (m.command?.cmd === 'push') void push(Number(m.command.bytes)).then((result) => process.send!({ id: m.id, ok: true, result }));
    else process.send!({ id: m.id, ok: false, error: `unknown command ${m.command?.cmd}` });
  });
  process.send!({ type: 'ready', port, at });
}

process.on('disconnect', () => process.exit(0));
main().catch((err: Error) => {
  process.stderr.write(`upstream-server: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
