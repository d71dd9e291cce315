import * as http2 from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { type LogLine, ManagementStub, closedPort, memoryLogger } from '../../test/fixtures/relay-in-process';
import type { UpstreamConfig } from './config';
import { UpstreamManager, type UpstreamOptions } from './upstream';
import { UpstreamUnavailableError } from './upstream-errors';

/**
 * UpstreamManager against real h2c servers on loopback: backoff while the
 * management server is down (failing fast meanwhile), and the rotation over
 * several addresses with an injected DNS lookup.
 */

const upstreamConfig = (port: number, hosts = ['127.0.0.1'], more: Partial<UpstreamConfig> = {}): UpstreamConfig => ({
  domain: 'mgmt.in-process.test',
  port,
  connectHosts: hosts,
  tls: false,
  caFile: undefined,
  ecdhCurve: undefined,
  connectTimeoutMs: 1000,
  keepaliveIntervalMs: 0,
  keepaliveTimeoutMs: 1000,
  maxConnectionDurationMs: 0,
  connections: 1,
  maxConnections: 8,
  ...more,
});

describe('UpstreamManager (in process, real HTTP/2 servers)', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  function manager(cfg: UpstreamConfig, o: Partial<UpstreamOptions> = {}): { m: UpstreamManager; logs: LogLine[] } {
    const logs: LogLine[] = [];
    const m = new UpstreamManager(cfg, { streamWindowBytes: 65_536, connectionBufferBytes: 0, log: memoryLogger(logs), ...o });
    cleanup.push(() => m.close(100));
    return { m, logs };
  }
  async function stub(o: { host?: string; port?: number } = {}): Promise<ManagementStub> {
    const s = await ManagementStub.start(o);
    cleanup.push(() => s.close());
    return s;
  }
  const waitUntil = async (pred: () => boolean, ms: number, what: string): Promise<void> => {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out after ${ms}ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  it('while the server is down, acquire() fails at once with the reason and the time of the next attempt, without an attempt of its own', async () => {
    const port = await closedPort();
    let attempts = 0;
    // A second between attempts: the whole test runs while the manager waits.
    const { m } = manager(upstreamConfig(port), { backoff: { initialMs: 1000, maxMs: 1000, multiplier: 1, jitter: 0 }, hooks: { onConnectAttempt: () => attempts++ } });
    m.start();
    await waitUntil(() => m.status().failures === 1 && m.state === 'NOT_CONNECTED', 1000, 'the first failure');

    const t0 = Date.now();
    const err = await m.acquire().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - t0).toBeLessThan(100); // at once, not after a connect attempt
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect((err as Error).message).toBe(
      `relay: management server mgmt.in-process.test (127.0.0.1:${port}) unavailable: connection to 127.0.0.1:${port} refused; next attempt in 1s`,
    );
    expect(attempts).toBe(1);
    expect(m.status()).toMatchObject({ state: 'NOT_CONNECTED', failures: 1, lastError: { message: `connection to 127.0.0.1:${port} refused` } });
    expect(Date.parse(m.status().nextAttemptAt!) - Date.now()).toBeGreaterThan(500);
  });

  it('retries with exponential backoff while the server is down, and connects once it is back', async () => {
    const port = await closedPort();
    const attempts: number[] = [];
    const failures: number[] = [];
    /** The delay each failure scheduled (status().nextAttemptAt right after it): exact, however late timers run. */
    const planned: number[] = [];
    const { m } = manager(upstreamConfig(port), {
      backoff: { initialMs: 20, maxMs: 80, multiplier: 2, jitter: 0.5 },
      random: () => 0.5, // no jitter: the delays are exactly 20, 40, 80, 80 ms
      hooks: {
        onConnectAttempt: () => attempts.push(Date.now()),
        onConnectFailed: () => failures.push(Date.now()),
        // called as the retry is scheduled, right before the delay is drawn
        onStateChange: (state) => {
          if (state !== 'NOT_CONNECTED') return;
          const at = Date.now();
          queueMicrotask(() => planned.push(Date.parse(m.status().nextAttemptAt!) - at));
        },
      },
    });
    m.start();
    await waitUntil(() => attempts.length >= 4, 2000, 'four attempts');
    const late = planned.slice(0, 3).map((d, i) => d - [20, 40, 80][i]!);
    expect(late.every((ms) => ms >= -1 && ms <= 5)).toBe(true); // scheduled 20, 40, 80 ms after each failure
    for (let i = 0; i < 3; i++) expect(attempts[i + 1]! - failures[i]!).toBeGreaterThanOrEqual(planned[i]! - 2); // none early

    const server = await stub({ port });
    await waitUntil(() => m.state === 'CONNECTED', 2000, 'the reconnection');
    const session = await m.acquire();
    expect(session.destroyed).toBe(false);
    expect(m.status()).toMatchObject({ state: 'CONNECTED', address: '127.0.0.1', connects: 1, nextAttemptAt: null });
    expect(server.sessions).toHaveLength(1);
  });

  it('several addresses (a name resolving to two replicas): after a lost connection the next one goes to the other address; one that refuses is passed over within the attempt', async () => {
    const a = await stub({ host: '127.0.0.1' });
    const b = await stub({ host: '127.0.0.2', port: a.port });
    const looked: string[] = [];
    const { m } = manager(upstreamConfig(a.port, ['mgmt.replicas.test']), {
      lookup: async (host) => {
        looked.push(host);
        return ['127.0.0.1', '127.0.0.2'];
      },
      backoff: { initialMs: 10, maxMs: 10, multiplier: 1, jitter: 0 },
    });
    m.start();
    await waitUntil(() => m.state === 'CONNECTED', 1000, 'the first connection');
    expect(m.status()).toMatchObject({ address: '127.0.0.1', addresses: ['127.0.0.1', '127.0.0.2'], target: `127.0.0.1:${a.port}` });
    expect(looked).toEqual(['mgmt.replicas.test']);

    a.cutConnections(); // replica A drops the connection but still listens
    await waitUntil(() => m.state === 'CONNECTED' && m.status().address === '127.0.0.2', 1000, 'a connection to the other replica');
    expect(b.sessions).toHaveLength(1);
    expect(a.sessions).toHaveLength(1); // not asked again first
    expect(looked).toEqual(['mgmt.replicas.test', 'mgmt.replicas.test']); // resolved again at each attempt

    await a.close(); // A is gone for good; B drops its connection
    b.cutConnections();
    await waitUntil(() => m.state === 'CONNECTED' && b.sessions.length === 2, 1000, 'B again, after A refused');
    expect(m.status()).toMatchObject({ address: '127.0.0.2', failures: 0 }); // A's refusal within an attempt that succeeded is no failure
  });

  it('a pool of two over two replicas: one connection to each; streams counted per connection until released', async () => {
    const a = await stub({ host: '127.0.0.1' });
    const b = await stub({ host: '127.0.0.2', port: a.port });
    const { m } = manager(upstreamConfig(a.port, ['127.0.0.1', '127.0.0.2'], { connections: 2 }));
    m.start();
    const first = await m.acquire();
    const second = await m.acquire();
    expect(second).not.toBe(first);
    expect([a.sessions.length, b.sessions.length]).toEqual([1, 1]);
    expect(m.status().connections?.map((c) => [c.address, c.streams])).toEqual([
      ['127.0.0.1', 1],
      ['127.0.0.2', 1],
    ]);
    m.release(first);
    expect(await m.acquire()).toBe(first); // the least loaded again
    expect(m.status().connections?.map((c) => c.streams)).toEqual([1, 1]);
  });

  it("each connection's buffer cap is its share of the limit over the pool's size (what the relay holds does not grow with it)", async () => {
    const server = await stub();
    const { m } = manager(upstreamConfig(server.port, ['127.0.0.1'], { connections: 4 }), { connectionBufferBytes: 4 << 20 });
    m.start();
    const session = await m.acquire();
    // the connection window is half the cap (upstream-buffer-cap.ts): half of 1 MiB, not of 4 MiB
    expect(session.state.localWindowSize).toBe(512 * 1024);
  });

  it('GOAWAY with an error code: the streams on that connection are lost with the code as the reason, and it reconnects after a backoff', async () => {
    const server = await stub();
    const { m } = manager(upstreamConfig(server.port), { backoff: { initialMs: 10, maxMs: 10, multiplier: 1, jitter: 0 } });
    m.start();
    const session = await m.acquire();
    server.handler = () => undefined;
    const stream = session.request({ ':method': 'POST', ':path': '/x', 'content-type': 'application/grpc' });
    stream.on('error', () => undefined);
    const s = await server.stream(0);
    s.session.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
    await new Promise((r) => stream.once('close', r));
    expect(m.lossReason(session, undefined)).toBe('GOAWAY with error code 11');
    await waitUntil(() => m.state === 'CONNECTED' && server.sessions.length === 2, 1000, 'a new connection');
    expect(m.status().connects).toBe(2);
    expect(m.status().lastError?.message).toMatch(/error code 11/);
  });
});
