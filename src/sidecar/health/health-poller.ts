import type { Logger } from '../../common/logger';
import { INITIAL_HEALTH, evaluateHealth, forNewEnvoy, type HealthState } from './health-model';
import type { RelayHealthChecker } from './relay-health';

/** The two Envoy admin calls the poller makes (EnvoyAdminClient provides them). */
export interface EnvoyAdminProbe {
  ready(timeoutMs?: number): Promise<{ status: number; body: string }>;
  statsJson(filter: string, timeoutMs?: number): Promise<Map<string, number>>;
}

/** Both stats in one request (the reference filters on the first only, so it never sees the second). */
export const HEALTH_STATS_FILTER = '^(control_plane\\.connected_state|listener_manager\\.listener_create_failure)$';
const STARTUP_INTERVAL_MS = 1000;
const TIMEOUT_MS = 2000;

export interface HealthPollerOptions {
  admin: EnvoyAdminProbe;
  relay?: RelayHealthChecker;
  intervalMs: number;
  disconnectedTimeoutMs: number;
  log: Logger;
  /** Fixed 10-49 ms added to each interval, chosen once (the reference's jitter). */
  jitterMs?: number;
  onChange?: (s: HealthState) => void;
}

/**
 * Polls Envoy (and the relay, if xDS goes through one) and keeps the latest
 * health. It evaluates at once on start (with Envoy's), every second until
 * Envoy is first LIVE, then every HC_POLL_INTERVAL_MS; and at once whenever the
 * supervisor says Envoy started or exited.
 */
export class HealthPoller {
  private state: HealthState = INITIAL_HEALTH;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<HealthState> | undefined;
  private running = false;
  private readonly jitterMs: number;

  constructor(private readonly o: HealthPollerOptions) {
    this.jitterMs = o.jitterMs ?? 10 + Math.floor(Math.random() * 40);
  }

  get current(): HealthState {
    return this.state;
  }

  start(): void {
    this.running = true;
    void this.poll();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.o.relay?.close();
  }

  /** A new Envoy process: judge its initial configuration afresh and look now. */
  envoyStarted(): void {
    this.state = forNewEnvoy(this.state);
    void this.poll();
  }

  envoyExited(): void {
    void this.poll();
  }

  /** One evaluation (shared with any already under way). */
  poll(): Promise<HealthState> {
    this.inflight ??= this.evaluate().finally(() => {
      this.inflight = undefined;
      this.schedule();
    });
    return this.inflight;
  }

  private schedule(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    const every = this.state.readiness === 'INITIALIZED' ? this.o.intervalMs : Math.min(this.o.intervalMs, STARTUP_INTERVAL_MS);
    this.timer = setTimeout(() => void this.poll(), every + this.jitterMs);
    this.timer.unref();
  }

  private async evaluate(): Promise<HealthState> {
    const { admin, relay } = this.o;
    const [ready, stats, relayHealth] = await Promise.all([
      admin.ready(TIMEOUT_MS).then(
        (r) => r.body.trim() || `HTTP ${r.status}`,
        () => 'UNREACHABLE',
      ),
      admin.statsJson(HEALTH_STATS_FILTER, TIMEOUT_MS).then(
        (m) => ({ connectedState: m.get('control_plane.connected_state'), listenerCreateFailure: m.get('listener_manager.listener_create_failure') }),
        () => undefined,
      ),
      relay?.check(TIMEOUT_MS / 2),
    ]);
    const before = this.state;
    this.state = evaluateHealth(
      before,
      { now: Date.now(), envoyState: ready, ...(stats ? { stats } : {}), ...(relayHealth ? { relay: relayHealth } : {}) },
      this.o.disconnectedTimeoutMs,
    );
    if (before.healthStatus !== this.state.healthStatus || before.connection !== this.state.connection) {
      this.o.log.info({ health: this.state.healthStatus, envoy: this.state.envoyState, connection: this.state.connection, reasons: this.state.reasons }, 'health changed');
      this.o.onChange?.(this.state);
    }
    return this.state;
  }
}
