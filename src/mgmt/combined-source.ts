import { makeSnapshot, type EncodedResource, type NodeInfo, type ResourceSource, type Snapshot } from './snapshot';

function encoded(snapshot: Snapshot): EncodedResource[] {
  const out: EncodedResource[] = [];
  for (const [typeUrl, t] of snapshot) for (const [name, r] of t.resources) out.push({ typeUrl, name, value: r.any.value });
  return out;
}

/**
 * Two sources as one: per node, the `over` source's resources laid over the
 * `base` source's (same type and name: `over` wins). appnet-mgmt uses it for
 * `--resources` (base) with `--appmesh` (over). Merged snapshots are cached
 * by the identity of the two inputs, which the sources keep until they change.
 */
export class CombinedSource implements ResourceSource {
  private readonly merged = new WeakMap<Snapshot, WeakMap<Snapshot, Snapshot>>();

  constructor(
    private readonly base: ResourceSource,
    private readonly over: ResourceSource,
  ) {}

  snapshotFor(node: NodeInfo): Snapshot {
    const a = this.base.snapshotFor(node);
    const b = this.over.snapshotFor(node);
    if (b.size === 0) return a;
    if (a.size === 0) return b;
    let inner = this.merged.get(a);
    if (!inner) this.merged.set(a, (inner = new WeakMap()));
    let m = inner.get(b);
    if (!m) inner.set(b, (m = makeSnapshot([...encoded(a), ...encoded(b)])));
    return m;
  }

  onChange(listener: () => void): () => void {
    const offA = this.base.onChange(listener);
    const offB = this.over.onChange(listener);
    return () => {
      offA();
      offB();
    };
  }

  nodeIds(): string[] {
    return [...new Set([...(this.base.nodeIds?.() ?? []), ...(this.over.nodeIds?.() ?? [])])].sort();
  }

  close(): void {
    this.base.close?.();
    this.over.close?.();
  }
}
