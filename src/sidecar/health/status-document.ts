import type { HealthState } from './health-model';

export interface EnvoyExit {
  pid: number;
  code: number | null;
  signal: string | null;
  at: string;
  /** What the agent did next: "restarted", "gave up (restart budget spent)", "stopping". */
  action: string;
}

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
export function statusDocument(s: HealthState, f: StatusFacts): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    healthStatus: s.healthStatus,
    agentUptime: `${Math.round(f.agentUptimeMs / 1000)}s`,
    envoyPid: String(f.envoyPid),
    envoyState: s.envoyState,
    envoyRestartCount: String(f.envoyRestartCount),
  };
  if (s.connection) doc.managementServerConnectionStatus = s.connection;
  if (s.connection === 'NOT_CONNECTED' && s.disconnectedSince !== undefined) {
    doc.managementServerDisconnectedTimestamp = new Date(s.disconnectedSince).toISOString();
  }
  doc.envoyReadinessState = s.readiness;
  if (s.initialConfig) doc.initialConfigUpdateStatus = s.initialConfig;
  doc.reasons = s.reasons;
  if (s.relay) {
    doc.relay = { socket: s.relay.socket, relay: s.relay.relay, controlPlane: s.relay.controlPlane, checkedAt: s.relay.checkedAt, error: s.relay.error };
  }
  if (f.lastExit) doc.envoyLastExit = f.lastExit;
  return doc;
}
