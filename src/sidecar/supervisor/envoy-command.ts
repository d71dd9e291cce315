import type { AgentConfig, EnvoyLogLevel } from '../config/agent-config';

/**
 * Envoy's command line (docs/reference-agent/status-and-admin.md#envoys-command-line):
 * -c, -l, --concurrency (when set), --drain-time-s,
 * --disable-hot-restart and --skip-deprecated-logs (both on by default).
 * The log level is the current baseline, so a permanent /enableLogging change
 * survives an Envoy restart.
 */
export function envoyArgs(cfg: AgentConfig, configPath: string, logLevel: EnvoyLogLevel): string[] {
  const args = ['-c', configPath, '-l', logLevel];
  if (cfg.envoyConcurrency > 0) args.push('--concurrency', String(cfg.envoyConcurrency));
  args.push('--drain-time-s', String(cfg.drainWaitS));
  if (cfg.disableHotRestart) args.push('--disable-hot-restart');
  if (cfg.skipDeprecatedLogs) args.push('--skip-deprecated-logs');
  return args;
}

/** How long to wait before restart number `n` (1-based): at once, then 1 s, 2 s, 4 s... at most 10 s. */
export function restartDelayMs(n: number): number {
  return n <= 1 ? 0 : Math.min(10_000, 1000 * 2 ** (n - 2));
}
