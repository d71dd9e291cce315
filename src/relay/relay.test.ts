import * as http2 from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessRelay, type InProcessRelayOptions, RelayRigs, ManagementStub, type MgmtStream, closedPort, echoHandler, grpcCall, grpcFrame, nextData } from '../../test/fixtures/relay-in-process';
import { GrpcStatus } from '../common/grpc-status';
import { AdsPath } from '../common/xds/vocabulary';

/**
 * The relay as a whole, in process (listener, streams, upstream connection):
 * what happens to streams when the management server says GOAWAY, is down,
 * or the connection is recycled. Real HTTP/2 on both hops.
 */

const ADS = AdsPath.sotw;
const FAST_BACKOFF = { backoff: { initialMs: 20, maxMs: 20, multiplier: 1, jitter: 0 } };

describe('relay and its upstream connection (in process)', () => {
  const rigs = new RelayRigs();
  afterEach(() => rigs.closeAll());
  const start = (o: InProcessRelayOptions): Promise<InProcessRelay> => rigs.relay(o);
  const stub = (port?: number): Promise<ManagementStub> => rigs.stub(port === undefined ? {} : { port });

  it('GOAWAY from the management server: the stream in flight finishes on the old connection, new streams go to a new one, and a stream caught in the race is replayed there', async () => {
    const mgmt = await stub();
    // One connection: the GOAWAY'd connection is the only one, so the racing stream is on it.
    const relay = await start({ port: mgmt.port, env: { RELAY_UPSTREAM_CONNECTIONS: '1' }, upstream: FAST_BACKOFF });
    const client = relay.connect();
    const inFlight = grpcCall(client, ADS);
    inFlight.stream.write(grpcFrame(Buffer.from('a')));
    await nextData(inFlight.stream);
    const a = await mgmt.stream(0);

    // The next stream arrives after the server decided to go away: GOAWAY names the last stream it will serve (a's).
    let raced: MgmtStream | undefined;
    mgmt.handler = (s) => {
      if (raced) return echoHandler(s);
      raced = s;
      s.session.goaway(http2.constants.NGHTTP2_NO_ERROR, a.stream.id);
    };
    const racing = grpcCall(client, ADS);
    racing.stream.write(grpcFrame(Buffer.from('b')));
    expect((await nextData(racing.stream)).equals(grpcFrame(Buffer.from('b')))).toBe(true);
    const after = grpcCall(client, ADS);
    after.stream.write(grpcFrame(Buffer.from('c')));
    await nextData(after.stream);

    // a and the refused b on the old connection; b replayed and c on the new one
    expect(mgmt.streams.map((s) => s.connection)).toEqual([0, 0, 1, 1]);
    expect(mgmt.streams[1]).toBe(raced);
    expect(mgmt.streams.filter((s) => s !== raced).map((s) => s.bytes().subarray(5).toString())).toEqual(['a', 'b', 'c']);
    expect(relay.status().upstream).toMatchObject({ state: 'CONNECTED', connects: 2, drainingConnections: 1, lastError: null });

    // The old connection still carries a, both ways, to its end.
    a.stream.write(grpcFrame(Buffer.from('a, after the GOAWAY')));
    expect((await nextData(inFlight.stream)).subarray(5).toString()).toBe('a, after the GOAWAY');
    inFlight.stream.write(grpcFrame(Buffer.from('a2')));
    await relay.waitFor(() => a.bytes().length === 13, 1000, 'a2 upstream');
    inFlight.stream.end();
    expect((await inFlight.outcome).status?.code).toBe(GrpcStatus.OK);
    await relay.waitFor(() => relay.status().upstream.drainingConnections === 0, 1000, 'the old connection to close');
    for (const c of [racing, after]) {
      c.stream.end();
      expect((await c.outcome).status?.code).toBe(GrpcStatus.OK);
    }
  });

  it('while the management server is down: a new stream fails at once, trailers-only UNAVAILABLE with the reason; once it is back, streams flow', async () => {
    const port = await closedPort();
    const relay = await start({ port, noWait: true, upstream: { backoff: { initialMs: 100, maxMs: 100, multiplier: 1, jitter: 0 } } });
    await relay.waitFor(() => relay.status().upstream.failures >= 1, 1000, 'a failed attempt');

    const t0 = Date.now();
    const call = grpcCall(relay.connect(), ADS);
    call.stream.write(grpcFrame(Buffer.from('x')));
    const out = await call.outcome;
    expect(Date.now() - t0).toBeLessThan(1000); // not held for RELAY_CONNECT_TIMEOUT (2 s here) or longer
    expect(out.trailersOnly).toBe(true);
    expect(out.status?.code).toBe(GrpcStatus.UNAVAILABLE);
    // Arriving between attempts it gets "unavailable ...; next attempt in 1s" (exactly: upstream.test.ts); arriving
    // during one, that attempt's failure. Either way at once, and with the reason.
    expect(out.status?.message).toMatch(
      new RegExp(
        `^relay: (management server mgmt\\.in-process\\.test \\(127\\.0\\.0\\.1:${port}\\) unavailable|cannot reach management server mgmt\\.in-process\\.test \\(127\\.0\\.0\\.1:${port}\\)): connection to 127\\.0\\.0\\.1:${port} refused`,
      ),
    );
    const st = relay.status();
    expect(st.healthStatus).toBe('UNHEALTHY');
    expect(st.reasons.join(' ')).toContain(`management server mgmt.in-process.test is NOT_CONNECTED: connection to 127.0.0.1:${port} refused`);

    await stub(port);
    await relay.waitFor(() => relay.status().upstream.state === 'CONNECTED', 1000, 'the reconnection');
    const ok = grpcCall(relay.connect(), ADS);
    ok.stream.write(grpcFrame(Buffer.from('back')));
    expect((await nextData(ok.stream)).subarray(5).toString()).toBe('back');
    ok.stream.end();
    expect((await ok.outcome).status?.code).toBe(GrpcStatus.OK);
    expect(relay.status().healthStatus).toBe('HEALTHY');
  });

  it('RELAY_MAX_CONNECTION_DURATION recycles the connection by draining: the old stream lives on, new ones use the new connection', async () => {
    const mgmt = await stub();
    const relay = await start({ port: mgmt.port, env: { RELAY_MAX_CONNECTION_DURATION: '150ms' }, upstream: { random: () => 0 } });
    const old = grpcCall(relay.connect(), ADS);
    old.stream.write(grpcFrame(Buffer.from('old')));
    await nextData(old.stream);
    await relay.waitFor(() => relay.status().upstream.connects === 2, 1000, 'the recycling');
    expect(relay.status().upstream.drainingConnections).toBe(1);

    old.stream.write(grpcFrame(Buffer.from('still here')));
    expect((await nextData(old.stream)).subarray(5).toString()).toBe('still here');
    const fresh = grpcCall(relay.connect(), ADS);
    fresh.stream.write(grpcFrame(Buffer.from('new')));
    await nextData(fresh.stream);
    expect(mgmt.streams.map((s) => s.connection)).toEqual([0, 1]);
    for (const c of [old, fresh]) {
      c.stream.end();
      expect((await c.outcome).status?.code).toBe(GrpcStatus.OK);
    }
  });
});
