/**
 * Diagnosis only: sums a V8 heap snapshot's self sizes by constructor / node
 * type, and diffs two snapshots per stream (what each idle stream costs in JS).
 */
import * as fs from 'node:fs';

export interface HeapGroup {
  name: string;
  count: number;
  bytes: number;
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** self_size and count per group: objects by constructor name, everything else by node type. */
export function summarizeHeapSnapshot(file: string): Map<string, HeapGroup> {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const stride = fields.length;
  const fType = fields.indexOf('type');
  const fName = fields.indexOf('name');
  const fSize = fields.indexOf('self_size');
  const out = new Map<string, HeapGroup>();
  const nodes = snap.nodes;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + fType]!] ?? '?';
    let name: string;
    if (type === 'object' || type === 'native') name = `${snap.strings[nodes[i + fName]!] ?? '?'}${type === 'native' ? ' (native)' : ''}`;
    else name = `(${type})`;
    if (name.length > 60) name = `${name.slice(0, 57)}...`;
    let g = out.get(name);
    if (!g) {
      g = { name, count: 0, bytes: 0 };
      out.set(name, g);
    }
    g.count++;
    g.bytes += nodes[i + fSize]!;
  }
  return out;
}

/** The groups that grew most from `base` to `top`, per stream (`streams` = streams added in between). */
export function perStreamGrowth(base: Map<string, HeapGroup>, top: Map<string, HeapGroup>, streams: number, limit = 15): { totalBytesPerStream: number; groups: Array<{ name: string; objectsPerStream: number; bytesPerStream: number }> } {
  const rows: Array<{ name: string; objectsPerStream: number; bytesPerStream: number }> = [];
  let total = 0;
  for (const [name, g] of top) {
    const b = base.get(name);
    const dBytes = g.bytes - (b?.bytes ?? 0);
    const dCount = g.count - (b?.count ?? 0);
    total += dBytes;
    rows.push({ name, objectsPerStream: dCount / streams, bytesPerStream: dBytes / streams });
  }
  for (const [name, b] of base) if (!top.has(name)) total -= b.bytes;
  rows.sort((a, b) => b.bytesPerStream - a.bytesPerStream);
  return { totalBytesPerStream: total / streams, groups: rows.slice(0, limit) };
}
