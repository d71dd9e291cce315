/**
 * Envoy-style duration strings: "300s", "1.5s", "250ms", plus "us", "m" and "h"
 * for convenience. A bare number is rejected: the unit is always explicit.
 */
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?|\.\d+)(us|ms|s|m|h)$/;

export const DURATION_FORM = 'a duration such as 300s, 1.5s, 250ms, 5m or 1h';

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Render milliseconds the way Envoy's YAML would accept them ("2400s", "0.25s"). */
export function formatDurationS(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(3))}s`;
}

const GO_UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_PART_RE = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
export const GO_DURATION_FORM = 'a duration such as 5000ms, 15s or 1m30s';

/** Go's time.ParseDuration form ("1m30s", "5000ms", "1.5h"), in milliseconds; undefined if invalid or negative. */
export function parseGoDurationMs(text: string): number | undefined {
  const t = text.trim();
  if (t === '0') return 0;
  if (t === '') return undefined;
  GO_PART_RE.lastIndex = 0;
  let total = 0;
  let pos = 0;
  while (pos < t.length) {
    GO_PART_RE.lastIndex = pos;
    const m = GO_PART_RE.exec(t);
    if (!m) return undefined;
    total += Number(m[1]) * GO_UNIT_MS[m[2]!]!;
    pos = GO_PART_RE.lastIndex;
  }
  return Number.isFinite(total) ? total : undefined;
}
