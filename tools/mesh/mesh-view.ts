import type { CallerStats } from '../demo-apps/caller';
import type { AgentReport } from '../../src/cli/agent-report';
import type { RelayReport } from '../../src/cli/relay-rows';
import { typeCell } from '../../src/cli/relay-text';
import { type Style, PLAIN } from '../../src/cli/style';
import { renderTable } from '../../src/cli/table';

/** Everything the live table shows, gathered once a second. */
export interface MeshView {
  at: Date;
  mgmt: string;
  relay: RelayReport | { error: string };
  agents: Array<{ name: string; report: AgentReport | undefined; error: string | undefined }>;
  caller: { target: string; stats: CallerStats | undefined; error: string | undefined };
  /** The route's current weights, by virtual node. */
  weights: Record<string, number> | undefined;
  hints: string[];
}

const pct = (n: number, of: number) => (of === 0 ? '  -  ' : `${((n / of) * 100).toFixed(1).padStart(5)}%`);

function sidecarRows(v: MeshView): string[] {
  const rows = v.agents.map((a) => {
    const r = a.report;
    if (!r) return [a.name, 'UNREACHABLE', '', '', '', '', a.error ?? ''];
    const relay = r.relay ? `${r.relay.relay ?? '?'}/${r.relay.controlPlane ?? '?'}` : '-';
    return [a.name, r.healthStatus, r.envoy.state ?? '?', r.controlPlane.connection ?? '-', relay, String(r.envoy.restartCount ?? 0), r.reasons.join('; ')];
  });
  return renderTable(
    [{ header: 'SIDECAR' }, { header: 'HEALTH' }, { header: 'ENVOY' }, { header: 'CONTROL PLANE' }, { header: 'RELAY/UPSTREAM' }, { header: 'RESTARTS' }, { header: 'REASONS', max: 70 }],
    rows,
  );
}

function xdsRows(r: RelayReport): string[] {
  const cols = r.columns.filter((c) => r.nodes.some((n) => n.types.some((t) => t.type === c)));
  const rows = r.nodes.map((n) => [n.nodeId, ...cols.map((c) => typeCell(n.types.find((t) => t.type === c))), n.lastNack ? `${n.lastNack.type}: ${n.lastNack.message}` : '']);
  return renderTable([{ header: 'XDS CLIENT (NODE ID)', max: 44, truncate: 'middle' }, ...cols.map((c) => ({ header: c })), { header: 'LAST NACK', max: 50 }], rows);
}

function trafficLines(v: MeshView): string[] {
  const c = v.caller;
  const out = [`TRAFFIC serviceA -> ${c.target}`];
  if (!c.stats) return [...out, `  ${c.error ?? 'no calls yet'}`];
  const recent = Object.entries(c.stats.recent).sort(([a], [b]) => a.localeCompare(b));
  const n = recent.reduce((s, [, k]) => s + k, 0);
  const names = [...new Set([...recent.map(([k]) => k), ...Object.keys(v.weights ?? {})])].sort();
  for (const name of names) {
    const k = c.stats.recent[name] ?? 0;
    const bar = '#'.repeat(n === 0 ? 0 : Math.round((k / n) * 40));
    const w = v.weights?.[name];
    out.push(`  ${name.padEnd(12)} ${String(k).padStart(4)} ${pct(k, n)}  ${bar.padEnd(40)}${w !== undefined ? `  route weight ${w}` : ''}`);
  }
  const total = Object.values(c.stats.total).reduce((s, k) => s + k, 0);
  out.push(`  last ${n} calls; ${total} answered in all, ${c.stats.errors} failed${c.stats.lastError ? ` (last: ${c.stats.lastError})` : ''}`);
  return out;
}

/** The live table: pure, from a MeshView to text. */
export function renderMeshView(v: MeshView, style: Style = PLAIN): string {
  const lines: string[] = [];
  lines.push(style.bold(`appnet local mesh · ${v.at.toISOString().slice(11, 19)} · management server ${v.mgmt} (TLS, SigV4)`));
  if ('error' in v.relay) lines.push(`relay: UNREACHABLE (${v.relay.error})`);
  else {
    const r = v.relay;
    lines.push(`relay: ${r.relay.healthStatus} · upstream ${r.upstream.state} · credentials ${r.credentials.state} (${r.credentials.source ?? 'none'}) · ${r.relay.streams.active} streams`);
  }
  lines.push('', ...sidecarRows(v), '');
  if (!('error' in v.relay)) lines.push(...xdsRows(v.relay), '');
  lines.push(...trafficLines(v), '');
  lines.push(...v.hints);
  return lines.join('\n');
}
