import { ADMIN_SETTINGS } from '../../admin/config';
import { LOG_LEVELS } from '../../common/logger';
import { type SettingDoc, bool, choice, custom, decimal, duration, int, port, socketPath, text } from '../../common/settings';
import { CONFIG_PATH_FLAG, LOG_LEVEL_FLAG } from './flags';

/** Envoy's log levels (`-l`), as the reference accepts them. */
export const ENVOY_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'warning', 'error', 'critical', 'off'] as const;
export type EnvoyLogLevel = (typeof ENVOY_LOG_LEVELS)[number];

export const ENVOY_ADMIN_UDS_PATH = '/tmp/envoy_admin.sock';

/** HC_POLL_INTERVAL_MS's range, which also bounds the readiness interval when it stands in for it. */
export const HEALTH_POLL_MS = { min: 2000, max: 30_000 } as const;

/**
 * The agent's operation variables (always read), each declared once: readAgentConfig reads
 * them, `appnet-agent --help` and the README's "Agent configuration" table come from here.
 * The Envoy admin variables and APPMESH_XDS_ENDPOINT are read by the bootstrap too.
 */
export const AGENT_SETTINGS = {
  ...ADMIN_SETTINGS,
  loggingResetTimeout: int({
    env: 'APPNET_AGENT_LOGGING_RESET_TIMEOUT',
    default: 300,
    min: 1,
    unit: 'seconds',
    help: 'when a temporary `/enableLogging` change reverts',
  }),
  readinessInterval: int({
    env: 'APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S',
    default: 5,
    min: 0,
    help: 'readiness-probe interval in seconds (`0` = one attempt); the health interval when `HC_POLL_INTERVAL_MS` is unset (if within 2–30 s)',
  }),
  readinessTimeout: int({
    env: 'APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S',
    default: 180,
    help: 'readiness-probe timeout in seconds; `0` = one attempt, negative = forever',
  }),
  restartCount: int({ env: 'APPNET_ENVOY_RESTART_COUNT', default: 3, min: 0, max: 10, help: 'restarts after the first start' }),
  pidPollInterval: int({
    env: 'PID_POLL_INTERVAL_MS',
    default: 100,
    min: 100,
    max: 1000,
    help: "accepted for compatibility; Envoy's exit is an event here, not polled",
  }),
  healthPollInterval: int({
    env: 'HC_POLL_INTERVAL_MS',
    default: 10_000,
    ...HEALTH_POLL_MS,
    shown: '`10000`, or from `APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S`',
    help: 'health poll period in milliseconds (every second until Envoy is first LIVE)',
  }),
  disconnectedTimeout: int({
    env: 'HC_DISCONNECTED_TIMEOUT_S',
    default: 604_800,
    min: 3600,
    max: 604_800,
    help: 'how long (seconds) a control-plane disconnection is tolerated before `UNHEALTHY`',
  }),
  drainWait: int({ env: 'LISTENER_DRAIN_WAIT_TIME_S', default: 20, min: 5, max: 110, help: "Envoy's `--drain-time-s` and the longest drain on shutdown (seconds)" }),
  envoyAdminMode: choice({ env: 'ENVOY_ADMIN_MODE', choices: ['tcp', 'uds'] as const, default: 'tcp', help: "how Envoy's admin is bound and reached" }),
  envoyAdminPort: port({ env: 'ENVOY_ADMIN_ACCESS_PORT', default: 9901, help: 'Envoy admin port' }),
  envoyAdminUdsPath: socketPath({
    env: 'ENVOY_ADMIN_UDS_PATH',
    default: ENVOY_ADMIN_UDS_PATH,
    help: "*appnet extension*: Envoy's admin socket in `uds` mode (pre-created with mode 0600)",
  }),
  // Read by readAgentConfig itself: -logLevel wins over the variable and problems then name the flag.
  envoyLogLevel: choice({
    env: 'ENVOY_LOG_LEVEL',
    flag: LOG_LEVEL_FLAG,
    arg: '<level>',
    choices: ENVOY_LOG_LEVELS,
    default: 'info',
    help: "Envoy's `-l`; baseline of `/enableLogging`",
  }),
  envoyConcurrency: int({ env: 'ENVOY_CONCURRENCY', default: -1, min: -1, help: '`--concurrency N` when > 0' }),
  disableHotRestart: bool({ env: 'DISABLE_HOT_RESTART', default: true, help: '`--disable-hot-restart`' }),
  skipDeprecatedLogs: bool({ env: 'ENVOY_SKIP_DEPRECATED_LOGS', default: true, help: '`--skip-deprecated-logs`' }),
  envoyConfigFile: text({
    env: 'ENVOY_CONFIG_FILE',
    flag: CONFIG_PATH_FLAG,
    arg: '<path>',
    shown: 'a new temp file',
    form: 'path (symlinks followed)',
    help: 'the bootstrap; a file with content is used as is',
  }),
  envoyBin: text({ env: 'ENVOY_BIN', default: '/usr/bin/envoy', form: 'path', help: '*appnet extension*: the Envoy binary' }),
  statsSnapshot: bool({ env: 'ENABLE_STATS_SNAPSHOT', default: false, help: 'the stats snapshotter behind `?delta`' }),
  statsSnapshotInterval: duration({ env: 'APPNET_STATS_SNAPSHOT_INTERVAL', defaultMs: 60_000, maxMs: 3_600_000, help: '*appnet extension*: snapshot period' }),
  logDestination: text({
    env: 'APPNET_ENVOY_LOG_DESTINATION',
    shown: 'unset: stdout/stderr',
    form: 'an existing directory',
    help: "one file for the agent's and Envoy's output (appended, never truncated)",
  }),
  logName: text({ env: 'APPNET_ENVOY_LOG_NAME', default: 'appnet_envoy.log', form: 'file name', help: "the log file's name in that directory" }),
  maxLogFileSize: decimal({
    env: 'APPNET_AGENT_MAX_LOG_FILE_SIZE',
    default: 1.0,
    exclusiveMin: 0,
    max: 10_240,
    unit: 'MB',
    shown: '`1.0`',
    help: 'rotate (copy-truncate) past this size (1 MB = 1,048,576 bytes)',
  }),
  maxRetention: int({ env: 'APPNET_AGENT_MAX_RETENTION_COUNT', default: 5, min: 1, max: 1000, help: 'rotated copies kept' }),
  xdsEndpoint: custom({
    env: 'APPMESH_XDS_ENDPOINT',
    shown: 'derived',
    form: '`unix:///abs/path` (Service Connect: a relay socket, no TLS/signing) or `host:port` (App Mesh)',
    help: 'xDS endpoint',
  }),
  relayMode: bool({ env: 'APPNET_ENABLE_RELAY_MODE_FOR_XDS', default: false, help: "run the relay instead of a sidecar (the relay's variables then apply)" }),
  agentLogLevel: choice({
    env: 'APPNET_LOG_LEVEL',
    choices: LOG_LEVELS,
    default: 'info',
    shown: 'from `ENVOY_LOG_LEVEL`',
    help: "*appnet extension*: the agent's own log level (JSON lines)",
  }),
} as const;

/** The agent's operation table, in the README's order. */
export const AGENT_SETTINGS_TABLE: readonly SettingDoc[] = Object.values(AGENT_SETTINGS);
