import type { AgentReport } from './agent-report';
import { PLAIN, type Style } from './style';
import { formatAge, oneLine } from './text-format';

/** One agent's /status, readable: labeled lines, pure. */

const LABEL = 16;
const label = (l: string): string => (l === '' ? ' '.repeat(LABEL) : `${l}:`.padEnd(LABEL));

function exitText(e: NonNullable<AgentReport['envoy']['lastExit']>): string {
  const how = e.signal ? `was killed by ${e.signal}` : e.code !== null ? `exited with code ${e.code}` : 'exited';
  return `${e.pid !== null ? `pid ${e.pid} ` : ''}${how}${e.at ? ` at ${e.at}` : ''}${e.action ? ` (${oneLine(e.action)})` : ''}`;
}

export function renderAgentText(r: AgentReport, style: Style = PLAIN): string {
  const lines: string[] = [];
  lines.push(`${label('Agent')}${style.state(r.healthStatus)} at ${r.address}${r.uptimeSeconds !== null ? `, up ${formatAge(r.uptimeSeconds)}` : ''}`);
  r.reasons.forEach((reason, i) => lines.push(`${label(i === 0 ? 'Reasons' : '')}${oneLine(reason)}`));

  const e = r.envoy;
  const restarts = e.restartCount !== null ? `, ${e.restartCount} restart${e.restartCount === 1 ? '' : 's'}` : '';
  lines.push(`${label('Envoy')}${style.state(e.state ?? 'UNKNOWN')}${e.pid !== null ? `, pid ${e.pid}` : ', no process'}${restarts}`);
  if (e.lastExit) lines.push(`${label('')}last exit: ${exitText(e.lastExit)}`);

  const ready = r.readiness;
  const initial = ready.initialConfigUpdateStatus ? `, initial config ${style.state(ready.initialConfigUpdateStatus)}` : '';
  lines.push(`${label('Readiness')}${style.state(ready.envoyReadinessState ?? 'UNKNOWN')}${initial}`);

  const cp = r.controlPlane;
  const since = cp.disconnectedSince ? ` since ${cp.disconnectedSince}` : '';
  lines.push(`${label('Control plane')}${cp.connection ? style.state(cp.connection) : 'not known yet'}${since}`);

  if (r.relay) {
    const x = r.relay;
    const behind = x.controlPlane ? `, its control plane ${style.state(x.controlPlane)}` : '';
    lines.push(`${label('Relay')}${style.state(x.relay ?? 'UNKNOWN')}${x.socket ? ` on ${x.socket}` : ''}${behind}${x.checkedAt ? ` (checked ${x.checkedAt})` : ''}`);
    if (x.error) lines.push(`${label('')}error: ${oneLine(x.error)}`);
  }
  return lines.join('\n') + '\n';
}
