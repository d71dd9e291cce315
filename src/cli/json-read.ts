/**
 * Defensive readers for JSON that came over the wire: a /status document from
 * another version of the relay or agent may lack a field or carry a surprise,
 * and the CLI should still show what it can rather than crash.
 */
export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

export function objOrNull(v: unknown): Obj | null {
  return isObj(v) ? v : null;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

export function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

export function strings(v: unknown): string[] {
  return arr(v).map(str).filter((s): s is string => s !== null);
}

/** `{ message, at }` (the relay's lastError form), or null. */
export function errorAt(v: unknown): { message: string; at: string | null } | null {
  const o = objOrNull(v);
  const message = o ? str(o['message']) : null;
  return o && message !== null ? { message, at: str(o['at']) } : null;
}
