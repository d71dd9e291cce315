import type { Registry } from 'prom-client';
import type { AgentStatus } from '../common/contracts/agent-status';

type PromClient = typeof import('prom-client');

/**
 * The agent's own Prometheus metrics (`GET /metrics` on its admin API; Envoy's
 * stay at `/stats/prometheus`): its health verdict, Envoy's state and
 * restarts, and the control plane as the agent sees it (through the relay
 * when there is one). Read from the /status document at scrape time; one
 * registry per agent. Families from the prom-client defaults are prefixed
 * appnet_agent_ (appnet_agent_process_resident_memory_bytes, appnet_agent_nodejs_…).
 *
 * prom-client is loaded, and the registry built, at the first scrape: nothing
 * before it needs them, and loading them at start cost the agent time before
 * its first /status and memory for as long as nobody scrapes
 * (docs/agent-performance.md). The default process metrics (event-loop delay,
 * GC) therefore count from the first scrape on.
 */
export class AgentMetrics {
  private built: Registry | undefined;

  constructor(private readonly status: () => AgentStatus) {}

  /** The registry, built on first use. */
  get registry(): Registry {
    this.built ??= buildRegistry(require('prom-client') as PromClient, this.status);
    return this.built;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

function buildRegistry(prom: PromClient, status: () => AgentStatus): Registry {
  const { Counter, Gauge, Registry, collectDefaultMetrics } = prom;
  const r = new Registry();
  collectDefaultMetrics({ register: r, prefix: 'appnet_agent_' });
  const flag = (name: string, help: string, value: (s: AgentStatus) => boolean) =>
    new Gauge({
      name,
      help,
      registers: [r],
      collect() {
        this.set(value(status()) ? 1 : 0);
      },
    });
  flag('appnet_agent_healthy', '1 while the agent reports HEALTHY (/status healthStatus)', (s) => s.healthStatus === 'HEALTHY');
  flag('appnet_agent_envoy_live', "1 while Envoy's server state is LIVE", (s) => s.envoyState === 'LIVE');
  flag('appnet_agent_envoy_ready', "1 once Envoy's initial configuration is in (envoyReadinessState INITIALIZED)", (s) => s.envoyReadinessState === 'INITIALIZED');
  flag('appnet_agent_control_plane_connected', '1 while the management server is connected (through the relay when there is one)', (s) => s.managementServerConnectionStatus === 'CONNECTED');
  new Gauge({
    name: 'appnet_agent_relay_serving',
    help: "1 while the relay's health service says SERVING, for the relay itself (check=relay) and the control plane behind it (check=control_plane); absent without a relay",
    labelNames: ['check'],
    registers: [r],
    collect() {
      this.reset();
      const relay = status().relay;
      if (!relay) return;
      this.set({ check: 'relay' }, relay.relay === 'SERVING' ? 1 : 0);
      this.set({ check: 'control_plane' }, relay.controlPlane === 'SERVING' ? 1 : 0);
    },
  });
  new Counter({
    name: 'appnet_agent_envoy_restarts_total',
    help: 'Times the agent restarted Envoy after it exited',
    registers: [r],
    collect() {
      const n = Number(status().envoyRestartCount);
      this.reset();
      if (Number.isFinite(n) && n > 0) this.inc(n);
    },
  });
  return r;
}
