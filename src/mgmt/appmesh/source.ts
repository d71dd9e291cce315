import { EventEmitter } from 'node:events';
import { ResourceError, type ResourceCodec } from '../resource-codec';
import { makeSnapshot, type NodeInfo, type ResourceSource, type Snapshot } from '../snapshot';
import { ModelIndex } from './model-index';
import { allViews, envoyNodeIds, nodeView, resourcesFor } from './translate';
import type { AppMeshModel, DiscoveredInstance } from './types';
import { errorMessage, problem, type Problem } from '../../common/problem';

/** The committed model and its change notifications (the store, state/model-store.ts). */
export interface ModelFeed {
  readonly model: AppMeshModel;
  onChange(listener: () => void): () => void;
}

/**
 * What a service registry (AWS Cloud Map: cloud-map/resolver.ts) found for the
 * model's virtual nodes, laid over the stored model as `model.discovered`.
 */
export interface ModelDiscovery {
  /** Follow the model's queries; settles once the new ones are answered (or failed). Never rejects. */
  follow(model: AppMeshModel): Promise<void>;
  instances(): ReadonlyMap<string, readonly DiscoveredInstance[]>;
  onChange(listener: () => void): () => void;
}

/**
 * The App Mesh model as the management server's resource source: each node's
 * snapshot is the model translated for it (translate.ts), encoded with Envoy's
 * protos, cached per answer key until the model changes; a committed change
 * notifies the server, which pushes the new versions to every open stream.
 */
export class AppMeshSource implements ResourceSource {
  private index: ModelIndex;
  private readonly cache = new Map<string, Snapshot>();
  private readonly events = new EventEmitter();
  private readonly stops: Array<() => void> = [];

  /**
   * With `discovery`, a model change that asks a new query is served once that
   * query is answered, so a caller never sees a target without its instances
   * because the lookup had not finished yet.
   */
  constructor(
    readonly store: ModelFeed,
    private readonly codec: ResourceCodec,
    private readonly discovery?: ModelDiscovery,
  ) {
    this.events.setMaxListeners(0);
    this.index = this.build();
    this.stops.push(
      store.onChange(() => {
        if (discovery) void discovery.follow(store.model).then(() => this.rebuild());
        else this.rebuild();
      }),
    );
    if (discovery) this.stops.push(discovery.onChange(() => this.rebuild()));
  }

  private build(): ModelIndex {
    const model = this.store.model;
    return new ModelIndex(this.discovery ? { ...model, discovered: this.discovery.instances() } : model);
  }

  private rebuild(): void {
    this.index = this.build();
    this.cache.clear();
    this.events.emit('change');
  }

  snapshotFor(node: NodeInfo): Snapshot {
    const view = nodeView(node.id);
    let snap = this.cache.get(view.key);
    if (!snap) {
      snap = makeSnapshot(this.codec.encodeAll(resourcesFor(this.index, view), `App Mesh resources (${view.key})`));
      this.cache.set(view.key, snap);
    }
    return snap;
  }

  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  /** The Envoy node ids the model has resources for (virtual nodes and virtual gateways). */
  nodeIds(): string[] {
    return envoyNodeIds(this.store.model);
  }

  close(): void {
    for (const stop of this.stops.splice(0)) stop();
  }
}

/**
 * A store check (state/validate-state.ts ModelCheck): the model's translation for
 * every view — each virtual node's and virtual gateway's Envoy, proxyless clients
 * — must encode with Envoy's protos, so a committed model can always be served.
 */
export function translationCheck(codec: ResourceCodec): (model: AppMeshModel) => Problem[] {
  return (model) => {
    const index = new ModelIndex(model);
    const problems: Problem[] = [];
    for (const view of allViews(model)) {
      try {
        codec.encodeAll(resourcesFor(index, view), `translation (${view.key})`);
      } catch (e) {
        // The codec's problems name their resource and field in their text (`translation (<view>)[i] (Cluster "c"): ...`).
        if (e instanceof ResourceError) problems.push(...e.problems.map((p) => problem('', p)));
        else problems.push(problem(`translation (${view.key})`, errorMessage(e)));
      }
    }
    return problems;
  };
}
