import type { CredentialsDoc, NackDoc, RelayDoc, StreamDoc, TypeDoc, UpstreamDoc } from './relay-document';
import { STANDARD_TYPES, compareTypeNames, typeColumnNames } from './xds-type-names';

/** `appnet status` for a relay: one row per node (its streams grouped), pure. */

export const RELAY_REPORT_SCHEMA = 'appnet-status/relay/v1';

export interface StreamSummary {
  id: number | null;
  path: string;
  kind: string;
  phase: string;
  startedAt: string | null;
  ageSeconds: number | null;
  bytes: { fromClient: number; toClient: number };
  messages: { fromClient: number; toClient: number };
}

/** Where one xDS type of a node stands: the relay's whole view, its column name, and the stream it came from. */
export interface NodeTypeEntry extends TypeDoc {
  type: string;
  streamId: number | null;
}

export interface LastNack extends NackDoc {
  type: string;
  typeUrl: string;
}

export interface NodeRow {
  nodeId: string;
  cluster: string;
  userAgent: string;
  /** Age of the node's newest stream (a young one after an old one means it reconnected). */
  ageSeconds: number | null;
  streams: StreamSummary[];
  /** In column order. */
  types: NodeTypeEntry[];
  /** The NACK of a type that is NACKED now (the latest such), else the latest NACK of any type. */
  lastNack: LastNack | null;
}

export interface RelayReport {
  schema: typeof RELAY_REPORT_SCHEMA;
  address: string;
  relay: {
    healthStatus: string;
    reasons: string[];
    uptime: string | null;
    listener: RelayDoc['listener'];
    streams: RelayDoc['streams'];
  };
  upstream: UpstreamDoc;
  credentials: CredentialsDoc;
  /** The type columns: the standard five, then any other type a node uses. */
  columns: string[];
  nodes: NodeRow[];
  streamsWithoutNode: StreamSummary[];
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** Newest first: smallest age, then highest id. */
const newestFirst = (a: StreamDoc, b: StreamDoc): number => (a.ageSeconds ?? Infinity) - (b.ageSeconds ?? Infinity) || (b.id ?? 0) - (a.id ?? 0);

function summary(s: StreamDoc): StreamSummary {
  return { id: s.id, path: s.path, kind: s.kind, phase: s.phase, startedAt: s.startedAt, ageSeconds: s.ageSeconds, bytes: s.bytes, messages: s.messages };
}

/** Per type URL, the view from the stream that last got a response of that type (the newest stream on a tie). */
function mergeTypes(streams: StreamDoc[], names: Map<string, string>): NodeTypeEntry[] {
  const best = new Map<string, NodeTypeEntry>();
  for (const s of streams) {
    for (const t of s.types) {
      const held = best.get(t.typeUrl);
      if (held && (t.lastResponseAt ?? '') <= (held.lastResponseAt ?? '')) continue;
      best.set(t.typeUrl, { type: names.get(t.typeUrl) ?? t.typeUrl, streamId: s.id, ...t });
    }
  }
  return [...best.values()].sort((a, b) => compareTypeNames(a.type, b.type));
}

function lastNackOf(types: NodeTypeEntry[]): LastNack | null {
  const latest = (list: NodeTypeEntry[]) =>
    list.reduce<NodeTypeEntry | undefined>((m, t) => (t.lastNack && (!m || (t.lastNack.at ?? '') > (m.lastNack!.at ?? '')) ? t : m), undefined);
  const t = latest(types.filter((x) => x.state === 'NACKED' && x.lastNack)) ?? latest(types);
  return t?.lastNack ? { type: t.type, typeUrl: t.typeUrl, ...t.lastNack } : null;
}

function distinct(values: string[]): string {
  return [...new Set(values.filter((v) => v !== ''))].join(',');
}

function nodeRow(nodeId: string, streams: StreamDoc[], names: Map<string, string>): NodeRow {
  const sorted = [...streams].sort(newestFirst);
  const types = mergeTypes(sorted, names);
  return {
    nodeId,
    cluster: distinct(sorted.map((s) => s.node!.cluster)),
    userAgent: distinct(sorted.map((s) => s.node!.userAgent)),
    ageSeconds: sorted[0]?.ageSeconds ?? null,
    streams: sorted.map(summary),
    types,
    lastNack: lastNackOf(types),
  };
}

export function relayReport(doc: RelayDoc, address: string): RelayReport {
  const byNode = new Map<string, StreamDoc[]>();
  const withoutNode: StreamDoc[] = [];
  for (const s of doc.activeStreams) {
    if (!s.node) withoutNode.push(s);
    else byNode.set(s.node.id, [...(byNode.get(s.node.id) ?? []), s]);
  }
  const names = typeColumnNames([...byNode.values()].flat().flatMap((s) => s.types.map((t) => t.typeUrl)));
  const nodes = [...byNode.entries()].sort(([a], [b]) => cmp(a, b)).map(([id, streams]) => nodeRow(id, streams, names));
  const columns = [...new Set([...STANDARD_TYPES, ...names.values()])].sort(compareTypeNames);
  return {
    schema: RELAY_REPORT_SCHEMA,
    address,
    relay: { healthStatus: doc.healthStatus, reasons: doc.reasons, uptime: doc.relayUptime, listener: doc.listener, streams: doc.streams },
    upstream: doc.upstream,
    credentials: doc.credentials,
    columns,
    nodes,
    streamsWithoutNode: withoutNode.sort((a, b) => cmp(a.path, b.path) || (a.id ?? 0) - (b.id ?? 0)).map(summary),
  };
}
