import { AgentStatusSchema } from '../common/contracts/agent-status';
import { isObject as isObj } from '../common/json-object';
import { NotThatDocumentError, issuesText } from './relay-document';
import { parseSeconds } from './text-format';

/** The agent's /status (README "Agent admin API"), parsed with its one definition, into a stable report. Pure. */

export const AGENT_REPORT_SCHEMA = 'appnet-status/agent/v1';

export interface AgentReport {
  schema: typeof AGENT_REPORT_SCHEMA;
  address: string;
  healthStatus: string;
  reasons: string[];
  uptimeSeconds: number | null;
  envoy: {
    state: string | null;
    pid: number | null;
    restartCount: number | null;
    lastExit: { pid: number | null; code: number | null; signal: string | null; at: string | null; action: string | null } | null;
  };
  controlPlane: { connection: string | null; disconnectedSince: string | null };
  readiness: { envoyReadinessState: string | null; initialConfigUpdateStatus: string | null };
  /** Behind a relay socket: the relay and the control plane behind it, from the relay's health service. */
  relay: { socket: string | null; relay: string | null; controlPlane: string | null; checkedAt: string | null; error: string | null } | null;
}

export function agentReport(v: unknown, address: string): AgentReport {
  if (!isObj(v)) throw new NotThatDocumentError('the answer is not a JSON object');
  if (typeof v['healthStatus'] !== 'string' || !('envoyState' in v)) {
    if (Array.isArray(v['activeStreams'])) throw new NotThatDocumentError("this is an appnet-relay's /status, not an agent's: use --relay");
    throw new NotThatDocumentError('the answer is not an appnet-agent /status document (no healthStatus and envoyState)');
  }
  const parsed = AgentStatusSchema.safeParse(v);
  if (!parsed.success) throw new NotThatDocumentError(`the agent's /status is not what this version reads: ${issuesText(parsed.error)}`);
  const d = parsed.data;
  const pid = Number(d.envoyPid);
  const restarts = Number(d.envoyRestartCount);
  const exit = d.envoyLastExit;
  return {
    schema: AGENT_REPORT_SCHEMA,
    address,
    healthStatus: d.healthStatus,
    reasons: d.reasons,
    uptimeSeconds: parseSeconds(d.agentUptime),
    envoy: {
      state: d.envoyState,
      // The agent says "-1" while Envoy has no process (starting, or between restarts).
      pid: Number.isInteger(pid) && pid > 0 ? pid : null,
      restartCount: Number.isInteger(restarts) ? restarts : null,
      lastExit: exit ? { pid: exit.pid, code: exit.code, signal: exit.signal, at: exit.at, action: exit.action } : null,
    },
    controlPlane: { connection: d.managementServerConnectionStatus ?? null, disconnectedSince: d.managementServerDisconnectedTimestamp ?? null },
    readiness: { envoyReadinessState: d.envoyReadinessState, initialConfigUpdateStatus: d.initialConfigUpdateStatus ?? null },
    relay: d.relay ? { ...d.relay } : null,
  };
}
