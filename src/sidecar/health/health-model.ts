import type { RelayHealth } from './relay-health';

export type Connection = 'CONNECTED' | 'NOT_CONNECTED';
export type Readiness = 'NOT_INITIALIZED' | 'INITIALIZED';
export type InitialConfig = 'UPDATE_SUCCESSFUL' | 'UPDATE_FAILED';

/** One round of facts gathered by the poller. */
export interface HealthObservation {
  now: number;
  /** Body of Envoy's GET /ready (trimmed), or UNREACHABLE. */
  envoyState: string;
  /** Envoy's stats; undefined when the stats request failed. */
  stats?: { connectedState?: number; listenerCreateFailure?: number };
  /** Present when the xDS endpoint is a relay socket. */
  relay?: RelayHealth;
}

export interface HealthState {
  evaluatedAt: number | undefined;
  healthStatus: 'HEALTHY' | 'UNHEALTHY';
  envoyState: string;
  /** The management server as Envoy sees it, and, behind a relay, as the relay sees it. */
  connection: Connection | undefined;
  disconnectedSince: number | undefined;
  readiness: Readiness;
  initialConfig: InitialConfig | undefined;
  relay: RelayHealth | undefined;
  /** Why it is UNHEALTHY, or what is wrong while still tolerated; plain sentences. */
  reasons: string[];
}

export const INITIAL_HEALTH: HealthState = {
  evaluatedAt: undefined,
  healthStatus: 'UNHEALTHY',
  envoyState: 'UNKNOWN',
  connection: undefined,
  disconnectedSince: undefined,
  readiness: 'NOT_INITIALIZED',
  initialConfig: undefined,
  relay: undefined,
  reasons: ['not evaluated yet'],
};

/** Why /status is UNHEALTHY while the agent starts: its admin API is up, Envoy is not started yet. */
export const STARTING_REASON = 'the agent is starting: the Envoy bootstrap is being prepared, Envoy is not started yet';

/**
 * The health the agent reports between its admin API listening and Envoy being
 * spawned: nothing evaluated (envoyState UNKNOWN), saying why.
 */
export const STARTING_HEALTH: HealthState = { ...INITIAL_HEALTH, reasons: [STARTING_REASON] };

/** A new Envoy process: its initial configuration is judged again (the reference judges only the first). */
export function forNewEnvoy(s: HealthState): HealthState {
  return { ...s, readiness: 'NOT_INITIALIZED', initialConfig: undefined };
}

function connectionOf(prev: HealthState, o: HealthObservation): Connection | undefined {
  if (!o.stats) {
    // Stats unreadable: keep what we knew; a LIVE Envoy never seen connected counts as
    // disconnected from now (the reference crashes here).
    return prev.connection ?? (o.envoyState === 'LIVE' ? 'NOT_CONNECTED' : undefined);
  }
  const envoyConnected = o.stats.connectedState === 1;
  // Behind a relay, Envoy's own connected_state only says the local socket is up:
  // the control plane counts as connected only if the relay says its upstream is.
  if (o.relay) return envoyConnected && o.relay.controlPlane === 'SERVING' ? 'CONNECTED' : 'NOT_CONNECTED';
  return envoyConnected ? 'CONNECTED' : 'NOT_CONNECTED';
}

function relayReason(r: RelayHealth): string | undefined {
  if (r.relay === 'UNREACHABLE') return `the xDS relay on ${r.socket} is unreachable${r.error ? `: ${r.error}` : ''}`;
  if (r.relay !== 'SERVING') return `the xDS relay on ${r.socket} is ${r.relay}`;
  if (r.controlPlane !== 'SERVING') return `the xDS relay is up but its management server is ${r.controlPlane === 'NOT_SERVING' ? 'not connected' : r.controlPlane}`;
  return undefined;
}

/**
 * The reference's health model (docs/reference-agent/status-and-admin.md#one-evaluation),
 * with its holes closed: listener creation failures really are read, a LIVE Envoy whose
 * stats fail does not crash the evaluation, each new Envoy gets its initial config judged,
 * and behind a relay the control plane itself is checked through the relay's health
 * service.
 */
export function evaluateHealth(prev: HealthState, o: HealthObservation, disconnectedTimeoutMs: number): HealthState {
  const connection = connectionOf(prev, o);
  let disconnectedSince = prev.disconnectedSince;
  if (connection !== prev.connection) disconnectedSince = connection === 'NOT_CONNECTED' ? o.now : undefined;
  if (connection === 'NOT_CONNECTED' && disconnectedSince === undefined) disconnectedSince = o.now;

  let { readiness, initialConfig } = prev;
  if (readiness === 'NOT_INITIALIZED' && o.envoyState === 'LIVE') {
    initialConfig = (o.stats?.listenerCreateFailure ?? 0) > 0 ? 'UPDATE_FAILED' : 'UPDATE_SUCCESSFUL';
    readiness = 'INITIALIZED';
  }

  const reasons: string[] = [];
  let healthy = true;
  if (o.envoyState !== 'LIVE') {
    healthy = false;
    reasons.push(o.envoyState === 'UNREACHABLE' ? 'Envoy admin is unreachable' : `Envoy is ${o.envoyState}, not LIVE`);
  }
  if (initialConfig === 'UPDATE_FAILED') {
    healthy = false;
    reasons.push(`Envoy failed to create ${o.stats?.listenerCreateFailure ?? 'some'} listener(s) from its initial configuration`);
  }
  const why = o.relay ? relayReason(o.relay) : undefined;
  if (why) reasons.push(why);
  if (connection === 'NOT_CONNECTED') {
    const downMs = o.now - (disconnectedSince ?? o.now);
    const since = new Date(disconnectedSince ?? o.now).toISOString();
    if (downMs >= disconnectedTimeoutMs) {
      healthy = false;
      reasons.push(`not connected to the management server since ${since} (longer than HC_DISCONNECTED_TIMEOUT_S=${disconnectedTimeoutMs / 1000})`);
    } else reasons.push(`not connected to the management server since ${since} (tolerated for HC_DISCONNECTED_TIMEOUT_S=${disconnectedTimeoutMs / 1000})`);
  }
  return {
    evaluatedAt: o.now,
    healthStatus: healthy ? 'HEALTHY' : 'UNHEALTHY',
    envoyState: o.envoyState,
    connection,
    disconnectedSince,
    readiness,
    initialConfig,
    relay: o.relay,
    reasons,
  };
}
