import { type Env, EnvReader } from '../../common/env';
import { type AgentConfig, readAgentConfig } from './agent-config';
import { AGENT_SETTINGS } from './agent-settings';
import { type BootstrapConfig, readBootstrapConfig } from './bootstrap-config';
import { type AgentFlags, parseAgentFlags } from './flags';

export type { AgentConfig, EnvoyLogLevel } from './agent-config';
export type { BootstrapConfig } from './bootstrap-config';
export type { AgentFlags } from './flags';
export { agentHelp } from './help';

export interface SidecarConfig {
  agent: AgentConfig;
  /** Present when a bootstrap is to be generated. */
  bootstrap: BootstrapConfig | undefined;
  flags: AgentFlags;
}

export interface LoadOptions {
  /**
   * Whether the bootstrap variables matter: false when the config file already has
   * content (used as is, as the reference does) or in relay mode.
   */
  generateBootstrap: boolean;
}

/**
 * Environment + command line -> typed configuration. Every bad value, in either
 * family, is reported at once in one ConfigError naming each variable and the
 * accepted form; nothing falls back silently.
 */
export function loadSidecarConfig(env: Env, argv: readonly string[], opts: LoadOptions): SidecarConfig {
  const r = new EnvReader(env);
  const flags = parseAgentFlags(argv);
  const agent = readAgentConfig(r, flags);
  const bootstrap = opts.generateBootstrap && !agent.relayMode ? readBootstrapConfig(r) : undefined;
  if (bootstrap && !bootstrap.tracing.configFile) {
    const on = (['xray', 'datadog', 'jaeger'] as const).filter((t) => bootstrap.tracing[t].enabled);
    if (on.length > 1) {
      const names = { xray: 'ENABLE_ENVOY_XRAY_TRACING', datadog: 'ENABLE_ENVOY_DATADOG_TRACING', jaeger: 'ENABLE_ENVOY_JAEGER_TRACING' };
      r.problem(names[on[1]!], 'true', `only one trace driver at a time (${on.map((t) => names[t]).join(' and ')} are both set)`);
    }
  }
  r.finish();
  return { agent, bootstrap, flags };
}

/** Peek at the two switches that decide what else must be read (before the full load). */
export function peekMode(env: Env, argv: readonly string[]): { relayMode: boolean; configPath: string | undefined; readinessProbe: boolean } {
  const flags = parseAgentFlags(argv);
  // Its own reader: a bad value here is reported by the full load, not by the peek.
  const r = new EnvReader(env);
  return {
    relayMode: AGENT_SETTINGS.relayMode.read(r),
    configPath: flags.envoyConfigPath ?? AGENT_SETTINGS.envoyConfigFile.read(r),
    readinessProbe: flags.envoyReadiness,
  };
}
