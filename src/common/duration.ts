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
