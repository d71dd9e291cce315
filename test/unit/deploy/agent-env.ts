/**
 * Checks a container environment against what the agent image really reads: the same
 * loaders the processes run (loadRelayConfig, loadSidecarConfig), with the environment
 * wrapped so every variable they look at is recorded. A variable nobody reads is a typo or
 * a leftover, and is reported like a bad value.
 */
import * as fs from 'node:fs';
import { ConfigError } from '../../../src/common/env';
import { loadRelayConfig } from '../../../src/relay/config';
import { loadSidecarConfig, peekMode } from '../../../src/sidecar/config';

export type EnvMap = Record<string, string>;

/** Read by the AWS SDK credential chain (relay) or by Envoy's own signing (App Mesh direct mode). */
export const AWS_SDK_VARIABLES: ReadonlySet<string> = new Set([
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_DEFAULT_REGION',
]);

export interface AgentEnvReport {
  role: 'relay' | 'sidecar';
  problems: string[];
  /** Sidecar: the node id the bootstrap will carry. */
  nodeId?: string;
  /** Sidecar: APPMESH_XDS_ENDPOINT; relay: its listener socket. */
  xdsSocket?: string;
}

function recording(env: EnvMap, seen: Set<string>): Record<string, string | undefined> {
  return new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') seen.add(key);
      return (target as Record<string, string | undefined>)[key as string];
    },
  });
}

function attempt(what: string, problems: string[], fn: () => void): void {
  try {
    fn();
  } catch (err) {
    problems.push(err instanceof ConfigError ? `${what}: ${err.message}` : `${what}: ${(err as Error).message}`);
  }
}

/**
 * `image` = the image's ENV defaults, `container` = the container's own environment
 * (only its names are checked for being read). `healthcheckEnv` = variables the health
 * check command sets for the readiness probe (undefined: no probe health check).
 */
export function checkAgentEnv(image: EnvMap, container: EnvMap, healthcheckEnv?: EnvMap): AgentEnvReport {
  const env: EnvMap = { ...image, ...container };
  const seen = new Set<string>();
  const problems: string[] = [];
  const mode = peekMode(recording(env, seen), []);
  const report: AgentEnvReport = { role: mode.relayMode ? 'relay' : 'sidecar', problems };
  // Taken from the raw values so that one bad variable does not hide the wiring checks.
  const endpoint = env.APPMESH_XDS_ENDPOINT?.trim();
  report.xdsSocket = mode.relayMode ? env.APPNET_RELAY_LISTENER_UDS_PATH?.trim() || '/tmp/relay_xds.sock' : endpoint?.startsWith('unix://') ? endpoint.slice('unix://'.length) : undefined;

  if (mode.relayMode) {
    attempt('relay configuration', problems, () => {
      // Files named in the environment live in the container, not here.
      loadRelayConfig(recording(env, seen), { fileExists: () => true, fipsEnabled: false });
    });
  } else {
    attempt('sidecar configuration', problems, () => {
      const cfg = loadSidecarConfig(recording(env, seen), [], { generateBootstrap: true });
      report.nodeId = cfg.bootstrap?.node.id;
    });
  }
  if (healthcheckEnv !== undefined) {
    // `appnet-agent -envoyReadiness` runs in the same environment (both roles).
    attempt('readiness probe', problems, () => {
      const cfg = loadSidecarConfig(recording({ ...env, ...healthcheckEnv }, seen), ['-envoyReadiness'], { generateBootstrap: false });
      if (!cfg.agent.adminApi) problems.push('readiness probe: APPNET_AGENT_ADMIN_MODE is unset, so there is no /status to ask');
      if (cfg.agent.readinessTimeoutS !== 0) problems.push(`readiness probe: APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S=${cfg.agent.readinessTimeoutS}; a health check wants one attempt (0)`);
    });
  }
  for (const name of Object.keys(container)) {
    if (!seen.has(name) && !AWS_SDK_VARIABLES.has(name)) problems.push(`${name} is not read by the agent in ${report.role} mode (README "Agent configuration" / "Relay configuration")`);
  }
  return report;
}

/** `["CMD", "env", "A=B", ..., "node", ".../sidecar/main.js", "-envoyReadiness"]` -> {A: B}; undefined if not that probe. */
export function readinessProbeEnv(command: readonly string[]): EnvMap | undefined {
  const args = command[0] === 'CMD-SHELL' ? (command[1] ?? '').split(/\s+/).filter(Boolean) : command.slice(1);
  if (!args.includes('-envoyReadiness') || !args.some((a) => a.endsWith('/dist/src/sidecar/main.js'))) return undefined;
  const env: EnvMap = {};
  for (const a of args) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(a);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/** A Dockerfile's ENV defaults (KEY=value form, with line continuations) and its HEALTHCHECK command. */
export function readDockerfile(file: string): { env: EnvMap; healthcheck: string[] | undefined; user: string | undefined } {
  const text = fs.readFileSync(file, 'utf8').replace(/\\\r?\n/g, ' ');
  const env: EnvMap = {};
  let healthcheck: string[] | undefined;
  let user: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^\s*(ENV|HEALTHCHECK|USER)\s+(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'ENV') for (const [, k, v] of m[2]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S*)/g)) env[k!] = v!;
    if (m[1] === 'USER') user = m[2]!.trim();
    if (m[1] === 'HEALTHCHECK') {
      const cmd = /\bCMD\s+(\[.*\])\s*$/.exec(m[2]!);
      healthcheck = cmd ? ['CMD', ...(JSON.parse(cmd[1]!) as string[])] : undefined;
    }
  }
  return { env, healthcheck, user };
}
