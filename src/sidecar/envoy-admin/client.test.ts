import * as fs from 'node:fs';
import * as http from 'node:http';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EnvoyAdminClient, EnvoyAdminError, type EnvoyAdminTarget } from './client';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, retryDelayMs } from './retry';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang' | 'reset';

/** A loopback HTTP server answering from a script (the last answer repeats), recording every request. */
class ScriptedServer {
  readonly seen: Seen[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<net.Socket>();
  script: Answer[] = [{ status: 200, body: 'LIVE\n' }];

  constructor() {
    this.server = http.createServer((req, res) => {
      this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, at: Date.now() });
      const a = this.script[Math.min(this.seen.length - 1, this.script.length - 1)]!;
      if (a === 'hang') return;
      if (a === 'reset') return req.socket.destroy();
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? '');
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  listen(where: number | string): Promise<void> {
    return new Promise((resolve) => (typeof where === 'string' ? this.server.listen(where, resolve) : this.server.listen(where, '127.0.0.1', resolve)));
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

let dir: string;
let server: ScriptedServer;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'envoy-admin-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(async () => server?.close());

async function tcpServer(script: Answer[]): Promise<{ target: EnvoyAdminTarget }> {
  server = new ScriptedServer();
  server.script = script;
  await server.listen(0);
  return { target: { mode: 'tcp', port: server.port, udsPath: '/nonexistent' } };
}

/** A client whose retry waits are recorded (and shortened to 1 ms) instead of slept. */
function recordingClient(target: EnvoyAdminTarget): { client: EnvoyAdminClient; waits: number[] } {
  const waits: number[] = [];
  const client = new EnvoyAdminClient(target, { sleep: (ms) => (waits.push(ms), new Promise((r) => setTimeout(r, 1))) });
  return { client, waits };
}

describe('retry policy', () => {
  it('retries 429 and every 5xx but 501', () => {
    expect([429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 204, 301, 400, 404, 405, 501].some(isRetryableStatus)).toBe(false);
  });

  it('reads Retry-After as seconds or an HTTP date, and nothing else', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(['0'], now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:02 GMT', now)).toBe(2000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    for (const bad of [undefined, '', '-1', '1.5', 'soon', '2026-99-99']) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });

  it('backs off 100, 200, 400 ms capped at 1 s; Retry-After only on 429/503, bounded', () => {
    const p = DEFAULT_RETRY_POLICY;
    expect([0, 1, 2, 3, 4].map((a) => retryDelayMs(p, a, undefined, 0))).toEqual([100, 200, 400, 800, 1000]);
    expect(retryDelayMs(p, 0, { status: 503, retryAfter: '2' }, 0)).toBe(2000);
    expect(retryDelayMs(p, 0, { status: 429, retryAfter: '2' }, 0)).toBe(2000);
    expect(retryDelayMs(p, 0, { status: 500, retryAfter: '2' }, 0)).toBe(100);
    expect(retryDelayMs(p, 1, { status: 503, retryAfter: 'later' }, 0)).toBe(200);
    expect(retryDelayMs(p, 0, { status: 503, retryAfter: '86400' }, 0)).toBe(p.maxRetryAfterMs);
  });
});

describe('EnvoyAdminClient over TCP', () => {
  it('sends Connection: close, its User-Agent and Host 127.0.0.1:<port>; POSTs carry no body', async () => {
    const { target } = await tcpServer([{ status: 200, body: 'OK\n' }]);
    const client = new EnvoyAdminClient(target);
    await client.ready();
    await client.drainListeners('inboundonly');
    const [get, post] = server.seen;
    expect(get).toMatchObject({ method: 'GET', url: '/ready' });
    expect(get!.headers).toMatchObject({ connection: 'close', 'user-agent': 'appnetClient/1.0', host: `127.0.0.1:${target.port}` });
    expect(post).toMatchObject({ method: 'POST', url: '/drain_listeners?inboundonly' });
    expect(post!.headers['content-length']).toBe('0');
    expect(post!.headers['transfer-encoding']).toBeUndefined();
  });

  it('plain: returns any status after one attempt (503 is the INITIALIZING answer, not an error)', async () => {
    const { target } = await tcpServer([{ status: 503, body: 'INITIALIZING\n' }]);
    const r = await new EnvoyAdminClient(target).ready();
    expect(r).toMatchObject({ status: 503, body: 'INITIALIZING\n' });
    expect(server.seen).toHaveLength(1);
  });

  it('retrying: 4 attempts on 503 with 100/200/400 ms between them, then an EnvoyAdminError', async () => {
    const { target } = await tcpServer([{ status: 503, body: 'busy\n' }]);
    const client = new EnvoyAdminClient(target);
    const err = await client.drainListeners('graceful').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvoyAdminError);
    expect((err as EnvoyAdminError).message).toBe('POST /drain_listeners?graceful: giving up after 4 attempts: HTTP 503 (busy)');
    expect(err).toMatchObject({ attempts: 4, status: 503 });
    const gaps = server.seen.slice(1).map((s, i) => s.at - server.seen[i]!.at);
    expect(gaps).toHaveLength(3);
    gaps.forEach((g, i) => {
      expect(g).toBeGreaterThanOrEqual([100, 200, 400][i]! - 5);
      expect(g).toBeLessThan([100, 200, 400][i]! + 250);
    });
  });

  it('retrying: which statuses are retried', async () => {
    for (const [status, attempts] of [[429, 4], [500, 4], [502, 4], [504, 4], [501, 1], [400, 1], [404, 1], [405, 1]] as const) {
      const { target } = await tcpServer([{ status }]);
      const { client } = recordingClient(target);
      const r = await client.setLogLevel('debug').catch((e: EnvoyAdminError) => e);
      expect(server.seen, `HTTP ${status}`).toHaveLength(attempts);
      if (attempts === 1) expect(r).toMatchObject({ status });
      else expect(r).toBeInstanceOf(EnvoyAdminError);
      await server.close();
    }
  });

  it('retrying: stops at the first good answer', async () => {
    const { target } = await tcpServer([{ status: 429 }, { status: 502 }, { status: 200, body: 'OK\n' }]);
    const { client, waits } = recordingClient(target);
    expect(await client.drainListeners('inboundonly')).toMatchObject({ status: 200, body: 'OK\n' });
    expect(waits).toEqual([100, 200]);
  });

  it('honours Retry-After (seconds or HTTP date) on 429 and 503, not on 500', async () => {
    const inTwoS = new Date(Date.now() + 2000).toUTCString();
    const { target } = await tcpServer([
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 503, headers: { 'retry-after': inTwoS } },
      { status: 500, headers: { 'retry-after': '7' } },
      { status: 200 },
    ]);
    const { client, waits } = recordingClient(target);
    await client.prometheus({ usedonly: true });
    expect(waits[0]).toBe(1000);
    expect(waits[1]).toBeGreaterThan(500);
    expect(waits[1]).toBeLessThanOrEqual(2000);
    expect(waits[2]).toBe(400);
  });

  it('waits a real Retry-After second before the next attempt', async () => {
    const { target } = await tcpServer([{ status: 503, headers: { 'retry-after': '1' } }, { status: 200 }]);
    await new EnvoyAdminClient(target).setLogLevel('info');
    expect(server.seen[1]!.at - server.seen[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('transport errors: plain fails at once, retrying tries 4 times', async () => {
    const { target } = await tcpServer([]);
    await server.close();
    const plain = await new EnvoyAdminClient(target).ready().catch((e: EnvoyAdminError) => e);
    expect((plain as Error).message).toBe(`GET /ready: connect ECONNREFUSED 127.0.0.1:${target.port}`);
    const { client, waits } = recordingClient(target);
    const retried = await client.drainListeners('graceful').catch((e: EnvoyAdminError) => e);
    expect((retried as Error).message).toBe(`POST /drain_listeners?graceful: giving up after 4 attempts: connect ECONNREFUSED 127.0.0.1:${target.port}`);
    expect(waits).toEqual([100, 200, 400]);
  });

  it('a connection reset is a transport error and is retried', async () => {
    const { target } = await tcpServer(['reset', { status: 200, body: 'OK\n' }]);
    const { client } = recordingClient(target);
    expect(await client.drainListeners('inboundonly')).toMatchObject({ status: 200 });
    expect(server.seen).toHaveLength(2);
  });

  it('times out each attempt (body included)', async () => {
    const { target } = await tcpServer(['hang']);
    const t0 = Date.now();
    const err = await new EnvoyAdminClient(target).ready(150).catch((e: EnvoyAdminError) => e);
    expect((err as Error).message).toBe('GET /ready: no complete answer within 150 ms');
    expect(Date.now() - t0).toBeLessThan(1000);
    const { client } = recordingClient(target);
    const retried = await client.request('GET', '/stats?format=prometheus', { timeoutMs: 100, retry: true }).catch((e: EnvoyAdminError) => e);
    expect((retried as Error).message).toContain('giving up after 4 attempts: no complete answer within 100 ms');
    expect(server.seen).toHaveLength(5);
  });

  it('statsJson: encodes the filter, keeps the numeric stats, rejects what is not stats JSON', async () => {
    const body = JSON.stringify({
      stats: [
        { name: 'control_plane.identifier', value: 'cp-1' },
        { name: 'control_plane.connected_state', value: 1 },
        { name: 'listener_manager.listener_create_failure', value: 0 },
        { histograms: { supported_quantiles: [0, 100], computed_quantiles: [] } },
      ],
    });
    const { target } = await tcpServer([{ status: 200, body }, { status: 400, body: 'Invalid re2 regex' }, { status: 200, body: '<html>' }]);
    const client = new EnvoyAdminClient(target);
    const filter = '^(control_plane\\.connected_state|listener_manager\\.listener_create_failure)$';
    const stats = await client.statsJson(filter);
    expect([...stats]).toEqual([['control_plane.connected_state', 1], ['listener_manager.listener_create_failure', 0]]);
    expect(server.seen[0]!.url).toBe(`/stats?filter=${encodeURIComponent(filter)}&format=json`);
    await expect(client.statsJson('(')).rejects.toThrow(/^GET \/stats\?filter=\(&format=json: HTTP 400 \(Invalid re2 regex\)$/);
    await expect(client.statsJson('x')).rejects.toThrow(/the body is not JSON/);
  });

  it('builds the prometheus and logging URLs', async () => {
    const { target } = await tcpServer([{ status: 200 }]);
    const client = new EnvoyAdminClient(target);
    await client.prometheus({ usedonly: false });
    await client.prometheus({ usedonly: true, filter: 'appmesh' });
    await client.setLogLevel('a b&c');
    expect(server.seen.map((s) => s.url)).toEqual(['/stats?format=prometheus', '/stats?format=prometheus&filter=appmesh&usedonly', '/logging?level=a%20b%26c']);
  });
});

describe('EnvoyAdminClient over a Unix socket', () => {
  it('dials the socket and still says Host: 127.0.0.1:<port>', async () => {
    server = new ScriptedServer();
    const sock = path.join(dir, 'admin.sock');
    await server.listen(sock);
    const client = new EnvoyAdminClient({ mode: 'uds', port: 9901, udsPath: sock });
    expect(await client.ready()).toMatchObject({ status: 200, body: 'LIVE\n' });
    expect(server.seen[0]!.headers).toMatchObject({ host: '127.0.0.1:9901', connection: 'close', 'user-agent': 'appnetClient/1.0' });
  });

  it('fails fast, without retrying, when the socket file does not exist', async () => {
    const missing = path.join(dir, 'missing.sock');
    const { client, waits } = recordingClient({ mode: 'uds', port: 9901, udsPath: missing });
    const err = await client.drainListeners('graceful').catch((e: EnvoyAdminError) => e);
    expect(err).toBeInstanceOf(EnvoyAdminError);
    expect((err as Error).message).toBe(`POST /drain_listeners?graceful: Envoy admin socket ${missing} does not exist`);
    expect(waits).toEqual([]);
  });

  it('retries when the socket file exists but nothing listens (the agent pre-creates it)', async () => {
    const stale = path.join(dir, 'stale.sock');
    fs.writeFileSync(stale, ''); // a file where the socket should be: connect() is refused
    const { client, waits } = recordingClient({ mode: 'uds', port: 9901, udsPath: stale });
    const err = await client.setLogLevel('debug').catch((e: EnvoyAdminError) => e);
    expect((err as Error).message).toMatch(/^POST \/logging\?level=debug: giving up after 4 attempts: connect ECONNREFUSED/);
    expect(waits).toEqual([100, 200, 400]);
  });
});
