import { afterEach, describe, expect, it } from 'vitest';
import { type GrpcCall, InProcessRelay, type InProcessRelayOptions, RelayRigs, ManagementStub, type StubOptions, grpcCall, grpcFrame, nextData } from '../../test/fixtures/relay-in-process';
import { GrpcStatus } from '../common/grpc-status';
import { AdsPath } from '../common/xds/vocabulary';

/**
 * The relay's pool of upstream connections, in process with real HTTP/2 on
 * both hops: a server's SETTINGS_MAX_CONCURRENT_STREAMS never leaves a stream
 * waiting, RELAY_UPSTREAM_CONNECTIONS spreads streams, and one connection's
 * loss or recycling touches only its own streams.
 */

const ADS = AdsPath.sotw;

describe('the relay keeps a pool of upstream connections (in process)', () => {
  const rigs = new RelayRigs();
  afterEach(() => rigs.closeAll());
  const start = (o: InProcessRelayOptions): Promise<InProcessRelay> => rigs.relay(o);
  const stub = (o: StubOptions = {}): Promise<ManagementStub> => rigs.stub(o);
  /** A stream through the relay that has made a round trip to the server (echoed back). */
  async function roundTrip(relay: InProcessRelay, text: string): Promise<GrpcCall> {
    const call = grpcCall(relay.connect(), ADS);
    call.stream.write(grpcFrame(Buffer.from(text)));
    expect((await nextData(call.stream)).subarray(5).toString()).toBe(text);
    return call;
  }
  async function endOk(calls: GrpcCall[]): Promise<void> {
    for (const c of calls) {
      c.stream.end();
      expect((await c.outcome).status?.code).toBe(GrpcStatus.OK);
    }
  }

  it('a server advertising SETTINGS_MAX_CONCURRENT_STREAMS 2: five streams all reach it, over three connections (none waits for a slot)', async () => {
    const mgmt = await stub({ maxConcurrentStreams: 2 });
    const relay = await start({ port: mgmt.port, env: { RELAY_UPSTREAM_CONNECTIONS: '1' } });
    const calls = await Promise.all([1, 2, 3, 4, 5].map((n) => roundTrip(relay, `stream ${n}`)));
    expect(mgmt.sessions).toHaveLength(3);
    const perConnection = [0, 1, 2].map((k) => mgmt.streams.filter((s) => s.connection === k).length);
    expect(perConnection.sort()).toEqual([1, 2, 2]);
    const up = relay.status().upstream;
    expect(up.state).toBe('CONNECTED');
    expect(up.pool).toEqual({ size: 1, max: 128 });
    expect(up.connections?.map((c) => [c.streams, c.maxConcurrentStreams, c.draining]).sort()).toEqual([
      [1, 2, false],
      [2, 2, false],
      [2, 2, false],
    ]);
    await endOk(calls);
    await relay.waitFor(() => relay.status().upstream.connections?.every((c) => c.streams === 0), 1000, 'the streams to be released');
  });

  it('every connection at the server limit and the pool at RELAY_UPSTREAM_MAX_CONNECTIONS: a new stream is refused at once with UNAVAILABLE naming both limits; a freed slot is used again', async () => {
    const mgmt = await stub({ maxConcurrentStreams: 1 });
    const relay = await start({ port: mgmt.port, env: { RELAY_UPSTREAM_CONNECTIONS: '1', RELAY_UPSTREAM_MAX_CONNECTIONS: '2' } });
    const [a, b] = [await roundTrip(relay, 'a'), await roundTrip(relay, 'b')];
    const refused = grpcCall(relay.connect(), ADS);
    refused.stream.write(grpcFrame(Buffer.from('c')));
    const out = await refused.outcome;
    expect(out.trailersOnly).toBe(true);
    expect(out.status).toEqual({
      code: GrpcStatus.UNAVAILABLE,
      message:
        "relay: all 2 connections to management server mgmt.in-process.test are at the server's limit of 1 concurrent streams (SETTINGS_MAX_CONCURRENT_STREAMS) and the relay keeps at most 2 connections (RELAY_UPSTREAM_MAX_CONNECTIONS=2); retry later",
    });
    expect(mgmt.streams).toHaveLength(2);

    await endOk([a!]);
    await relay.waitFor(() => relay.status().upstream.connections?.some((c) => c.streams === 0), 1000, "a's slot to be given back");
    const again = await roundTrip(relay, 'c again');
    expect(mgmt.sessions).toHaveLength(2);
    await endOk([b!, again]);
  });

  it('RELAY_UPSTREAM_CONNECTIONS=3: streams are spread over three connections, the least loaded first', async () => {
    const mgmt = await stub();
    const relay = await start({ port: mgmt.port, env: { RELAY_UPSTREAM_CONNECTIONS: '3' } });
    expect(mgmt.sessions).toHaveLength(1); // one connection at start; the pool grows as streams come
    const calls: GrpcCall[] = [];
    for (let n = 0; n < 7; n++) calls.push(await roundTrip(relay, `s${n}`));
    expect(mgmt.sessions).toHaveLength(3);
    expect(mgmt.streams.map((s) => s.connection)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(relay.status().upstream.connections?.map((c) => c.streams)).toEqual([3, 2, 2]);
    await endOk(calls.slice(0, 4)); // connection 0 now carries 1 stream, 1 and 2 carry 2 and 1
    await relay.waitFor(() => relay.status().upstream.connections?.[0]?.streams === 1, 1000, 'the streams to be released');
    calls.push(await roundTrip(relay, 'least loaded'));
    expect(mgmt.streams.at(-1)?.connection).toBe(0);
    await endOk(calls.slice(4));
  });

  it('one connection lost: only its own streams end (UNAVAILABLE with the reason); the others go on and the relay stays CONNECTED', async () => {
    const mgmt = await stub();
    const relay = await start({ port: mgmt.port, env: { RELAY_UPSTREAM_CONNECTIONS: '3' } });
    const calls = [await roundTrip(relay, 'a'), await roundTrip(relay, 'b'), await roundTrip(relay, 'c')];
    expect(mgmt.streams.map((s) => s.connection)).toEqual([0, 1, 2]);
    mgmt.sessions[1]!.destroy(); // connection 1 cut, as a crashed replica would

    const lost = await calls[1]!.outcome;
    expect(lost.status?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(lost.status?.message).toMatch(/^relay: (connection to the management server was lost|the management server reset the stream)/);
    for (const [k, c] of [calls[0]!, calls[2]!].entries()) {
      c.stream.write(grpcFrame(Buffer.from(`still ${k}`)));
      expect((await nextData(c.stream)).subarray(5).toString()).toBe(`still ${k}`);
    }
    await relay.waitFor(() => relay.status().upstream.connections?.length === 2, 1000, 'the lost connection to leave the pool');
    const st = relay.status();
    expect(st.upstream.state).toBe('CONNECTED');
    expect(st.healthStatus).toBe('HEALTHY');
    const fresh = await roundTrip(relay, 'after the loss');
    expect(mgmt.sessions).toHaveLength(4); // the pool grew back to three connections for it
    await endOk([calls[0]!, calls[2]!, fresh]);
  });

  it('RELAY_MAX_CONNECTION_DURATION, jittered per connection: the connection that reaches it drains (its stream lives on) while new streams go elsewhere', async () => {
    const mgmt = await stub();
    // The jitter drawn for each connection's recycle time: the first connection 10 % early (2.7 s), the second on time (3 s).
    const draws = [1, 0];
    const relay = await start({ port: mgmt.port, env: { RELAY_UPSTREAM_CONNECTIONS: '2', RELAY_MAX_CONNECTION_DURATION: '3s' }, upstream: { random: () => draws.shift() ?? 0.5 } });
    const a = await roundTrip(relay, 'a');
    const b = await roundTrip(relay, 'b');
    expect(mgmt.streams.map((s) => s.connection)).toEqual([0, 1]);
    await relay.waitFor(() => relay.status().upstream.drainingConnections >= 1, 5000, 'the first connection to reach its max duration');
    const c = await roundTrip(relay, 'c');
    expect(mgmt.streams.at(-1)?.connection).not.toBe(0); // not on the draining connection
    a.stream.write(grpcFrame(Buffer.from('a, draining')));
    expect((await nextData(a.stream)).subarray(5).toString()).toBe('a, draining');
    expect(mgmt.streams.filter((s) => s.connection === 0)).toHaveLength(1);
    await endOk([a, b, c]);
    await relay.waitFor(() => !relay.status().upstream.connections?.some((x) => x.draining && x.streams === 0), 2000, 'the drained connections to close');
  });
});
