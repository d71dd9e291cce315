/**
 * Benchmark child process: the floor, the cheapest relay there can be, to show
 * what any user-space HTTP/2 hop costs on this machine. A bare `node:http2` h2c
 * server on a Unix socket; each stream is piped to a stream on one
 * `http2.connect()` TLS session to the upstream. The relay's stream windows
 * (10 MiB initialWindowSize, session windows at the maximum), and nothing else:
 * no signing, no inspection, no status, no metrics, no admission, no retries.
 *
 * Started by run.ts like the relay (spawn, no IPC). Environment: FLOOR_SOCKET,
 * FLOOR_UPSTREAM_PORT (on 127.0.0.1), FLOOR_CA_FILE, FLOOR_DOMAIN (SNI and
 * :authority). Prints "ready" once it listens and the upstream session is up;
 * exits when stdin closes (the parent is gone) or the upstream session ends.
 */
import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR, NGHTTP2_FLAG_END_STREAM } = http2.constants;
/** The relay's default RELAY_BUFFER_LIMIT_BYTES, its stream window on both sides. */
const STREAM_WINDOW = 10 * 1024 * 1024;
const MAX_WINDOW = 2 ** 31 - 1;
/** Headers that belong to one hop (the relay drops the same ones). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings', 'host']);

const fail = (message: string): never => {
  process.stderr.write(`floor-proxy: ${message}\n`);
  process.exit(1);
};

const socketPath = process.env.FLOOR_SOCKET ?? fail('FLOOR_SOCKET is not set');
const port = process.env.FLOOR_UPSTREAM_PORT ?? fail('FLOOR_UPSTREAM_PORT is not set');
const domain = process.env.FLOOR_DOMAIN ?? fail('FLOOR_DOMAIN is not set');
const ca = fs.readFileSync(process.env.FLOOR_CA_FILE ?? fail('FLOOR_CA_FILE is not set'));

/** Headers minus pseudo-headers (but `:status` when `keepStatus`) and hop-by-hop ones. */
function copyHeaders(h: IncomingHttpHeaders, keepStatus: boolean): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const k in h) {
    if ((k.charCodeAt(0) === 58 /* : */ && !(keepStatus && k === ':status')) || HOP_BY_HOP.has(k)) continue;
    out[k] = h[k];
  }
  return out;
}

function relayStream(upstream: http2.ClientHttp2Session, down: http2.ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  down.on('error', () => undefined);
  const req = copyHeaders(headers, false);
  req[':method'] = headers[':method'];
  req[':path'] = headers[':path'];
  req[':scheme'] = 'https';
  req[':authority'] = domain;
  let up: http2.ClientHttp2Stream;
  try {
    up = upstream.request(req);
  } catch (err) {
    process.stderr.write(`floor-proxy: cannot open an upstream stream: ${(err as Error).message}\n`);
    down.close(NGHTTP2_INTERNAL_ERROR);
    return;
  }
  up.on('error', () => undefined);
  let trailers: OutgoingHttpHeaders = {};
  down.pipe(up);
  up.on('response', (h: IncomingHttpHeaders, flags: number) => {
    if (down.destroyed) return;
    if (flags & NGHTTP2_FLAG_END_STREAM) {
      down.respond(copyHeaders(h, true), { endStream: true }); // trailers-only
      up.resume();
      return;
    }
    down.respond(copyHeaders(h, true), { waitForTrailers: true });
    up.pipe(down);
  });
  up.on('trailers', (t: IncomingHttpHeaders) => {
    trailers = copyHeaders(t, false);
  });
  down.on('wantTrailers', () => down.sendTrailers(trailers));
  // A reset on either side resets the other; a clean upstream end lets the trailers through.
  up.on('close', () => {
    if (up.rstCode !== NGHTTP2_NO_ERROR && !down.destroyed) down.close(NGHTTP2_CANCEL);
  });
  down.on('close', () => {
    if (!up.destroyed) up.close(NGHTTP2_CANCEL);
  });
}

function connectUpstream(): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://127.0.0.1:${port}`, {
      ca,
      servername: domain,
      minVersion: 'TLSv1.2',
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
      maxSessionMemory: 1 << 20,
    });
    session.once('error', reject);
    session.once('connect', () => {
      session.removeListener('error', reject);
      session.setLocalWindowSize(MAX_WINDOW);
      session.on('error', (err) => process.stderr.write(`floor-proxy: upstream session error: ${err.message}\n`));
      session.once('close', () => fail('the upstream session closed'));
      resolve(session);
    });
  });
}

async function main(): Promise<void> {
  const upstream = await connectUpstream();
  const server = http2.createServer({
    settings: { initialWindowSize: STREAM_WINDOW, enablePush: false },
    maxSessionMemory: Math.ceil((4 * STREAM_WINDOW) / 2 ** 20) + 64,
  });
  server.setTimeout(0);
  server.on('session', (session) => {
    session.on('error', () => undefined);
    session.once('connect', () => session.setLocalWindowSize(MAX_WINDOW));
  });
  server.on('stream', (down, headers) => relayStream(upstream, down, headers));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.once('SIGTERM', () => process.exit(0)); // exits by itself, so that --cpu-prof writes its profile
  process.stdin.resume();
  process.stdout.write('ready\n');
}

main().catch((err: Error) => fail(err.stack ?? err.message));
