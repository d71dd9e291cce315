import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CloudMapQueryStatus } from './appmesh/cloud-map/resolver';
import type { BackendStatus } from './appmesh/state/backend';
import { knownShortName } from '../common/xds/vocabulary';
import type { ManagementServer } from './server';

/**
 * appnet-mgmt's Prometheus metrics (`GET /metrics` on the admin port), one
 * registry per server: the store's state (which replica cannot reach etcd),
 * the xDS streams and what was pushed and refused, and the App Mesh API's
 * calls by operation and outcome. Gauges are read at scrape time.
 */

export interface MetricsSources {
  store(): BackendStatus & { revision: number };
  /** Cloud Map discovery's queries; undefined when it is off. */
  cloudMap?(): readonly CloudMapQueryStatus[] | undefined;
}

/** A Cloud Map query's state: answered, failing (its last instances kept), or waiting for its first answer. */
function cloudMapState(q: CloudMapQueryStatus): 'answered' | 'failing' | 'waiting' {
  if (q.lastError !== undefined) return 'failing';
  return q.instances === undefined ? 'waiting' : 'answered';
}

const typeLabel = (typeUrl: string) => knownShortName(typeUrl) ?? 'other';

/** Responses later than this after a change are not counted as its push (a client reconnecting much later). */
const PUSH_WINDOW_MS = 60_000;

export class MgmtMetrics {
  readonly registry = new Registry();
  private readonly api: Counter<'operation' | 'code'>;
  private readonly push: Histogram<'type'>;
  /** When the model last changed (this replica's change or another's through the store). */
  private lastChangeAt: number | undefined;
  private readonly streamStarts = new Map<number, number>();

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'appnet_mgmt_' });
    const r = this.registry;
    new Gauge({
      name: 'appnet_mgmt_store_reachable',
      help: '1 while the model store can be reached (0: etcd unreachable, writes refused, the last model served)',
      labelNames: ['kind'],
      registers: [r],
      collect() {
        const s = sources.store();
        this.reset();
        this.set({ kind: s.kind }, s.reachable ? 1 : 0);
      },
    });
    new Gauge({
      name: 'appnet_mgmt_store_revision',
      help: 'Revision of the model this replica serves (+1 per committed change)',
      registers: [r],
      collect() {
        this.set(sources.store().revision);
      },
    });
    new Gauge({
      name: 'appnet_mgmt_cloud_map_queries',
      help: 'AWS Cloud Map queries (one per namespace, service and attributes of Cloud Map virtual nodes), by state: answered, failing (the last instances kept), waiting (no answer yet); all 0 when Cloud Map discovery is off',
      labelNames: ['state'],
      registers: [r],
      collect() {
        const counts = { answered: 0, failing: 0, waiting: 0 };
        for (const q of sources.cloudMap?.() ?? []) counts[cloudMapState(q)]++;
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'appnet_mgmt_cloud_map_instances',
      help: 'Instances AWS Cloud Map returned, summed over the queries',
      registers: [r],
      collect() {
        this.set((sources.cloudMap?.() ?? []).reduce((n, q) => n + (q.instances ?? 0), 0));
      },
    });
    this.api = new Counter({ name: 'appnet_mgmt_api_requests_total', help: 'App Mesh API requests, by operation and outcome (OK or the error type)', labelNames: ['operation', 'code'], registers: [r] });
    this.push = new Histogram({
      name: 'appnet_mgmt_xds_push_seconds',
      help: 'From a model change to each response it caused on a stream that was open before it, by type',
      labelNames: ['type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [r],
    });
  }

  /** A new model is in service: the pushes that follow are timed from now. */
  modelChanged(at = Date.now()): void {
    this.lastChangeAt = at;
  }

  /** Count one App Mesh API request. */
  apiRequest(operation: string, code: string): void {
    this.api.inc({ operation, code });
  }

  /** Follow a management server's streams, pushes and NACKs. */
  watch(server: ManagementServer): void {
    const r = this.registry;
    new Gauge({
      name: 'appnet_mgmt_xds_streams',
      help: 'Open xDS (ADS) streams',
      registers: [r],
      collect() {
        this.set(server.openStreamCount());
      },
    });
    const opened = new Counter({ name: 'appnet_mgmt_xds_streams_opened_total', help: 'xDS streams opened', registers: [r] });
    const responses = new Counter({ name: 'appnet_mgmt_xds_responses_total', help: 'xDS responses sent (pushes), by type', labelNames: ['type'], registers: [r] });
    const nacks = new Counter({ name: 'appnet_mgmt_xds_nacks_total', help: 'xDS responses a client rejected (NACK), by type', labelNames: ['type'], registers: [r] });
    const rejected = new Counter({ name: 'appnet_mgmt_xds_rejected_total', help: 'xDS streams refused before they started (e.g. a bad SigV4 signature)', registers: [r] });
    server.on('stream-open', (rec) => {
      opened.inc();
      this.streamStarts.set(rec.id, Date.parse(rec.startedAt));
    });
    server.on('stream-close', (rec) => this.streamStarts.delete(rec.id));
    server.on('response', (e) => {
      responses.inc({ type: typeLabel(e.typeUrl) });
      const changed = this.lastChangeAt;
      const started = this.streamStarts.get(e.streamId);
      const now = Date.now();
      if (changed !== undefined && started !== undefined && started < changed && now - changed < PUSH_WINDOW_MS) this.push.observe({ type: typeLabel(e.typeUrl) }, (now - changed) / 1000);
    });
    server.on('nack', (e) => nacks.inc({ type: typeLabel(e.typeUrl) }));
    server.on('rejected', () => rejected.inc());
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
