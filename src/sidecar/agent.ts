import { AdminServer } from '../admin/server';
import type { StatsSnapshotter } from '../admin/prometheus/snapshotter';
import type { Logger } from '../common/logger';
import { LogLevelController } from './admin-api/log-level';
import { agentRoutes } from './admin-api/routes';
import { statsRoute } from './admin-api/stats-route';
import type { SidecarConfig } from './config';
import { EnvoyAdminClient } from './envoy-admin/client';
import { HealthPoller } from './health/health-poller';
import { RelayHealthChecker } from './health/relay-health';
import { STARTING_HEALTH } from './health/health-model';
import { statusDocument } from './health/status-document';
import { AgentMetrics } from './agent-metrics';
import type { AgentStatus } from '../common/contracts/agent-status';
import { precreateAdminSocket } from './supervisor/admin-socket';
import { envoyArgs } from './supervisor/envoy-command';
import { EnvoySupervisor } from './supervisor/envoy-supervisor';
import { drainAndStop, sumActiveConnections } from './supervisor/shutdown';

/** After SIGTERM, how long Envoy gets before SIGKILL (the reference's intended +3 s). */
const KILL_AFTER_MS = 3000;

export interface AgentDeps {
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** Envoy's stdout/stderr: inherited, or the log file's descriptor. */
  envoyOutput: 'inherit' | number;
  /** The agent has nothing left to do (restart budget spent); the shell exits with this code. */
  onFatal(code: number, why: string): void;
}

/**
 * Prepares Envoy's bootstrap (env -> config -> bootstrap YAML written) and
 * resolves with its path; rejects when it cannot be had.
 */
export type PrepareBootstrap = () => Promise<string>;

/** The xDS relay socket behind a `unix://` APPMESH_XDS_ENDPOINT (Service Connect), if any. */
export function relaySocketOf(xdsEndpoint: string | undefined): string | undefined {
  return xdsEndpoint?.startsWith('unix://') ? xdsEndpoint.slice('unix://'.length) : undefined;
}

/**
 * The sidecar agent, wired: Envoy under supervision, the health poller (and the
 * relay's health service behind a unix:// xDS endpoint), the log-level
 * controller, the stats snapshotter and the admin API. The admin API listens
 * first; the bootstrap is prepared and Envoy started after it (`start`), so
 * /status answers from the start, saying the agent is starting until Envoy is
 * spawned (docs/agent-performance.md).
 */
export class Agent {
  readonly envoyAdmin: EnvoyAdminClient;
  readonly supervisor: EnvoySupervisor;
  readonly health: HealthPoller;
  readonly logLevel: LogLevelController;
  /** Loaded and built at first use when ENABLE_STATS_SNAPSHOT is on (`snapshotter()`). */
  private snap: StatsSnapshotter | undefined;
  private snapLoad: Promise<StatsSnapshotter> | undefined;
  /** Set once the bootstrap is prepared, before Envoy's first start. */
  private bootstrapPath: string | undefined;
  /** True until Envoy is first spawned: /status says the agent is starting. */
  private starting = true;
  private readonly startedAt = Date.now();
  private readonly metrics = new AgentMetrics(() => this.status());
  private admin: AdminServer | undefined;
  private stopping: Promise<void> | undefined;
  private hurryUp: () => void = () => undefined;

  constructor(
    private readonly cfg: SidecarConfig,
    private readonly d: AgentDeps,
  ) {
    const a = cfg.agent;
    this.envoyAdmin = new EnvoyAdminClient(a.envoyAdmin);
    this.logLevel = new LogLevelController({
      baseline: a.envoyLogLevel,
      resetAfterMs: a.loggingResetTimeoutS * 1000,
      apply: async (level) => {
        // Envoy's /logging knows spdlog's names: "warning", not "warn" (which -l accepts).
        const r = await this.envoyAdmin.setLogLevel(level === 'warn' ? 'warning' : level);
        if (r.status !== 200) throw new Error(`Envoy answered ${r.status}: ${r.body.trim()}`);
      },
      onReset: (level, err) => (err ? d.log.warn({ level, err: err.message }, 'could not reset the Envoy log level') : d.log.info({ level }, 'reset the Envoy log level')),
    });
    const relaySocket = relaySocketOf(a.xdsEndpoint);
    this.health = new HealthPoller({
      admin: this.envoyAdmin,
      ...(relaySocket ? { relay: new RelayHealthChecker(relaySocket) } : {}),
      intervalMs: a.healthPollIntervalMs,
      disconnectedTimeoutMs: a.disconnectedTimeoutS * 1000,
      log: d.log,
    });
    this.supervisor = new EnvoySupervisor({
      bin: a.envoyBin,
      args: () => envoyArgs(a, this.bootstrapPath!, this.logLevel.baseline),
      restartBudget: a.envoyRestartCount,
      env: d.env,
      output: d.envoyOutput,
      log: d.log,
      onStart: () => {
        this.snap?.discardSnapshot();
        this.logLevel.envoyRestarted();
        this.health.envoyStarted();
      },
      onExit: () => this.health.envoyExited(),
      onGiveUp: (last) => d.onFatal(1, `Envoy exited ${last.signal ? `on ${last.signal}` : `with code ${last.code}`} and the restart budget (APPNET_ENVOY_RESTART_COUNT=${a.envoyRestartCount}) is spent`),
    });
  }

  /** The /status document; while starting, UNHEALTHY with envoyPid -1, envoyState UNKNOWN and the reason. */
  status(): AgentStatus {
    return statusDocument(this.starting ? STARTING_HEALTH : this.health.current, {
      agentUptimeMs: Date.now() - this.startedAt,
      envoyPid: this.supervisor.pid,
      envoyRestartCount: this.supervisor.restartCount,
      lastExit: this.supervisor.lastExit,
    });
  }

  /**
   * The admin API first (if its address cannot be had, this rejects before any
   * bootstrap or Envoy exists), then `prepare` writes the bootstrap, then Envoy,
   * the health poller and the snapshotter start. Rejects when `prepare` does (the
   * caller closes the admin API and exits). A shutdown while the bootstrap is
   * prepared ends the start there: no Envoy is spawned.
   */
  async start(prepare: PrepareBootstrap): Promise<void> {
    const a = this.cfg.agent;
    await this.startAdminApi();
    let bootstrapPath: string;
    try {
      bootstrapPath = await prepare();
    } catch (err) {
      if (this.stopping) return; // a signal came first: its shutdown decides the exit
      throw err;
    }
    if (this.stopping) return;
    if (a.envoyAdmin.mode === 'uds') await precreateAdminSocket(a.envoyAdmin.udsPath);
    if (this.stopping) return;
    this.bootstrapPath = bootstrapPath;
    this.starting = false;
    this.supervisor.start();
    this.health.start();
    const snapshotter = await this.snapshotter();
    if (!this.stopping) snapshotter?.start();
    this.d.log.info({ bootstrap: bootstrapPath, envoy: a.envoyBin, admin: this.admin?.address, relay: relaySocketOf(a.xdsEndpoint) }, 'agent started');
  }

  /**
   * The stats snapshotter when ENABLE_STATS_SNAPSHOT is on, loaded and built at
   * first use: after the first /status, with Envoy's start or at the first
   * `?delta` request (docs/agent-performance.md).
   */
  private snapshotter(): Promise<StatsSnapshotter | undefined> {
    const a = this.cfg.agent;
    if (!a.statsSnapshot) return Promise.resolve(undefined);
    this.snapLoad ??= import('../admin/prometheus/snapshotter.js').then(({ StatsSnapshotter }) => {
      this.snap = new StatsSnapshotter({
        fetch: async () => {
          const r = await this.envoyAdmin.prometheus({ usedonly: true, filter: 'appmesh' });
          if (r.status !== 200) throw new Error(`Envoy answered ${r.status}`);
          return r.body;
        },
        log: this.d.log,
        intervalMs: a.statsSnapshotIntervalMs,
      });
      return this.snap;
    });
    return this.snapLoad;
  }

  private async startAdminApi(): Promise<void> {
    const a = this.cfg.agent;
    if (a.adminApi) {
      this.admin = await AdminServer.start({
        listen: a.adminApi,
        log: this.d.log,
        routes: agentRoutes({
          status: () => this.status(),
          // 2 s per attempt: a retried drain that had only timed out would drain twice.
          drainEnvoy: (query) => this.envoyAdmin.request('POST', `/drain_listeners?${query}`, { timeoutMs: 2000, retry: true }),
          logLevel: this.logLevel,
          metrics: () => this.metrics.text(),
          stats: statsRoute({
            fetchLive: async ({ usedonly, appmeshOnly }) => {
              const r = await this.envoyAdmin.prometheus({ usedonly, ...(appmeshOnly ? { filter: 'appmesh' } : {}) });
              if (r.status !== 200) throw new Error(`Envoy answered ${r.status}`);
              return r.body;
            },
            snapshotter: () => this.snapshotter(),
            log: this.d.log,
          }),
          log: this.d.log,
        }),
      });
    }
  }

  /** SIGTERM & co.: drain Envoy, stop it for real, stop everything else. Idempotent. */
  shutdown(signal: string): Promise<void> {
    this.stopping ??= this.doShutdown(signal);
    return this.stopping;
  }

  /** A second signal: cut the drain short. */
  hurry(): void {
    this.hurryUp();
  }

  /** Last resort when the process is exiting anyway: never leave Envoy behind. */
  killEnvoyNow(): void {
    this.supervisor.killNow();
  }

  private async doShutdown(signal: string): Promise<void> {
    const a = this.cfg.agent;
    this.d.log.info({ signal }, this.supervisor.running ? 'shutting down: draining Envoy' : 'shutting down (no Envoy running)');
    const hurry = new Promise<void>((r) => (this.hurryUp = r));
    if (this.supervisor.running) {
      await drainAndStop(
        {
          drain: () => this.envoyAdmin.drainListeners('graceful'),
          activeConnections: async () => sumActiveConnections(await this.envoyAdmin.statsJson('^listener\\..*\\.downstream_cx_active$', 1000)),
          drainWaitMs: a.drainWaitS * 1000,
          stopEnvoy: () => this.supervisor.stop(KILL_AFTER_MS),
          log: this.d.log,
        },
        hurry,
      );
    } else await this.supervisor.stop(KILL_AFTER_MS);
    await this.stopServices();
    this.d.log.info('agent stopped');
  }

  /** Stop everything but Envoy (already gone). */
  async stopServices(): Promise<void> {
    this.health.stop();
    this.snap?.stop();
    this.logLevel.stop();
    await this.admin?.close();
  }
}
