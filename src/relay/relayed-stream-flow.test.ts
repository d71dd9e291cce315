import * as http2 from 'node:http2';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  InProcessRelay,
  ManagementStub,
  Pump,
  echoHandler,
  grpcCall,
  grpcFrame,
  nextData,
  pattern,
  settle,
} from '../../test/fixtures/relay-in-process';
import { GrpcStatus } from '../common/grpc-status';
import { XdsRequestSigner } from '../sigv4/signer';

/**
 * Flow control end to end and the replay of refused streams, in process: a raw
 * HTTP/2 client on the relay's Unix socket, the real Relay, a raw h2c server
 * as the management server. Every window is a real HTTP/2 window.
 */

const BULK = '/appnet.test.Bulk/Stream';
/** RELAY_BUFFER_LIMIT_BYTES: the stream window the relay advertises on both hops. */
const W = 65_536;
/** The default HTTP/2 stream window of the test's client and management server. */
const PEER_WINDOW = 65_535;
/** What one Node stream buffers before write() says "wait" (its highWaterMark). */
const WRITE_BUFFER = 16_384;
/** Many times every window: what is held back is plain to see. */
const TOTAL = 1024 * 1024;

describe('relayed stream: flow control and replay (in process)', () => {
  let mgmt: ManagementStub;
  let relay: InProcessRelay;

  beforeAll(async () => {
    mgmt = await ManagementStub.start();
    relay = await InProcessRelay.start({ port: mgmt.port, env: { RELAY_BUFFER_LIMIT_BYTES: String(W) } });
  });
  afterEach(() => {
    mgmt.handler = echoHandler;
    mgmt.streams.length = 0;
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await relay?.close();
    await mgmt?.close();
  });

  const view = () => relay.status().activeStreams.at(-1)!;

  it('a client that stops reading holds the management server: nothing is buffered beyond the windows, and all of it arrives once it reads', async () => {
    let pump: Pump | undefined;
    mgmt.handler = ({ stream }) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      pump = new Pump(stream, TOTAL);
    };
    const client = relay.connect();
    const call = grpcCall(client, BULK);
    call.stream.pause(); // the client reads nothing
    call.stream.write(grpcFrame(Buffer.from('go')));

    // Full: the client's window and the relay's upstream window, no more.
    await relay.waitFor(() => pump && pump.onWire >= PEER_WINDOW + W, 2000, 'the windows to fill');
    await settle([client, ...mgmt.sessions]);
    const onWire = pump!.onWire;
    const heldByClient = call.stream.readableLength;
    expect(heldByClient).toBeLessThanOrEqual(PEER_WINDOW);
    expect(onWire - heldByClient).toBeLessThanOrEqual(W + WRITE_BUFFER); // what the relay holds
    expect(view().bytes.toClient).toBeLessThanOrEqual(onWire);
    expect(pump!.written).toBeLessThan(TOTAL); // the management server is held by flow control

    call.stream.resume();
    const out = await call.outcome;
    expect(out.status).toEqual({ code: GrpcStatus.OK, message: '' });
    expect(out.data.equals(pattern(0, TOTAL))).toBe(true); // in order, nothing lost or repeated
    call.stream.close();
  });

  it('a management server that stops reading holds the client, and gets every byte once it reads', async () => {
    mgmt.handler = ({ stream }) => {
      stream.pause(); // reads nothing
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.on('end', () => stream.end());
    };
    const client = relay.connect();
    const call = grpcCall(client, BULK);
    await new Promise((r) => call.stream.once('response', r));
    const pump = new Pump(call.stream, TOTAL);
    const up = await mgmt.stream(0);

    await relay.waitFor(() => pump.onWire >= W + PEER_WINDOW, 2000, 'the windows to fill');
    await settle([client, ...mgmt.sessions]);
    const heldByServer = up.stream.readableLength + up.bytes().length;
    expect(heldByServer).toBeLessThanOrEqual(PEER_WINDOW + WRITE_BUFFER);
    expect(pump.onWire - heldByServer).toBeLessThanOrEqual(W + WRITE_BUFFER); // what the relay holds
    expect(pump.written).toBeLessThan(TOTAL);

    up.stream.resume();
    const out = await call.outcome;
    expect(out.status?.code).toBe(GrpcStatus.OK);
    expect(up.bytes().equals(pattern(0, TOTAL))).toBe(true);
  });

  it('replays a refused stream once, on a fresh stream, signed again; the client never notices', async () => {
    const sign = vi.spyOn(XdsRequestSigner.prototype, 'sign');
    mgmt.handler = (s) => {
      if (mgmt.streams.length > 1) return echoHandler(s);
      // read the request, then refuse it ("not processed, safe to retry")
      s.stream.once('data', () => s.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM));
    };
    const call = grpcCall(relay.connect(), BULK);
    const request = grpcFrame(Buffer.from('first request'));
    call.stream.write(request);
    expect((await nextData(call.stream)).equals(request)).toBe(true); // echoed by the second attempt
    call.stream.end();
    const out = await call.outcome;
    expect(out.status?.code).toBe(GrpcStatus.OK);

    expect(mgmt.streams).toHaveLength(2);
    const [refused, replayed] = mgmt.streams;
    expect(refused!.bytes().equals(request)).toBe(true);
    expect(replayed!.bytes().equals(request)).toBe(true);
    expect(sign).toHaveBeenCalledTimes(2);
    expect(String(replayed!.headers['authorization'])).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDINPROCESS0001\//);
    expect(replayed!.stream.id).toBeGreaterThan(refused!.stream.id!); // a new stream, not a resend on the old one
  });

  it('a second refusal ends the stream with UNAVAILABLE (trailers-only) after exactly two attempts', async () => {
    mgmt.handler = (s) => s.stream.once('data', () => s.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM));
    const call = grpcCall(relay.connect(), BULK);
    call.stream.write(grpcFrame(Buffer.from('x')));
    const out = await call.outcome;
    expect(out.trailersOnly).toBe(true);
    expect(out.status).toEqual({ code: GrpcStatus.UNAVAILABLE, message: 'relay: the management server refused the stream' });
    expect(mgmt.streams).toHaveLength(2);
  });

  it('keeps at most 256 KiB for a replay: a request within it is replayed intact, a larger one fails instead of arriving cut', async () => {
    const refuseAfter = (bytes: number) => (s: Parameters<typeof echoHandler>[0]) => {
      if (mgmt.streams.length > 1) return echoHandler(s);
      s.stream.on('data', () => {
        if (s.bytes().length >= bytes) s.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      });
    };
    const within = 200 * 1024;
    mgmt.handler = refuseAfter(within);
    const ok = grpcCall(relay.connect(), BULK);
    await new Pump(ok.stream, within).done;
    const okOut = await ok.outcome;
    expect(okOut.status?.code).toBe(GrpcStatus.OK);
    expect(mgmt.streams[1]!.bytes().equals(pattern(0, within))).toBe(true);

    mgmt.streams.length = 0;
    const beyond = 300 * 1024;
    mgmt.handler = refuseAfter(beyond);
    const big = grpcCall(relay.connect(), BULK);
    void new Pump(big.stream, beyond).done;
    const bigOut = await big.outcome;
    expect(bigOut.status).toEqual({ code: GrpcStatus.UNAVAILABLE, message: 'relay: the management server refused the stream' });
    expect(mgmt.streams).toHaveLength(1); // not replayed: the relay no longer had the start of it
  });

  it('a replayed stream keeps flow control: a refusal while the client was held does not let it write without bound afterwards', async () => {
    let first: Parameters<typeof echoHandler>[0] | undefined;
    mgmt.handler = (s) => {
      s.stream.pause(); // neither attempt reads (yet)
      if (mgmt.streams.length === 1) first = s;
    };
    const client = relay.connect();
    const call = grpcCall(client, BULK);
    const pump = new Pump(call.stream, TOTAL);
    // Held on the first attempt: the relay read more than the server's window, so its last write is waiting for a 'drain'.
    await relay.waitFor(() => (view()?.bytes.fromClient ?? 0) > PEER_WINDOW, 2000, 'the first attempt to fill');
    await settle([client, ...mgmt.sessions]);
    const beforeRefusal = view().bytes.fromClient;
    expect(beforeRefusal).toBeLessThan(256 * 1024); // still replayable
    first!.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);

    const second = await mgmt.stream(1);
    await relay.waitFor(() => second.stream.readableLength + second.bytes().length > 0, 2000, 'the replay to start');
    await settle([client, ...mgmt.sessions]);
    await settle([client, ...mgmt.sessions]);
    // Held again: what the relay read is the replay plus the windows, not the client's whole MiB.
    expect(view().bytes.fromClient).toBeLessThan(beforeRefusal + W + PEER_WINDOW + 2 * WRITE_BUFFER);
    expect(pump.written).toBeLessThan(TOTAL);

    second.stream.on('end', () => second.stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '0' }, { endStream: true }));
    second.stream.resume();
    const out = await call.outcome;
    expect(out.status?.code).toBe(GrpcStatus.OK);
    expect(second.bytes().equals(pattern(0, TOTAL))).toBe(true);
  });
});
