import { EventEmitter } from 'node:events';
import { makeSnapshot, overlay, type EncodedResource, type NodeInfo, type ResourceSource, type Snapshot } from './snapshot';

/**
 * Resources set in code (tests, embedders). Every call that changes something
 * notifies the server, which pushes the new versions to subscribed streams.
 */
export class StaticResourceSource implements ResourceSource {
  private base: EncodedResource[] = [];
  private perNode = new Map<string, EncodedResource[]>();
  private baseSnapshot: Snapshot = makeSnapshot([]);
  private nodeSnapshots = new Map<string, Snapshot>();
  private readonly events = new EventEmitter();

  constructor(resources: readonly EncodedResource[] = [], perNode: Readonly<Record<string, readonly EncodedResource[]>> = {}) {
    this.events.setMaxListeners(0);
    this.apply([...resources], perNode);
  }

  snapshotFor(node: NodeInfo): Snapshot {
    return this.nodeSnapshots.get(node.id) ?? this.baseSnapshot;
  }

  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  nodeIds(): string[] {
    return [...this.perNode.keys()].sort();
  }

  /** Replace everything: the base resources and every node's own. */
  set(resources: readonly EncodedResource[], perNode: Readonly<Record<string, readonly EncodedResource[]>> = {}): void {
    this.apply([...resources], perNode);
    this.events.emit('change');
  }

  /** Add or replace base resources (same type and name). */
  upsert(...resources: EncodedResource[]): void {
    this.apply(overlay(this.base, resources), Object.fromEntries(this.perNode));
    this.events.emit('change');
  }

  /** Remove one base resource; returns whether it was there. */
  remove(typeUrl: string, name: string): boolean {
    const kept = this.base.filter((r) => !(r.typeUrl === typeUrl && r.name === name));
    if (kept.length === this.base.length) return false;
    this.apply(kept, Object.fromEntries(this.perNode));
    this.events.emit('change');
    return true;
  }

  resources(): readonly EncodedResource[] {
    return this.base;
  }

  private apply(base: EncodedResource[], perNode: Readonly<Record<string, readonly EncodedResource[]>>): void {
    this.base = base;
    this.perNode = new Map(Object.entries(perNode).map(([id, list]) => [id, [...list]]));
    this.baseSnapshot = makeSnapshot(base);
    this.nodeSnapshots = new Map([...this.perNode].map(([id, own]) => [id, makeSnapshot(overlay(base, own))]));
  }
}
