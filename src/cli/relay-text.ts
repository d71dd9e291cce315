import type { NodeRow, NodeTypeEntry, RelayReport, StreamSummary } from './relay-rows';
import { PLAIN, type Style } from './style';
import { type Column, renderTable } from './table';
import { formatAge, oneLine, parseSeconds, shortVersion, truncate } from './text-format';

/** The relay report as text: a few header lines, the node table, the streams without a node. Pure. */

export const NODE_ID_MAX = 64;
export const CLUSTER_MAX = 32;
export const NACK_MAX = 60;

/** "SYNCED 1503230b…", "NACKED 67150f29…", "NOT SENT", or "-" when the node never asked for the type. */
export function typeCell(t: NodeTypeEntry | undefined): string {
  if (!t) return '-';
  const state = t.state.replace(/_/g, ' ');
  const v = t.state === 'NOT_SENT' ? '' : shortVersion(t.lastVersionSent);
  return v ? `${state} ${v}` : state;
}

function nodeCells(r: NodeRow, columns: string[]): string[] {
  const nack = r.lastNack ? `${r.lastNack.type}: ${r.lastNack.message}` : '';
  return [
    r.nodeId === '' ? '(empty)' : r.nodeId,
    r.cluster,
    ...columns.map((c) => typeCell(r.types.find((t) => t.type === c))),
    String(r.streams.length),
    formatAge(r.ageSeconds),
    nack,
  ];
}

function nodeTable(report: RelayReport, style: Style): string[] {
  if (report.nodes.length === 0) return ['No xDS client has identified itself (no stream with a node).'];
  const columns: Column[] = [
    { header: 'NODE ID', max: NODE_ID_MAX, truncate: 'middle' },
    { header: 'CLUSTER', max: CLUSTER_MAX },
    ...report.columns.map((c) => ({ header: c })),
    { header: 'STREAMS' },
    { header: 'AGE' },
    { header: 'LAST NACK', max: NACK_MAX },
  ];
  const first = 2;
  const last = first + report.columns.length;
  return renderTable(
    columns,
    report.nodes.map((r) => nodeCells(r, report.columns)),
    { paint: (text, _raw, row, col) => (row >= 0 && col >= first && col < last ? style.state(text) : text) },
  );
}

/** Streams without a node (opaque paths, or clients that have not sent one yet), grouped by path. */
function withoutNode(streams: StreamSummary[]): string[] {
  if (streams.length === 0) return [];
  const groups = new Map<string, StreamSummary[]>();
  for (const s of streams) groups.set(`${s.kind} ${s.path}`, [...(groups.get(`${s.kind} ${s.path}`) ?? []), s]);
  const rows = [...groups.values()].map((g) => [
    g[0]!.path,
    g[0]!.kind,
    String(g.length),
    [...new Set(g.map((s) => s.phase))].join(','),
    formatAge(Math.min(...g.map((s) => s.ageSeconds ?? Infinity))),
  ]);
  const table = renderTable([{ header: 'PATH', max: 90, truncate: 'middle' }, { header: 'KIND' }, { header: 'COUNT' }, { header: 'PHASE' }, { header: 'NEWEST' }], rows);
  return ['', `Streams without a node: ${streams.length}`, ...table.map((l) => `  ${l}`)];
}

function header(report: RelayReport, style: Style): string[] {
  const { relay, upstream: up, credentials: cr } = report;
  const lines: string[] = [];
  const streams = relay.streams.active !== null ? `, ${relay.streams.active} active stream${relay.streams.active === 1 ? '' : 's'}${relay.streams.total !== null ? ` (${relay.streams.total} since start)` : ''}` : '';
  const up1 = parseSeconds(relay.uptime);
  lines.push(`Relay:        ${style.state(relay.healthStatus)} at ${report.address}${up1 !== null ? `, up ${formatAge(up1)}` : ''}${streams}`);
  const where = [up.domain, up.target && up.target !== up.domain ? `via ${up.target}` : null, up.tls === false ? '(plaintext)' : up.tls ? '(TLS)' : null].filter(Boolean).join(' ');
  const next = up.state !== 'CONNECTED' && up.nextAttemptAt ? `, next attempt ${up.nextAttemptAt}` : '';
  lines.push(`Upstream:     ${style.state(up.state)}${where ? ` ${where}` : ''}${up.since ? ` since ${up.since}` : ''}${next}`);
  if (up.lastError) lines.push(`              last error: ${truncate(oneLine(up.lastError.message), 200)}${up.lastError.at ? ` (${up.lastError.at})` : ''}`);
  const credBits = [cr.source ? `from ${cr.source}` : null, cr.expiration ? `expires ${cr.expiration}` : null].filter(Boolean).join(', ');
  lines.push(`Credentials:  ${style.state(cr.state)}${credBits ? ` ${credBits}` : ''}`);
  if (cr.lastError) lines.push(`              last error: ${truncate(oneLine(cr.lastError.message), 200)}${cr.lastError.at ? ` (${cr.lastError.at})` : ''}`);
  for (const [i, r] of relay.reasons.entries()) lines.push(`${i === 0 ? 'Reasons:      ' : '              '}${oneLine(r)}`);
  return lines;
}

export function renderRelayText(report: RelayReport, style: Style = PLAIN): string {
  return [...header(report, style), '', ...nodeTable(report, style), ...withoutNode(report.streamsWithoutNode)].join('\n') + '\n';
}
