#!/usr/bin/env node
/**
 * appnet-agent: runs beside Envoy in every task. Generates Envoy's bootstrap
 * from the environment, starts and supervises Envoy, and serves the admin API
 * (/status, /drain_listeners, /enableLogging, /stats/prometheus).
 * With APPNET_ENABLE_RELAY_MODE_FOR_XDS=1 it runs the xDS relay instead (one
 * image, both roles, as in ECS). `-envoyReadiness` runs a one-shot readiness probe;
 * `-help` (or -h, --help) prints the flags and every variable.
 */
import './v8-tuning'; // first: V8 flags apply to what is loaded after
import * as fs from 'node:fs';
import pino from 'pino';
import { ConfigError } from '../common/env';
import { createLogger, type Logger } from '../common/logger';
import { renderProblem } from '../common/problem';
import { Agent } from './agent';
import { type SidecarConfig, agentHelp, loadSidecarConfig, peekMode } from './config';
import { parseAgentFlags } from './config/flags';
import { RotatingLogFile } from './logging/rotating-file';

function die(message: string): never {
  process.stderr.write(`appnet-agent: ${message}\n`);
  process.exit(1);
}

function configOrDie(argv: string[], generateBootstrap: boolean): SidecarConfig {
  try {
    return loadSidecarConfig(process.env, argv, { generateBootstrap });
  } catch (err) {
    if (err instanceof ConfigError) die(err.message);
    throw err;
  }
}

/** An existing, non-empty config file is used as is: no bootstrap variables matter then. */
function hasContent(file: string | undefined): boolean {
  if (!file) return false;
  try {
    return fs.statSync(file).size > 0;
  } catch {
    return false;
  }
}

/**
 * env -> config -> bootstrap YAML written (or a non-empty file used as is); its path.
 * Runs once the admin API listens: the bootstrap generator and `yaml` are loaded
 * here, after the first /status can be answered (docs/agent-performance.md).
 */
async function prepareBootstrap(cfg: SidecarConfig, log: Logger): Promise<string> {
  const { prepareBootstrapFile, renderBootstrap } = await import('./bootstrap/index.js');
  const a = cfg.agent;
  try {
    const prepared = await prepareBootstrapFile({
      configPath: a.envoyConfigFile,
      pathSource: cfg.flags.envoyConfigPath !== undefined ? '-envoyConfigPath' : 'ENVOY_CONFIG_FILE',
      render: () => renderBootstrap(cfg.bootstrap!, { envoyBin: a.envoyBin, warn: (m) => log.warn(m) }),
    });
    log.info({ path: prepared.path, generated: prepared.generated }, prepared.generated ? 'wrote the Envoy bootstrap' : 'using the existing Envoy config as is');
    return prepared.path;
  } catch (err) {
    throw new Error(`cannot generate the Envoy bootstrap: ${(err as Error).message}`);
  }
}

export async function main(argv: string[]): Promise<void> {
  if (parseAgentFlags(argv).help) {
    process.stdout.write(agentHelp());
    return;
  }
  const mode = peekMode(process.env, argv);
  if (mode.relayMode && !mode.readinessProbe) {
    const { runRelay } = await import('../relay/main.js');
    await runRelay(process.env);
    return;
  }
  if (mode.readinessProbe) {
    const cfg = configOrDie(argv, false);
    const { runReadinessProbe } = await import('./readiness-probe.js');
    const code = await runReadinessProbe({ admin: cfg.agent.adminApi, intervalS: cfg.agent.readinessIntervalS, timeoutS: cfg.agent.readinessTimeoutS, out: (l) => process.stdout.write(`${l}\n`) });
    process.exit(code);
  }

  const cfg = configOrDie(argv, !hasContent(mode.configPath));
  for (const p of cfg.flags.problems) process.stderr.write(`appnet-agent: ignoring ${renderProblem(p)}\n`);
  const a = cfg.agent;
  let logFile: RotatingLogFile | undefined;
  if (a.log.destination) {
    try {
      logFile = RotatingLogFile.open({ dir: a.log.destination, name: a.log.name, maxBytes: a.log.maxFileBytes, retention: a.log.retention });
      logFile.start();
    } catch (err) {
      die((err as Error).message);
    }
  }
  const log: Logger = createLogger('appnet-agent', a.agentLogLevel, logFile ? pino.destination({ fd: logFile.fd, sync: false }) : undefined);

  let exitCode = 0;
  const finish = async (code: number) => {
    exitCode = code;
    logFile?.stop();
    log.flush?.();
    process.exit(exitCode);
  };
  const agent = new Agent(cfg, {
    log,
    env: process.env,
    envoyOutput: logFile ? logFile.fd : 'inherit',
    onFatal: (code, why) => {
      log.error(why);
      void agent.stopServices().then(() => finish(code));
    },
  });
  process.on('exit', () => agent.killEnvoyNow()); // never leave Envoy behind, whatever happens
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) return agent.hurry();
    void agent.shutdown(signal).then(() => finish(0));
  };
  for (const s of ['SIGTERM', 'SIGQUIT', 'SIGINT'] as const) process.on(s, () => onSignal(s));
  try {
    // The admin API listens first (/status says the agent is starting), then the bootstrap, then Envoy.
    await agent.start(() => prepareBootstrap(cfg, log));
  } catch (err) {
    const message = (err as Error).message;
    log.fatal({ err: message }, 'cannot start');
    process.stderr.write(`appnet-agent: cannot start: ${message}\n`);
    await agent.shutdown('startup failure'); // closes the admin API; no Envoy was started
    await finish(1);
  }
}

if (require.main === module) void main(process.argv.slice(2));
