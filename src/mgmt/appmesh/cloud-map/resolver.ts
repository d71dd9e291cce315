import { EventEmitter } from 'node:events';
import type { Logger } from '../../../common/logger';
import type { AppMeshModel, DiscoveredInstance } from '../types';
import { instancesOf, queriesOf, type CloudMapQuery } from './query';

/** The two AWS Cloud Map calls the resolver makes (sdk-api.ts; a fake in tests). */
export interface CloudMapApi {
  /** DiscoverInstancesRevision: changes whenever the service's instances change. */
  revision(q: CloudMapQuery): Promise<number | undefined>;
  /** DiscoverInstances with the query's attributes, healthy instances (all of them when none is healthy). */
  discover(q: CloudMapQuery): Promise<ReadonlyArray<{ InstanceId?: string | undefined; Attributes?: Record<string, string> | undefined }>>;
}

export interface CloudMapQueryStatus {
  key: string;
  namespaceName: string;
  serviceName: string;
  attributes: Readonly<Record<string, string>>;
  /** undefined until the first answer. */
  instances: number | undefined;
  revision: number | undefined;
  /** The last call's failure, until one succeeds (the last instances found stay in service meanwhile). */
  lastError: string | undefined;
}

interface Entry {
  query: CloudMapQuery;
  instances: DiscoveredInstance[] | undefined;
  revision: number | undefined;
  lastError: string | undefined;
}

export interface CloudMapResolverOptions {
  api: CloudMapApi;
  /** How often each query's revision is checked. */
  refreshMs: number;
  logger: Logger;
  /** Queries checked at once. */
  concurrency?: number;
}

/**
 * Follows the instances AWS Cloud Map holds for every query the model has:
 * each round asks DiscoverInstancesRevision per query and DiscoverInstances
 * only when the revision moved (or cannot be had), and tells its listeners
 * once per round when any query's instances changed. A failing call keeps the
 * last instances found (a Cloud Map outage must not empty every Envoy); it is
 * logged when it starts, changes and ends, not every round. New queries are
 * answered at once, not at the next round.
 */
export class CloudMapResolver {
  private readonly entries = new Map<string, Entry>();
  private readonly events = new EventEmitter();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private closed = false;
  private snapshot: ReadonlyMap<string, readonly DiscoveredInstance[]> = new Map();

  constructor(private readonly o: CloudMapResolverOptions) {
    this.events.setMaxListeners(0);
  }

  /**
   * What the model asks now: new queries are looked up at once (the promise
   * settles once they are answered or failed), gone ones dropped.
   */
  setQueries(queries: ReadonlyMap<string, CloudMapQuery>): Promise<void> {
    let added = false;
    for (const key of [...this.entries.keys()]) if (!queries.has(key)) this.entries.delete(key);
    for (const [key, query] of queries) {
      if (this.entries.has(key)) continue;
      this.entries.set(key, { query, instances: undefined, revision: undefined, lastError: undefined });
      added = true;
    }
    // With new queries the round publishes, removals and answers at once: never a gap between them.
    if (!added) {
      this.publish();
      return Promise.resolve();
    }
    return this.round();
  }

  /** The model's queries (ModelDiscovery, source.ts). */
  follow(model: AppMeshModel): Promise<void> {
    return this.setQueries(queriesOf(model));
  }

  /** The instances found, by query key (a query not answered yet is absent). */
  instances(): ReadonlyMap<string, readonly DiscoveredInstance[]> {
    return this.snapshot;
  }

  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  status(): CloudMapQueryStatus[] {
    return [...this.entries].map(([key, e]) => ({
      key,
      namespaceName: e.query.namespaceName,
      serviceName: e.query.serviceName,
      attributes: e.query.attributes,
      instances: e.instances?.length,
      revision: e.revision,
      lastError: e.lastError,
    }));
  }

  /** Check every query now, then every `refreshMs`. */
  start(): Promise<void> {
    return this.round();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One round over every query; one asked for while a round runs follows it (and its promise is that one's). */
  private round(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.next ??= this.running.then(() => {
        this.next = undefined;
        return this.round();
      });
      return this.next;
    }
    if (this.timer) clearTimeout(this.timer);
    this.running = this.checkAll().finally(() => {
      this.running = undefined;
      if (this.closed || this.next) return;
      this.timer = setTimeout(() => void this.round(), this.o.refreshMs);
      this.timer.unref();
    });
    return this.running;
  }

  private async checkAll(): Promise<void> {
    const keys = [...this.entries.keys()];
    const width = Math.max(1, this.o.concurrency ?? 8);
    for (let i = 0; i < keys.length; i += width) await Promise.all(keys.slice(i, i + width).map((k) => this.check(k)));
    this.publish();
  }

  /** Ask Cloud Map for one query (its revision, then its instances when that moved). Never throws. */
  private async check(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (!e) return;
    const { api, logger } = this.o;
    const where = { namespace: e.query.namespaceName, service: e.query.serviceName, attributes: e.query.attributes };
    try {
      const revision = await api.revision(e.query).catch(() => undefined);
      if (e.instances !== undefined && revision !== undefined && revision === e.revision && e.lastError === undefined) return;
      const instances = instancesOf(await api.discover(e.query));
      if (this.entries.get(key) !== e) return; // dropped meanwhile
      if (e.lastError !== undefined) logger.info(where, 'AWS Cloud Map answers again');
      e.lastError = undefined;
      e.revision = revision;
      if (e.instances !== undefined && JSON.stringify(e.instances) === JSON.stringify(instances)) return;
      logger.info({ ...where, instances: instances.length, revision }, 'Cloud Map instances changed');
      e.instances = instances;
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (message !== e.lastError) {
        logger.warn({ ...where, err: message, kept: e.instances?.length ?? 0 }, 'AWS Cloud Map call failed; the last instances found stay in service');
      }
      e.lastError = message;
    }
  }

  private publish(): void {
    const next = new Map<string, readonly DiscoveredInstance[]>();
    for (const [key, e] of this.entries) if (e.instances !== undefined) next.set(key, e.instances);
    const before = this.snapshot;
    this.snapshot = next;
    if (before.size !== next.size || [...next].some(([k, v]) => before.get(k) !== v)) this.events.emit('change');
  }
}
