import type * as http2 from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { type GrpcCall, InProcessRelay, ManagementStub, Pump, grpcCall, grpcFrame, pattern, settle } from '../../test/fixtures/relay-in-process';
import { GrpcStatus } from '../common/grpc-status';
import { MAX_WINDOW } from './config';
import { THROTTLED_WINDOW, connectionWindowFor, nextCapState } from './upstream-buffer-cap';

/**
 * The cap on what the relay holds of one upstream connection's data
 * (RELAY_UPSTREAM_BUFFER_LIMIT_BYTES), in process with real HTTP/2 on both
 * hops: a management server pushes far more than the cap over many streams
 * whose clients do not read (see docs/relay-scale.md, "Fan-out").
 */

const BULK = '/appnet.test.Bulk/Stream';
const STREAMS = 40;
/** Per stream: with the default 10 MiB stream window the server may send all of it at once. */
const PUSH = 1024 * 1024;
const CAP = 4 * 1024 * 1024;
/** What one client takes before it stops (the HTTP/2 default window of the test's clients). */
const CLIENT_WINDOW = 65_535;
/** What one Node stream buffers before write() says "wait" (its highWaterMark), plus the chunk that filled it. */
const WRITE_BUFFER = 2 * 16_384;

describe('upstream buffer cap: the state machine', () => {
  it('throttles at the limit and opens again only at half of it', () => {
    expect(nextCapState('open', 99, 100)).toBe('open');
    expect(nextCapState('open', 100, 100)).toBe('throttled');
    expect(nextCapState('throttled', 51, 100)).toBe('throttled');
    expect(nextCapState('throttled', 50, 100)).toBe('open');
  });

  it('sizes the connection window to half the limit, within HTTP/2 bounds; no cap keeps the largest', () => {
    expect(connectionWindowFor(64 * 1024 * 1024, MAX_WINDOW)).toBe(32 * 1024 * 1024);
    expect(connectionWindowFor(1000, MAX_WINDOW)).toBe(THROTTLED_WINDOW);
    expect(connectionWindowFor(0, MAX_WINDOW)).toBe(MAX_WINDOW);
    expect(connectionWindowFor(MAX_WINDOW, MAX_WINDOW)).toBe(Math.floor(MAX_WINDOW / 2));
  });
});

describe('upstream buffer cap: a push to clients that do not read (in process)', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function push(env: Record<string, string>) {
    const mgmt = await ManagementStub.start();
    cleanup.push(() => mgmt.close());
    // One connection: the cap is per connection (with RELAY_UPSTREAM_CONNECTIONS=N the relay holds up to N caps).
    const relay = await InProcessRelay.start({ port: mgmt.port, env: { RELAY_UPSTREAM_CONNECTIONS: '1', ...env } });
    cleanup.push(() => relay.close());
    const pumps: Pump[] = [];
    mgmt.handler = ({ stream }) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      pumps.push(new Pump(stream, PUSH));
    };
    const clients = [relay.connect(), relay.connect()];
    const calls: GrpcCall[] = [];
    for (let i = 0; i < STREAMS; i++) {
      const call = grpcCall(clients[i % 2]!, BULK);
      call.stream.write(grpcFrame(Buffer.from('go')));
      calls.push(call);
    }
    // One client reads all along; every other one reads nothing (yet).
    const [reader, ...stuck] = calls;
    for (const c of stuck) c.stream.pause();
    await relay.waitFor(() => pumps.length === STREAMS, 5000, 'every stream to reach the management server');
    const sessions: http2.Http2Session[] = [...clients, ...mgmt.sessions];
    const onWire = () => pumps.reduce((n, p) => n + p.onWire, 0);
    // Until the management server can send no more: every frame it sent before a PING's answer is in.
    let last = -1;
    for (let round = 0; round < 200 && onWire() !== last; round++) {
      last = onWire();
      await settle(sessions);
    }
    const taken = stuck.reduce((n, c) => n + c.stream.readableLength, 0);
    return { relay, mgmt, calls, reader: reader!, stuck, pumps, sessions, heldByRelay: onWire() - PUSH - taken, onWire: onWire() };
  }

  it('holds about the cap, not the push; a client that reads is not held up; every stream gets all its data once its client reads', async () => {
    const { relay, calls, reader, stuck, pumps, heldByRelay, onWire } = await push({ RELAY_UPSTREAM_BUFFER_LIMIT_BYTES: String(CAP) });
    // The reading client got its whole response while the others held the connection over the cap.
    const readerOut = await reader.outcome;
    expect(readerOut.status).toEqual({ code: GrpcStatus.OK, message: '' });
    expect(readerOut.data.equals(pattern(0, PUSH))).toBe(true);

    // What the relay holds: the cap, what the server had committed when the windows came down (half the cap),
    // and per stream its lowered window and a write buffer; far less than the push.
    const bound = 1.5 * CAP + stuck.length * (THROTTLED_WINDOW + WRITE_BUFFER);
    expect(heldByRelay).toBeLessThanOrEqual(bound);
    expect(bound).toBeLessThan(stuck.length * (PUSH - CLIENT_WINDOW) / 2); // the bound is a bound
    expect(onWire).toBeLessThan(STREAMS * PUSH); // the management server is held back
    expect(relay.logs.some((l) => String(l.msg).startsWith('clients behind on the upstream connection'))).toBe(true);
    expect(await relay.relay.metrics.text()).toMatch(/^appnet_relay_upstream_throttles_total [1-9]/m);

    for (const c of stuck) c.stream.resume();
    const outs = await Promise.all(calls.map((c) => c.outcome));
    for (const out of outs) {
      expect(out.status).toEqual({ code: GrpcStatus.OK, message: '' });
      expect(out.data.equals(pattern(0, PUSH))).toBe(true); // in order, nothing lost or repeated
    }
    expect(pumps.every((p) => p.written === PUSH)).toBe(true);
    // Caught up: the connection's windows are back to RELAY_BUFFER_LIMIT_BYTES.
    await relay.waitFor(() => relay.logs.some((l) => String(l.msg).startsWith('clients caught up')), 5000, 'the windows to be restored');
  });

  it('without the cap (0) the relay holds the whole push: what the cap prevents', async () => {
    const { calls, stuck, heldByRelay } = await push({ RELAY_UPSTREAM_BUFFER_LIMIT_BYTES: '0' });
    expect(heldByRelay).toBeGreaterThan(stuck.length * (PUSH - CLIENT_WINDOW - WRITE_BUFFER));
    for (const c of stuck) c.stream.resume();
    for (const out of await Promise.all(calls.map((c) => c.outcome))) expect(out.data.length).toBe(PUSH);
  });
});
