import * as http2 from 'node:http2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InProcessRelay, ManagementStub, type MgmtStream, TcpProxy, echoHandler, grpcCall, grpcFrame, nextData } from '../../test/fixtures/relay-in-process';
import { GrpcStatus, encodeGrpcMessage } from '../common/grpc-status';
import { AdsPath } from '../common/xds/vocabulary';

/**
 * What an xDS client sees through the relay, whatever the management server
 * does: in process, real HTTP/2 on both hops (see test/fixtures/relay-in-process.ts).
 * The client never half-closes, as Envoy's xDS streams never do.
 */

const ADS = AdsPath.sotw;
const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR } = http2.constants;
const GRPC_OK = { ':status': 200, 'content-type': 'application/grpc' };
/** A connection cut by the server: a FIN, or a reset when bytes were still unread on its side (the kernel's choice). */
const CUT = /^relay: connection to the management server was lost \((connection closed|connection to 127\.0\.0\.1:\d+ reset by peer)\)$/;

/** The management server answers with headers and one message, then lets the test decide. */
const answerThen =
  (then: (s: MgmtStream) => void) =>
  (s: MgmtStream): void => {
    s.stream.once('data', () => {
      s.stream.respond(GRPC_OK, { waitForTrailers: true });
      s.stream.write(grpcFrame(Buffer.from('first response')));
      then(s);
    });
  };

describe('relayed stream: the gRPC status a client sees (in process)', () => {
  let mgmt: ManagementStub;
  let relay: InProcessRelay;

  beforeAll(async () => {
    mgmt = await ManagementStub.start();
    // reconnect at once after a test cuts the connection
    relay = await InProcessRelay.start({ port: mgmt.port, upstream: { backoff: { initialMs: 10, maxMs: 10, multiplier: 1, jitter: 0 } } });
  });
  afterEach(async () => {
    mgmt.handler = echoHandler;
    mgmt.streams.length = 0;
    // a test that cut the connection leaves the next one a fresh connection
    await relay.waitFor(() => relay.status().upstream.state === 'CONNECTED', 3000, 'the relay to reconnect');
  });
  afterAll(async () => {
    await relay?.close();
    await mgmt?.close();
  });

  /** Open a stream, send one message, return the call once the management server has it. */
  async function open(extra: http2.OutgoingHttpHeaders = {}) {
    const call = grpcCall(relay.connect(), ADS, extra);
    call.stream.write(grpcFrame(Buffer.from('request')));
    return { call, up: await mgmt.stream(mgmt.streams.length) };
  }

  it('passes a trailers-only answer through as trailers-only, status and message intact', async () => {
    const message = 'boom: ünïcode %20 stays';
    mgmt.handler = ({ stream }) => stream.respond({ ...GRPC_OK, 'grpc-status': '9', 'grpc-message': encodeGrpcMessage(message) }, { endStream: true });
    const { call } = await open();
    const out = await call.outcome;
    expect(out).toMatchObject({ trailersOnly: true, status: { code: 9, message }, rstCode: 0 });
    expect(out.data.length).toBe(0);
    await relay.waitFor(() => relay.status().streams.active === 0, 1000, 'the stream to be gone');
  });

  it('passes headers, messages and trailers through, metadata both ways, with the trailers after the last message', async () => {
    mgmt.handler = ({ stream, headers }) => {
      stream.respond({ ...GRPC_OK, 'x-response-meta': 'h1', echo: String(headers['custom-header']) }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'x-trailer': 't1' }));
      stream.write(grpcFrame(Buffer.from('one')));
      stream.end(grpcFrame(Buffer.from('two')));
    };
    const { call } = await open({ 'custom-header': 'v1' });
    const out = await call.outcome;
    expect(out.trailersOnly).toBe(false);
    expect(out.headers).toMatchObject({ ':status': 200, 'x-response-meta': 'h1', echo: 'v1' });
    expect(out.data.equals(Buffer.concat([grpcFrame(Buffer.from('one')), grpcFrame(Buffer.from('two'))]))).toBe(true);
    expect(out.trailers).toMatchObject({ 'grpc-status': '0', 'x-trailer': 't1' });
    expect(out.status).toEqual({ code: GrpcStatus.OK, message: '' });
  });

  it('a reset before any answer: UNAVAILABLE, trailers-only, naming the HTTP/2 code', async () => {
    for (const [code, name] of [
      [NGHTTP2_INTERNAL_ERROR, 'INTERNAL_ERROR'],
      [NGHTTP2_CANCEL, 'CANCEL'],
    ] as const) {
      mgmt.handler = ({ stream }) => stream.once('data', () => stream.close(code));
      const { call } = await open();
      const out = await call.outcome;
      expect(out).toMatchObject({ trailersOnly: true, rstCode: 0 });
      expect(out.status).toEqual({ code: GrpcStatus.UNAVAILABLE, message: `relay: the management server reset the stream (${name})` });
    }
  });

  it('a reset mid-stream: what was sent stays delivered, then UNAVAILABLE in trailers, not a bare reset', async () => {
    mgmt.handler = answerThen(({ stream }) => setImmediate(() => stream.close(NGHTTP2_INTERNAL_ERROR)));
    const { call } = await open();
    const out = await call.outcome;
    expect(out.trailersOnly).toBe(false);
    expect(out.data.equals(grpcFrame(Buffer.from('first response')))).toBe(true);
    expect(out.status).toEqual({ code: GrpcStatus.UNAVAILABLE, message: 'relay: the management server reset the stream (INTERNAL_ERROR)' });
    expect(out.rstCode).toBe(0);
  });

  it('the connection cut mid-stream (a crash): UNAVAILABLE in trailers saying the connection was lost', async () => {
    mgmt.handler = answerThen(() => setImmediate(() => mgmt.cutConnections()));
    const { call } = await open();
    const out = await call.outcome;
    expect(out.trailersOnly).toBe(false);
    expect(out.data.equals(grpcFrame(Buffer.from('first response')))).toBe(true);
    expect(out.status?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(out.status?.message).toMatch(CUT);
  });

  it('the connection cut before any answer: UNAVAILABLE, trailers-only, with the reason', async () => {
    mgmt.handler = ({ stream }) => stream.once('data', () => mgmt.cutConnections());
    const { call } = await open();
    const out = await call.outcome;
    expect(out.trailersOnly).toBe(true);
    expect(out.status?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(out.status?.message).toMatch(CUT);
  });

  it('an answer that ends without a gRPC status: INTERNAL in trailers at once, not a stream left hanging', async () => {
    mgmt.handler = answerThen(({ stream }) => stream.end()); // END_STREAM on DATA, no trailers: not gRPC
    const { call, up } = await open();
    const out = await call.outcome;
    expect(out.data.equals(grpcFrame(Buffer.from('first response')))).toBe(true);
    expect(out.status).toEqual({ code: GrpcStatus.INTERNAL, message: 'relay: the management server ended the stream without a gRPC status' });
    await up.ended; // and the management server's stream is closed too
    await relay.waitFor(() => relay.status().streams.active === 0, 1000, 'the stream to be gone');
  });

  it("a client's cancel reaches the management server as a reset", async () => {
    mgmt.handler = answerThen(() => undefined);
    const { call, up } = await open();
    await nextData(call.stream);
    const upClosed = new Promise<number | undefined>((resolve) => up.stream.once('close', () => resolve(up.stream.rstCode)));
    call.stream.close(NGHTTP2_CANCEL);
    expect(await upClosed).toBe(NGHTTP2_CANCEL);
    await relay.waitFor(() => relay.status().streams.active === 0, 1000, 'the stream to be gone');
  });
});

describe('relayed stream: the reason a lost connection gives (in process)', () => {
  let mgmt: ManagementStub;
  let proxy: TcpProxy;
  let relay: InProcessRelay;

  beforeAll(async () => {
    mgmt = await ManagementStub.start();
    proxy = await TcpProxy.start(mgmt.port);
    relay = await InProcessRelay.start({
      port: proxy.port,
      env: { RELAY_KEEPALIVE_INTERVAL: '100ms', RELAY_KEEPALIVE_TIMEOUT: '300ms' },
      upstream: { backoff: { initialMs: 10, maxMs: 10, multiplier: 1, jitter: 0 } },
    });
  });
  afterAll(async () => {
    await relay?.close();
    await proxy?.close();
    await mgmt?.close();
  });

  it('names the keepalive timeout of a connection that stopped answering, and not that old reason for the next one, which was cut', async () => {
    mgmt.handler = answerThen(() => undefined);
    const first = grpcCall(relay.connect(), ADS);
    first.stream.write(grpcFrame(Buffer.from('request')));
    await nextData(first.stream);
    proxy.stall(); // PINGs go unanswered from now on
    const out = await first.outcome;
    expect(out.trailersOnly).toBe(false);
    expect(out.status).toEqual({ code: GrpcStatus.UNAVAILABLE, message: 'relay: connection to the management server was lost (keepalive: no PING acknowledgement within 300ms)' });

    await relay.waitFor(() => relay.status().upstream.state === 'CONNECTED', 2000, 'a new connection');
    const second = grpcCall(relay.connect(), ADS);
    second.stream.write(grpcFrame(Buffer.from('request')));
    await nextData(second.stream);
    proxy.cut();
    const status = (await second.outcome).status;
    expect(status?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(status?.message).toMatch(CUT); // this connection's reason, not the keepalive of the one before
  });
});

describe('relayed stream: RELAY_STREAM_IDLE_TIMEOUT (in process)', () => {
  const IDLE_MS = 250;
  let mgmt: ManagementStub;
  let relay: InProcessRelay;

  beforeAll(async () => {
    mgmt = await ManagementStub.start();
    relay = await InProcessRelay.start({ port: mgmt.port, env: { RELAY_STREAM_IDLE_TIMEOUT: `${IDLE_MS}ms` } });
  });
  afterAll(async () => {
    await relay?.close();
    await mgmt?.close();
  });

  it('ends a stream idle that long with UNAVAILABLE and the documented message, and cancels it upstream; a busy stream lives on', async () => {
    mgmt.handler = ({ stream }) => stream.respond(GRPC_OK, { waitForTrailers: true });
    const t0 = Date.now();
    const client = relay.connect();
    const idle = grpcCall(client, ADS);
    idle.stream.write(grpcFrame(Buffer.from('idle')));
    const busy = grpcCall(client, ADS);
    busy.stream.write(grpcFrame(Buffer.from('busy')));
    const [idleUp, busyUp] = [await mgmt.stream(0), await mgmt.stream(1)];
    const idleUpClosed = new Promise<number | undefined>((resolve) => idleUp.stream.once('close', () => resolve(idleUp.stream.rstCode)));

    // The busy stream carries a message every IDLE_MS/6, one direction at a time (6 each): each alone keeps it alive.
    let ticks = 0;
    let ticker: NodeJS.Timeout | undefined;
    const busyDone = new Promise<void>((resolve) => {
      ticker = setInterval(() => {
        ticks++;
        if (ticks <= 6) busy.stream.write(grpcFrame(Buffer.from('from client')));
        else busyUp.stream.write(grpcFrame(Buffer.from('from server')));
        if (ticks === 12) {
          clearInterval(ticker);
          resolve();
        }
      }, IDLE_MS / 6);
    });
    try {
      const out = await idle.outcome;
      expect(Date.now() - t0).toBeGreaterThanOrEqual(IDLE_MS - 5);
      expect(out.trailersOnly).toBe(false); // the answer had started: the status comes as trailers
      expect(out.status).toEqual({ code: GrpcStatus.UNAVAILABLE, message: 'relay: no data in either direction for 0.25s (RELAY_STREAM_IDLE_TIMEOUT); reconnect' });
      expect(await idleUpClosed).toBe(NGHTTP2_CANCEL);
      await busyDone; // two idle timeouts
    } finally {
      clearInterval(ticker);
    }
    // every message of the busy stream went by, and it is still streaming
    await relay.waitFor(() => relay.status().activeStreams.find((s) => s.messages.toClient === 6) ?? relay.status().streams.active === 0, 1000, 'the last server message');
    expect(relay.status().activeStreams).toMatchObject([{ phase: 'streaming', messages: { fromClient: 7, toClient: 6 } }]);
    expect(relay.status().streams.active).toBe(1);
    expect(relay.logs.find((l) => l.msg === 'stream ended' && l.outcome === 'idle_timeout')).toBeDefined();
  });
});
