/** Small pure text helpers shared by the `appnet status` renderers. */

/**
 * One line of plain, safe text: C0/C1 control characters (escape sequences a
 * client could smuggle in through its node id or a NACK message) become spaces,
 * and runs of whitespace (multi-line Envoy NACK messages) collapse to one space.
 */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Length in code points (what a terminal shows for the ASCII-ish text here). */
export function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export type Truncate = 'end' | 'middle';

/** At most `max` code points; a cut is marked with '…' (at the end, or in the middle to keep both ends). */
export function truncate(s: string, max: number, how: Truncate = 'end'): string {
  const cps = [...s];
  if (cps.length <= max) return s;
  if (max <= 1) return '…'.slice(0, max);
  if (how === 'end') return `${cps.slice(0, max - 1).join('').trimEnd()}…`;
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return `${cps.slice(0, head).join('')}…${tail > 0 ? cps.slice(cps.length - tail).join('') : ''}`;
}

export function padEnd(s: string, w: number): string {
  const n = width(s);
  return n >= w ? s : s + ' '.repeat(w - n);
}

/** 42 -> "42s", 312 -> "5m12s", 7384 -> "2h03m", 273600 -> "3d4h". */
export function formatAge(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`;
}

/** Versions are often long hashes: keep the first 8 characters, like a short commit id. */
export function shortVersion(v: string | null, max = 8): string {
  if (v === null || v === '') return '';
  return truncate(oneLine(v), max + 1);
}

/** "3605s" (the agent's and relay's uptime form) -> seconds, or null. */
export function parseSeconds(s: string | null): number | null {
  if (s === null) return null;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(s.trim());
  return m ? Number(m[1]) : null;
}
