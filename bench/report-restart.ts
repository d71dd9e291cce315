/** The restart phase's figures: the Markdown rows (README block) and the plain-text summary lines. */
import { mibOf, num } from './format';
import type { RestartPhase, RestartRun } from './phase-restart';

const secs = (ms: number | undefined): string => (ms === undefined || Number.isNaN(ms) ? '–' : `${(ms / 1000).toFixed(1)} s`);
/** "12.3 s", or how many were missing when not every stream came back. */
const all = (z: RestartRun | undefined): string => (!z ? '' : z.allMs !== undefined ? secs(z.allMs) : `**${num(z.missing)} never back** (waited ${z.waitMs / 1000} s)`);
const cpu = (z: RestartRun): string => (z.relay ? `${z.relay.cpuSeconds.toFixed(1)} s over ${secs(z.relay.overMs)} (${((z.relay.cpuSeconds / (z.relay.overMs / 1000)) * 100).toFixed(0)} % of a core)` : '');

export function restartTable(p: RestartPhase): string[] {
  const rel = p.runs.find((z) => z.path === 'relay');
  const dir = p.runs.find((z) => z.path === 'direct');
  const row = (what: string, f: (z: RestartRun) => string): string => `| ${what} | ${dir ? f(dir) : ''} | ${rel ? f(rel) : ''} |`;
  const lines = [
    `| upstream restart: ${num(p.streams)} streams (${p.perConn} per client connection), the server killed and started again on its port | direct | via relay (admission ${num(p.rate)}/s, burst ${num(p.burst)}) |`,
    '|---|--:|--:|',
    row('server killed → up again on the same port', (z) => secs(z.downMs)),
    row('server up → the first stream has a response from it', (z) => secs(z.firstMs)),
    row('→ 50 % of the streams have one', (z) => secs(z.p50Ms)),
    row('→ 99 %', (z) => secs(z.p99Ms)),
    row('→ every stream', all),
    row('streams opened again by the clients meanwhile (every attempt)', (z) => num(z.reopens)),
  ];
  if (rel?.relay) {
    const r = rel.relay;
    lines.push(`| relay: server up → its upstream connected again | | ${secs(r.reconnectedMs)} |`);
    const when = r.peakAtMs === undefined ? '' : r.peakAtMs < 0 ? `, highest ${secs(-r.peakAtMs)} before the server was up` : `, highest ${secs(r.peakAtMs)} after the server was up`;
    lines.push(`| relay peak RSS from the kill on (RSS before the kill; after the return) | | ${mibOf(r.peakRssKiB)} (${mibOf(r.rssBeforeKiB)}; ${mibOf(r.rssAfterKiB)})${r.peakResetOk ? '' : ' — peak since start'}${when} |`);
    lines.push(`| relay CPU, server up → every stream back | | ${cpu(rel)} |`);
  }
  lines.push(
    '',
    `Each client stream re-opens after it ends the way Envoy's xDS stream does (a random delay below a bound that starts at 500 ms, doubles at each failure up to 30 s, and starts again at a response); a stream counts as back once it has a response from the restarted server. ` +
      `The relay's pacing alone lets the last stream back no sooner than ${secs(p.admissionFloorMs)} after its upstream is up ((streams − burst) / rate).`,
  );
  return lines;
}

export function restartLines(p: RestartPhase): string[] {
  return p.runs.map((z) => {
    const relay = z.relay ? `; relay reconnected ${secs(z.relay.reconnectedMs)}, peak RSS ${mibOf(z.relay.peakRssKiB)}, CPU ${cpu(z)}` : '';
    return `restart ${z.path} (${num(z.streams)} streams${z.path === 'relay' ? `, admission ${num(p.rate)}/s` : ''}): server up → back: first ${secs(z.firstMs)}, 50 % ${secs(z.p50Ms)}, 99 % ${secs(z.p99Ms)}, all ${all(z)}; ${num(z.reopens)} reopens${relay}`;
  });
}
