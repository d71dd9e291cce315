/** Optional colors for the text output: only on a terminal, never with NO_COLOR (https://no-color.org). */

export interface Style {
  /** Colors a cell or word by the state it starts with (SYNCED green, NACKED red, ...). */
  state(text: string): string;
  bold(text: string): string;
}

const GOOD = new Set(['SYNCED', 'HEALTHY', 'CONNECTED', 'VALID', 'SERVING', 'LIVE', 'INITIALIZED', 'UPDATE_SUCCESSFUL']);
const WARN = new Set(['STALE', 'CONNECTING', 'DRAINING', 'NOT_LOADED', 'NOT_INITIALIZED', 'PRE_INITIALIZING', 'INITIALIZING']);
const BAD = new Set(['NACKED', 'UNHEALTHY', 'NOT_CONNECTED', 'FAILED', 'EXPIRED', 'UNREACHABLE', 'NOT_SERVING', 'UPDATE_FAILED']);

const sgr = (code: string, text: string): string => `\u001b[${code}m${text}\u001b[0m`;

export const PLAIN: Style = { state: (t) => t, bold: (t) => t };

export const COLOR: Style = {
  state(text) {
    const word = /^\s*([A-Z_]+)/.exec(text)?.[1] ?? '';
    if (GOOD.has(word)) return sgr('32', text);
    if (WARN.has(word)) return sgr('33', text);
    if (BAD.has(word)) return sgr('31', text);
    return text;
  },
  bold: (t) => sgr('1', t),
};

export function useColor(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  return isTTY && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb';
}
