import { createHash } from 'node:crypto';

/** The xDS v3 type URLs and the wildcard types, from the shared vocabulary (docs/contracts.md). */
export { TypeUrl, WILDCARD_TYPES } from '../common/xds/vocabulary';

export interface NodeInfo {
  id: string;
  cluster: string;
}

/** A google.protobuf.Any as proto-loader (keepCase) represents it. */
export interface AnyMessage {
  type_url: string;
  value: Buffer;
}

/** One encoded resource, before versions are assigned. */
export interface EncodedResource {
  typeUrl: string;
  name: string;
  value: Buffer;
}

export interface SnapshotResource {
  any: AnyMessage;
  /** Per-resource version (a hash of the encoded bytes). */
  version: string;
}

export interface TypeSnapshot {
  /** Version of the whole type: changes whenever any of its resources does. */
  version: string;
  resources: ReadonlyMap<string, SnapshotResource>;
}

/** Per type URL. A type that is absent has no resources (see `typeSnapshot`). */
export type Snapshot = ReadonlyMap<string, TypeSnapshot>;

/**
 * Where the server gets its resources. A later App Mesh model can implement this;
 * the server asks again for every stream's node after each change notification.
 */
export interface ResourceSource {
  snapshotFor(node: NodeInfo): Snapshot;
  /** Called after every change; returns a function that stops the notifications. */
  onChange(listener: () => void): () => void;
  /** Node ids that have their own resources (for the admin page). */
  nodeIds?(): string[];
  close?(): void;
}

function shortHash(parts: Iterable<string | Buffer>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

export function resourceVersion(value: Buffer): string {
  return shortHash([value]);
}

/** The version of a set of resources: a hash of their names and versions (equal sets, equal versions). */
export function typeVersion(resources: ReadonlyMap<string, SnapshotResource>): string {
  const names = [...resources.keys()].sort();
  return shortHash(names.flatMap((n) => [n, resources.get(n)!.version]));
}

const EMPTY = new Map<string, SnapshotResource>();
const EMPTY_TYPE: TypeSnapshot = { version: typeVersion(EMPTY), resources: EMPTY };

/** The snapshot of one type; a type with no resources still has a (fixed) version. */
export function typeSnapshot(snapshot: Snapshot, typeUrl: string): TypeSnapshot {
  return snapshot.get(typeUrl) ?? EMPTY_TYPE;
}

/** Build a snapshot; versions are content hashes, so equal content gives equal versions. Later duplicates win. */
export function makeSnapshot(resources: Iterable<EncodedResource>): Snapshot {
  const byType = new Map<string, Map<string, SnapshotResource>>();
  for (const r of resources) {
    let m = byType.get(r.typeUrl);
    if (!m) byType.set(r.typeUrl, (m = new Map()));
    m.set(r.name, { any: { type_url: r.typeUrl, value: r.value }, version: resourceVersion(r.value) });
  }
  const out = new Map<string, TypeSnapshot>();
  for (const [typeUrl, m] of byType) out.set(typeUrl, { version: typeVersion(m), resources: m });
  return out;
}

/** The base resources with a node's own resources laid over them (same type and name replaces). */
export function overlay(base: readonly EncodedResource[], own: readonly EncodedResource[]): EncodedResource[] {
  const key = (r: EncodedResource) => `${r.typeUrl}\0${r.name}`;
  const merged = new Map(base.map((r) => [key(r), r]));
  for (const r of own) merged.set(key(r), r);
  return [...merged.values()];
}

/** Names and versions per type, for operators. */
export function describeSnapshot(snapshot: Snapshot): Record<string, { version: string; resources: Record<string, string> }> {
  const out: Record<string, { version: string; resources: Record<string, string> }> = {};
  for (const [typeUrl, t] of [...snapshot].sort((a, b) => a[0].localeCompare(b[0]))) {
    const resources: Record<string, string> = {};
    for (const name of [...t.resources.keys()].sort()) resources[name] = t.resources.get(name)!.version;
    out[typeUrl] = { version: t.version, resources };
  }
  return out;
}
