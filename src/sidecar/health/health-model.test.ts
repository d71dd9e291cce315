import { describe, expect, it } from 'vitest';
import { INITIAL_HEALTH, evaluateHealth, forNewEnvoy, type HealthObservation, type HealthState } from './health-model';
import type { RelayHealth } from './relay-health';

const WEEK = 604_800_000;
const T0 = Date.parse('2026-11-21T00:00:00Z');
const live = (now: number, connectedState = 1, extra: Partial<HealthObservation> = {}): HealthObservation => ({ now, envoyState: 'LIVE', stats: { connectedState, listenerCreateFailure: 0 }, ...extra });
function run(obs: HealthObservation[], from: HealthState = INITIAL_HEALTH, timeout = WEEK): HealthState {
  return obs.reduce((s, o) => evaluateHealth(s, o, timeout), from);
}
const relay = (r: RelayHealth['relay'], cp: RelayHealth['controlPlane']): RelayHealth => ({ socket: '/tmp/relay_xds.sock', relay: r, controlPlane: cp, checkedAt: '', error: null });

describe('health model', () => {
  it('is HEALTHY when Envoy is LIVE and connected, and initializes once per Envoy', () => {
    const s = run([live(T0)]);
    expect(s).toMatchObject({ healthStatus: 'HEALTHY', connection: 'CONNECTED', readiness: 'INITIALIZED', initialConfig: 'UPDATE_SUCCESSFUL', disconnectedSince: undefined, reasons: [] });
  });

  it('is UNHEALTHY while Envoy is not LIVE, saying so', () => {
    expect(run([{ now: T0, envoyState: 'PRE_INITIALIZING', stats: { connectedState: 0 } }])).toMatchObject({ healthStatus: 'UNHEALTHY', readiness: 'NOT_INITIALIZED', reasons: [expect.stringMatching(/Envoy is PRE_INITIALIZING/), expect.stringMatching(/tolerated/)] });
    expect(run([{ now: T0, envoyState: 'UNREACHABLE' }]).reasons[0]).toBe('Envoy admin is unreachable');
  });

  it('really sees listener creation failures in the initial config (the reference never does)', () => {
    const s = run([{ now: T0, envoyState: 'LIVE', stats: { connectedState: 1, listenerCreateFailure: 2 } }]);
    expect(s).toMatchObject({ healthStatus: 'UNHEALTHY', initialConfig: 'UPDATE_FAILED' });
    expect(s.reasons).toEqual(['Envoy failed to create 2 listener(s) from its initial configuration']);
    // a new Envoy is judged again
    const again = run([live(T0 + 1000)], forNewEnvoy(s));
    expect(again).toMatchObject({ healthStatus: 'HEALTHY', initialConfig: 'UPDATE_SUCCESSFUL' });
  });

  it('tolerates a disconnection for HC_DISCONNECTED_TIMEOUT_S, counted from the first poll that saw it', () => {
    const hour = 3_600_000;
    const s1 = run([live(T0), live(T0 + 10_000, 0)], INITIAL_HEALTH, hour);
    expect(s1).toMatchObject({ healthStatus: 'HEALTHY', connection: 'NOT_CONNECTED', disconnectedSince: T0 + 10_000 });
    const s2 = evaluateHealth(s1, live(T0 + 10_000 + hour - 1, 0), hour);
    expect(s2.healthStatus).toBe('HEALTHY');
    const s3 = evaluateHealth(s2, live(T0 + 10_000 + hour, 0), hour);
    expect(s3.healthStatus).toBe('UNHEALTHY');
    expect(s3.reasons[0]).toMatch(/not connected to the management server since 2026-11-21T00:00:10.000Z \(longer than HC_DISCONNECTED_TIMEOUT_S=3600\)/);
    const s4 = evaluateHealth(s3, live(T0 + 2 * hour), hour);
    expect(s4).toMatchObject({ healthStatus: 'HEALTHY', connection: 'CONNECTED', disconnectedSince: undefined });
  });

  it('keeps the last connection status when stats fail, and treats a never-seen LIVE Envoy as disconnected from now', () => {
    const s = run([{ now: T0, envoyState: 'LIVE' }]);
    expect(s).toMatchObject({ connection: 'NOT_CONNECTED', disconnectedSince: T0, healthStatus: 'HEALTHY' });
    const s2 = run([live(T0), { now: T0 + 1, envoyState: 'LIVE' }]);
    expect(s2.connection).toBe('CONNECTED');
  });

  it('behind a relay, checks the control plane through it: Envoy connected to the relay is not enough', () => {
    const up = run([live(T0, 1, { relay: relay('SERVING', 'SERVING') })]);
    expect(up).toMatchObject({ connection: 'CONNECTED', healthStatus: 'HEALTHY', reasons: [] });
    const cpDown = evaluateHealth(up, live(T0 + 1000, 1, { relay: relay('SERVING', 'NOT_SERVING') }), WEEK);
    expect(cpDown).toMatchObject({ connection: 'NOT_CONNECTED', healthStatus: 'HEALTHY', disconnectedSince: T0 + 1000 });
    expect(cpDown.reasons).toEqual(['the xDS relay is up but its management server is not connected', 'not connected to the management server since 2026-11-21T00:00:01.000Z (tolerated for HC_DISCONNECTED_TIMEOUT_S=604800)']);
    const relayDown = evaluateHealth(cpDown, live(T0 + 2000, 0, { relay: { ...relay('UNREACHABLE', 'UNREACHABLE'), error: 'connect ENOENT /tmp/relay_xds.sock' } }), 1000);
    expect(relayDown.healthStatus).toBe('UNHEALTHY');
    expect(relayDown.reasons[0]).toBe('the xDS relay on /tmp/relay_xds.sock is unreachable: connect ENOENT /tmp/relay_xds.sock');
  });
});
