import type { AdminListen } from '../../admin/config';
import { readAdminListen } from '../../admin/config';
import type { EnvReader } from '../../common/env';
import type { LogLevel } from '../../common/logger';
import { AGENT_SETTINGS, ENVOY_LOG_LEVELS, type EnvoyLogLevel, HEALTH_POLL_MS } from './agent-settings';
import type { AgentFlags } from './flags';

export { ENVOY_ADMIN_UDS_PATH, ENVOY_LOG_LEVELS, type EnvoyLogLevel } from './agent-settings';

const S = AGENT_SETTINGS;

/** ENVOY_ADMIN_UDS_PATH (an appnet extension; the reference hard-wires /tmp/envoy_admin.sock). */
export function envoyAdminUdsPath(r: EnvReader): string {
  return S.envoyAdminUdsPath.read(r);
}

/** How the agent runs and supervises Envoy (the reference's "agent operation" variables). */
export interface AgentConfig {
  /** The agent's admin API; undefined when APPNET_AGENT_ADMIN_MODE is unset. */
  adminApi: AdminListen | undefined;
  loggingResetTimeoutS: number;
  readinessIntervalS: number;
  /** 0 = one attempt; negative = poll forever. */
  readinessTimeoutS: number;
  envoyRestartCount: number;
  pidPollIntervalMs: number;
  healthPollIntervalMs: number;
  disconnectedTimeoutS: number;
  drainWaitS: number;
  envoyAdmin: { mode: 'tcp' | 'uds'; port: number; udsPath: string };
  envoyLogLevel: EnvoyLogLevel;
  envoyConcurrency: number;
  disableHotRestart: boolean;
  skipDeprecatedLogs: boolean;
  /** From -envoyConfigPath or ENVOY_CONFIG_FILE; undefined = a new temp file. */
  envoyConfigFile: string | undefined;
  envoyBin: string;
  statsSnapshot: boolean;
  statsSnapshotIntervalMs: number;
  log: { destination: string | undefined; name: string; maxFileBytes: number; retention: number };
  xdsEndpoint: string | undefined;
  relayMode: boolean;
  readinessProbe: boolean;
  /** The agent's own log level: APPNET_LOG_LEVEL, else derived from ENVOY_LOG_LEVEL. */
  agentLogLevel: LogLevel;
}

/** ENVOY_LOG_LEVEL -> the agent's level (warning/critical/off work too, unlike the reference). */
const AGENT_LEVEL: Record<EnvoyLogLevel, LogLevel> = { trace: 'trace', debug: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error', critical: 'error', off: 'error' };

/** HC_POLL_INTERVAL_MS, else APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S (seconds), else 10 s; 2-30 s. */
function healthPollIntervalMs(r: EnvReader): number {
  const hc = S.healthPollInterval;
  if (r.has(hc.env)) return hc.read(r);
  if (r.has(S.readinessInterval.env)) {
    const s = S.readinessInterval.read(r);
    // The reference uses it as the health interval too, falling back to 10 s when out of range.
    const ms = s * 1000;
    return ms >= HEALTH_POLL_MS.min && ms <= HEALTH_POLL_MS.max ? ms : hc.fallback;
  }
  return hc.fallback;
}

/** ENVOY_LOG_LEVEL, or -logLevel (which wins, and names itself in a problem); lower-cased, unlike the reference. */
function envoyLogLevel(r: EnvReader, flags: AgentFlags): EnvoyLogLevel {
  const setting = S.envoyLogLevel;
  const levelText = flags.logLevel ?? r.string(setting.env);
  if (levelText === undefined) return setting.fallback;
  const low = levelText.trim().toLowerCase();
  if ((ENVOY_LOG_LEVELS as readonly string[]).includes(low)) return low as EnvoyLogLevel;
  r.problem(flags.logLevel !== undefined ? setting.flag ?? setting.env : setting.env, levelText, `one of ${ENVOY_LOG_LEVELS.join(', ')}`);
  return setting.fallback;
}

export function readAgentConfig(r: EnvReader, flags: AgentFlags): AgentConfig {
  const level = envoyLogLevel(r, flags);
  const maxMb = S.maxLogFileSize.read(r);
  return {
    adminApi: readAdminListen(r),
    loggingResetTimeoutS: S.loggingResetTimeout.read(r),
    readinessIntervalS: S.readinessInterval.read(r),
    readinessTimeoutS: S.readinessTimeout.read(r),
    envoyRestartCount: S.restartCount.read(r),
    pidPollIntervalMs: S.pidPollInterval.read(r),
    healthPollIntervalMs: healthPollIntervalMs(r),
    disconnectedTimeoutS: S.disconnectedTimeout.read(r),
    drainWaitS: S.drainWait.read(r),
    envoyAdmin: {
      mode: S.envoyAdminMode.read(r),
      port: S.envoyAdminPort.read(r),
      udsPath: envoyAdminUdsPath(r),
    },
    envoyLogLevel: level,
    envoyConcurrency: S.envoyConcurrency.read(r),
    disableHotRestart: S.disableHotRestart.read(r),
    skipDeprecatedLogs: S.skipDeprecatedLogs.read(r),
    envoyConfigFile: flags.envoyConfigPath ?? S.envoyConfigFile.read(r),
    envoyBin: S.envoyBin.read(r),
    statsSnapshot: S.statsSnapshot.read(r),
    statsSnapshotIntervalMs: S.statsSnapshotInterval.read(r),
    log: {
      destination: S.logDestination.read(r),
      name: S.logName.read(r),
      maxFileBytes: Math.round(maxMb * 1_048_576),
      retention: S.maxRetention.read(r),
    },
    xdsEndpoint: S.xdsEndpoint.read(r),
    relayMode: S.relayMode.read(r),
    readinessProbe: flags.envoyReadiness,
    agentLogLevel: S.agentLogLevel.read(r, { fallback: AGENT_LEVEL[level] }),
  };
}
