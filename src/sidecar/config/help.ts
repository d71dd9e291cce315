import { settingsHelp, wrap } from '../../common/settings-render';
import { AGENT_SETTINGS_TABLE } from './agent-settings';
import { BOOTSTRAP_SETTINGS_TABLE } from './bootstrap-settings';
import { CONFIG_PATH_FLAG, LOG_LEVEL_FLAG, READINESS_FLAG } from './flags';

const FLAGS: ReadonlyArray<[string, string]> = [
  [`${CONFIG_PATH_FLAG} <path>`, 'the Envoy config file (wins over ENVOY_CONFIG_FILE)'],
  [`${LOG_LEVEL_FLAG} <level>`, "Envoy's log level (wins over ENVOY_LOG_LEVEL)"],
  [READINESS_FLAG, "ask the running agent's /status until it is HEALTHY (exit 0) or the readiness timeout passes (exit 1); writes and generates nothing"],
  ['-help, -h', 'print this help and exit'],
];

/** `appnet-agent --help` (or -h, -help): the flags, then the agent's and the bootstrap's tables. Pure. */
export function agentHelp(width = 100): string {
  return [
    `Usage: appnet-agent [${CONFIG_PATH_FLAG} <path>] [${LOG_LEVEL_FLAG} <level>] [${READINESS_FLAG}] [-help]`,
    '',
    "Runs beside Envoy: generates Envoy's bootstrap from the environment, starts and supervises Envoy, and",
    'serves the admin API. With APPNET_ENABLE_RELAY_MODE_FOR_XDS=1 it runs the xDS relay instead (its',
    'variables: appnet-relay --help).',
    '',
    'Flags (Go style: one or two dashes, -name value or -name=value):',
    ...FLAGS.flatMap(([flag, help]) => wrap(help, width, `  ${flag.padEnd(26)}`, ' '.repeat(28))),
    '',
    "Durations take Envoy's form (300s, 1.5s, 250ms) unless noted; booleans accept 1/0, true/false, t/f,",
    'yes/no, on/off (any case). Every bad value is reported at once, and the agent exits 1.',
    '',
    'Operation (always read):',
    '',
    settingsHelp(AGENT_SETTINGS_TABLE, { width }).trimEnd(),
    '',
    'Bootstrap (read only when a bootstrap is generated):',
    '',
    settingsHelp(BOOTSTRAP_SETTINGS_TABLE, { width }).trimEnd(),
    '',
  ].join('\n');
}
