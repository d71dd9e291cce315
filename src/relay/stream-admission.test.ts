import { afterEach, describe, expect, it } from 'vitest';
import { InProcessRelay, type InProcessRelayOptions, RelayRigs, closedPort, grpcCall, grpcFrame, nextData } from '../../test/fixtures/relay-in-process';
import type { UpstreamState } from '../common/contracts/relay-status';
import { GrpcStatus } from '../common/grpc-status';
import { AdsPath } from '../common/xds/vocabulary';
import { decideAdmission } from './stream-admission';

const ADS = AdsPath.sotw;
const LIMIT = 'RELAY_MAX_NEW_STREAMS_PER_SECOND=7';

describe('decideAdmission', () => {
  const upstream = (state: UpstreamState) => ({ state, unavailableMessage: () => `down: ${state}` });
  /** A reservation that answers `delay` and counts how often it was asked. */
  const reserving = (delay: number | undefined) => {
    const r = { calls: 0, reserve: (): number | undefined => (r.calls++, delay) };
    return r;
  };

  it('refuses at once while the upstream is NOT_CONNECTED, with its reason, and spends no token', () => {
    const r = reserving(0);
    expect(decideAdmission(upstream('NOT_CONNECTED'), r.reserve, LIMIT)).toEqual({ admit: false, outcome: 'upstream_unavailable', message: 'down: NOT_CONNECTED' });
    expect(r.calls).toBe(0);
  });

  it('admits now, or after the delay of its token, while the upstream is connected or connecting', () => {
    for (const state of ['CONNECTED', 'CONNECTING'] as const) {
      expect(decideAdmission(upstream(state), reserving(0).reserve, LIMIT)).toEqual({ admit: true, delayMs: 0 });
      expect(decideAdmission(upstream(state), reserving(2500).reserve, LIMIT)).toEqual({ admit: true, delayMs: 2500 });
    }
  });

  it('refuses when the token would come too late, naming the setting', () => {
    const r = reserving(undefined);
    expect(decideAdmission(upstream('CONNECTED'), r.reserve, LIMIT)).toEqual({
      admit: false,
      outcome: 'rejected',
      message: 'relay: too many new streams (RELAY_MAX_NEW_STREAMS_PER_SECOND=7); retry later',
    });
    expect(r.calls).toBe(1);
  });
});

describe('a stream refused at admission (in process)', () => {
  const rigs = new RelayRigs();
  afterEach(() => rigs.closeAll());
  const start = (o: InProcessRelayOptions): Promise<InProcessRelay> => rigs.relay(o);

  it('gets trailers-only UNAVAILABLE saying why, and is never counted active', async () => {
    const mgmt = await rigs.stub();
    // 0.1/s, burst 1: the first stream now, the second after 10 s (it waits), the third (20 s) is refused.
    const relay = await start({ port: mgmt.port, env: { RELAY_MAX_NEW_STREAMS_PER_SECOND: '0.1' } });
    const client = relay.connect();
    const first = grpcCall(client, ADS);
    first.stream.write(grpcFrame(Buffer.from('a')));
    await nextData(first.stream);
    const waiting = grpcCall(client, ADS);
    await relay.waitFor(() => relay.status().streams.active === 2, 2000, 'the second stream waiting for its token');

    const refused = grpcCall(client, ADS);
    refused.stream.write(grpcFrame(Buffer.from('c')));
    const out = await refused.outcome;
    expect(out.trailersOnly).toBe(true);
    expect(out.status).toEqual({ code: GrpcStatus.UNAVAILABLE, message: 'relay: too many new streams (RELAY_MAX_NEW_STREAMS_PER_SECOND=0.1); retry later' });
    // The client has its answer but its stream is not closed at the relay yet (its END_STREAM is still
    // on the way): a refused stream must not show as active even then.
    const st = relay.status();
    expect(st.streams).toMatchObject({ active: 2, total: 3 });
    expect(st.activeStreams.map((s) => s.phase).sort()).toEqual(['admitting', 'streaming']);
    expect(relay.relay.metrics.streamsActive).toBe(2);
    const text = await relay.relay.metrics.text();
    expect(text).toContain('appnet_relay_rejected_requests_total{reason="rate_limited"} 1');
    expect(text).toContain('appnet_relay_streams_total{outcome="rejected"} 1');
    expect(mgmt.streams).toHaveLength(1); // only the first reached the management server
    for (const c of [first, waiting]) c.stream.close();
  });

  it('while the upstream is down: refused at once with the reason, never active', async () => {
    const port = await closedPort();
    const relay = await start({ port, noWait: true, upstream: { backoff: { initialMs: 1000, maxMs: 1000, multiplier: 1, jitter: 0 } } });
    await relay.waitFor(() => relay.status().upstream.failures >= 1, 2000, 'the first failed attempt');
    const call = grpcCall(relay.connect(), ADS);
    call.stream.write(grpcFrame(Buffer.from('x')));
    const out = await call.outcome;
    expect(out.trailersOnly).toBe(true);
    expect(out.status?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(out.status?.message).toMatch(/^relay: management server mgmt\.in-process\.test \(127\.0\.0\.1:\d+\) unavailable: connection to 127\.0\.0\.1:\d+ refused; next attempt in 1s$/);
    expect(relay.status().streams).toMatchObject({ active: 0, total: 1 });
    expect(await relay.relay.metrics.text()).toContain('appnet_relay_streams_total{outcome="upstream_unavailable"} 1');
  });
});
