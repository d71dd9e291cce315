import type { AgentStatus, EnvoyExit } from '../../common/contracts/agent-status';
import type { HealthState } from './health-model';

/** How the last Envoy process ended; `action` is what the agent did next: "restarted", "gave up (restart budget spent)", "stopping". */
export type { EnvoyExit } from '../../common/contracts/agent-status';

export interface StatusFacts {
  agentUptimeMs: number;
  envoyPid: number;
  envoyRestartCount: number;
  lastExit: EnvoyExit | undefined;
}

/**
 * GET /status: the reference's keys in its order, all strings
 * (docs/reference-agent/status-and-admin.md#status), then what the reference does not say:
 * the reasons, the relay and control plane behind it (relay deployments), and how the last
 * Envoy process ended.
 */
export function statusDocument(s: HealthState, f: StatusFacts): AgentStatus {
  const disconnected = s.connection === 'NOT_CONNECTED' && s.disconnectedSince !== undefined;
  // Key order is the reference's (scripts and eyes read it that way); optional keys are left out, not null.
  return {
    healthStatus: s.healthStatus,
    agentUptime: `${Math.round(f.agentUptimeMs / 1000)}s`,
    envoyPid: String(f.envoyPid),
    envoyState: s.envoyState,
    envoyRestartCount: String(f.envoyRestartCount),
    ...(s.connection ? { managementServerConnectionStatus: s.connection } : {}),
    ...(disconnected ? { managementServerDisconnectedTimestamp: new Date(s.disconnectedSince!).toISOString() } : {}),
    envoyReadinessState: s.readiness,
    ...(s.initialConfig ? { initialConfigUpdateStatus: s.initialConfig } : {}),
    reasons: s.reasons,
    ...(s.relay ? { relay: { socket: s.relay.socket, relay: s.relay.relay, controlPlane: s.relay.controlPlane, checkedAt: s.relay.checkedAt, error: s.relay.error } } : {}),
    ...(f.lastExit ? { envoyLastExit: f.lastExit } : {}),
  };
}
