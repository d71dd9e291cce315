import type { AdminListen } from '../../admin/config';
import { checkSocketPath, readAdminListen } from '../../admin/config';
import type { EnvReader } from '../../common/env';
import { LOG_LEVELS, type LogLevel } from '../../common/logger';
import type { AgentFlags } from './flags';

/** Envoy's log levels (`-l`), as the reference accepts them. */
export const ENVOY_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'warning', 'error', 'critical', 'off'] as const;
export type EnvoyLogLevel = (typeof ENVOY_LOG_LEVELS)[number];

export const ENVOY_ADMIN_UDS_PATH = '/tmp/envoy_admin.sock';

/** ENVOY_ADMIN_UDS_PATH (an appnet extension; the reference hard-wires /tmp/envoy_admin.sock). */
export function envoyAdminUdsPath(r: EnvReader): string {
  const p = r.string('ENVOY_ADMIN_UDS_PATH', ENVOY_ADMIN_UDS_PATH);
  checkSocketPath(r, 'ENVOY_ADMIN_UDS_PATH', p);
  return p;
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
  if (r.has('HC_POLL_INTERVAL_MS')) return r.int('HC_POLL_INTERVAL_MS', 10_000, { min: 2000, max: 30_000 });
  if (r.has('APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S')) {
    const s = r.int('APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S', 5, { min: 0 });
    // The reference uses it as the health interval too, falling back to 10 s when out of range.
    return s * 1000 >= 2000 && s * 1000 <= 30_000 ? s * 1000 : 10_000;
  }
  return 10_000;
}

export function readAgentConfig(r: EnvReader, flags: AgentFlags): AgentConfig {
  const levelText = flags.logLevel ?? r.string('ENVOY_LOG_LEVEL');
  let envoyLogLevel: EnvoyLogLevel = 'info';
  if (levelText !== undefined) {
    const low = levelText.trim().toLowerCase();
    if ((ENVOY_LOG_LEVELS as readonly string[]).includes(low)) envoyLogLevel = low as EnvoyLogLevel;
    else r.problem(flags.logLevel !== undefined ? '-logLevel' : 'ENVOY_LOG_LEVEL', levelText, `one of ${ENVOY_LOG_LEVELS.join(', ')}`);
  }
  const maxMb = r.number('APPNET_AGENT_MAX_LOG_FILE_SIZE', 1.0, { exclusiveMin: 0, max: 10_240 });
  return {
    adminApi: readAdminListen(r),
    loggingResetTimeoutS: r.int('APPNET_AGENT_LOGGING_RESET_TIMEOUT', 300, { min: 1 }),
    readinessIntervalS: r.int('APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S', 5, { min: 0 }),
    readinessTimeoutS: r.int('APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S', 180),
    envoyRestartCount: r.int('APPNET_ENVOY_RESTART_COUNT', 3, { min: 0, max: 10 }),
    pidPollIntervalMs: r.int('PID_POLL_INTERVAL_MS', 100, { min: 100, max: 1000 }),
    healthPollIntervalMs: healthPollIntervalMs(r),
    disconnectedTimeoutS: r.int('HC_DISCONNECTED_TIMEOUT_S', 604_800, { min: 3600, max: 604_800 }),
    drainWaitS: r.int('LISTENER_DRAIN_WAIT_TIME_S', 20, { min: 5, max: 110 }),
    envoyAdmin: {
      mode: r.oneOf('ENVOY_ADMIN_MODE', ['tcp', 'uds'] as const, 'tcp'),
      port: r.port('ENVOY_ADMIN_ACCESS_PORT', 9901),
      udsPath: envoyAdminUdsPath(r),
    },
    envoyLogLevel,
    envoyConcurrency: r.int('ENVOY_CONCURRENCY', -1, { min: -1 }),
    disableHotRestart: r.bool('DISABLE_HOT_RESTART', true),
    skipDeprecatedLogs: r.bool('ENVOY_SKIP_DEPRECATED_LOGS', true),
    envoyConfigFile: flags.envoyConfigPath ?? r.string('ENVOY_CONFIG_FILE'),
    envoyBin: r.string('ENVOY_BIN', '/usr/bin/envoy'),
    statsSnapshot: r.bool('ENABLE_STATS_SNAPSHOT', false),
    statsSnapshotIntervalMs: r.durationMs('APPNET_STATS_SNAPSHOT_INTERVAL', 60_000, { maxMs: 3_600_000 }),
    log: {
      destination: r.string('APPNET_ENVOY_LOG_DESTINATION'),
      name: r.string('APPNET_ENVOY_LOG_NAME', 'appnet_envoy.log'),
      maxFileBytes: Math.round(maxMb * 1_048_576),
      retention: r.int('APPNET_AGENT_MAX_RETENTION_COUNT', 5, { min: 1, max: 1000 }),
    },
    xdsEndpoint: r.string('APPMESH_XDS_ENDPOINT'),
    relayMode: r.bool('APPNET_ENABLE_RELAY_MODE_FOR_XDS', false),
    readinessProbe: flags.envoyReadiness,
    agentLogLevel: r.oneOf('APPNET_LOG_LEVEL', LOG_LEVELS, AGENT_LEVEL[envoyLogLevel]),
  };
}
