import { isObj, num, objOrNull, str, strings } from './json-read';
import { NotThatDocumentError } from './relay-document';
import { parseSeconds } from './text-format';

/** The agent's /status (README "Agent admin API") read defensively into a stable report. Pure. */

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
  const exit = objOrNull(v['envoyLastExit']);
  const relay = objOrNull(v['relay']);
  const pid = num(v['envoyPid']);
  return {
    schema: AGENT_REPORT_SCHEMA,
    address,
    healthStatus: v['healthStatus'],
    reasons: strings(v['reasons']),
    uptimeSeconds: parseSeconds(str(v['agentUptime'])),
    envoy: {
      state: str(v['envoyState']),
      // The agent says "0" before Envoy has a process.
      pid: pid !== null && pid > 0 ? pid : null,
      restartCount: num(v['envoyRestartCount']),
      lastExit: exit
        ? { pid: num(exit['pid']), code: num(exit['code']), signal: str(exit['signal']), at: str(exit['at']), action: str(exit['action']) }
        : null,
    },
    controlPlane: { connection: str(v['managementServerConnectionStatus']), disconnectedSince: str(v['managementServerDisconnectedTimestamp']) },
    readiness: { envoyReadinessState: str(v['envoyReadinessState']), initialConfigUpdateStatus: str(v['initialConfigUpdateStatus']) },
    relay: relay
      ? { socket: str(relay['socket']), relay: str(relay['relay']), controlPlane: str(relay['controlPlane']), checkedAt: str(relay['checkedAt']), error: str(relay['error']) }
      : null,
  };
}
