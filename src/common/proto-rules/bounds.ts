/**
 * The comparison rules protoc-gen-validate (PGV) puts on numbers, durations and
 * timestamps: const, lt, lte, gt, gte, in, not_in — with PGV's range reading:
 * a lower and an upper bound with upper > lower mean "inside", upper <= lower
 * mean "outside" (e.g. `{gt: 10, lt: 5}` is "greater than 10 or less than 5").
 * Values are compared as bigint (integers, durations and timestamps in
 * nanoseconds) or number (floats). Pure.
 */

export type Ordered = bigint | number;

export interface BoundRules<T extends Ordered> {
  const?: T;
  lt?: T;
  lte?: T;
  gt?: T;
  gte?: T;
  in?: readonly T[];
  not_in?: readonly T[];
}

/** One broken rule: its name under the type's rules (e.g. "gt") and what the value must be. */
export interface Broken {
  rule: string;
  message: string;
}

function cmp(a: Ordered, b: Ordered): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Every comparison rule `value` breaks (empty when it keeps them all). */
export function checkBounds<T extends Ordered>(value: T, r: BoundRules<T>, show: (v: T) => string): Broken[] {
  const out: Broken[] = [];
  if (r.const !== undefined && cmp(value, r.const) !== 0) out.push({ rule: 'const', message: `must equal ${show(r.const)}` });
  if (r.in && r.in.length > 0 && !r.in.some((x) => cmp(value, x) === 0)) out.push({ rule: 'in', message: `must be one of ${r.in.map(show).join(', ')}` });
  if (r.not_in?.some((x) => cmp(value, x) === 0)) out.push({ rule: 'not_in', message: `must not be one of ${r.not_in.map(show).join(', ')}` });
  const lower = r.gt !== undefined ? { rule: 'gt', v: r.gt, ok: (x: T) => cmp(x, r.gt!) > 0, text: 'greater than' } : r.gte !== undefined ? { rule: 'gte', v: r.gte, ok: (x: T) => cmp(x, r.gte!) >= 0, text: 'greater than or equal to' } : undefined;
  const upper = r.lt !== undefined ? { rule: 'lt', v: r.lt, ok: (x: T) => cmp(x, r.lt!) < 0, text: 'less than' } : r.lte !== undefined ? { rule: 'lte', v: r.lte, ok: (x: T) => cmp(x, r.lte!) <= 0, text: 'less than or equal to' } : undefined;
  if (lower && upper) {
    const inside = cmp(upper.v, lower.v) > 0;
    const ok = inside ? lower.ok(value) && upper.ok(value) : lower.ok(value) || upper.ok(value);
    if (!ok) {
      const open = lower.rule === 'gt' ? '(' : '[';
      const close = upper.rule === 'lt' ? ')' : ']';
      const range = `${open}${show(lower.v)}, ${show(upper.v)}${close}`;
      out.push({ rule: `${lower.rule},${upper.rule}`, message: inside ? `must be inside range ${range}` : `must be ${lower.text} ${show(lower.v)} or ${upper.text} ${show(upper.v)}` });
    }
  } else if (lower && !lower.ok(value)) out.push({ rule: lower.rule, message: `must be ${lower.text} ${show(lower.v)}` });
  else if (upper && !upper.ok(value)) out.push({ rule: upper.rule, message: `must be ${upper.text} ${show(upper.v)}` });
  return out;
}

/** A repeated rule value as protobufjs parses it: a list, or the single value of a one-item list. */
export function listOf(v: unknown): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? v : [v];
}

/** A duration or timestamp ({seconds, nanos}, numbers, strings or Longs) in nanoseconds. */
export function nanosOf(v: unknown): bigint {
  if (typeof v !== 'object' || v === null) return 0n;
  const o = v as { seconds?: unknown; nanos?: unknown };
  return integerOf(o.seconds ?? 0) * 1_000_000_000n + integerOf(o.nanos ?? 0);
}

/** An integer field's value (number, numeric string, or a protobufjs Long) as a bigint. */
export function integerOf(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'object' && v !== null && typeof (v as { toString: unknown }).toString === 'function') {
    const s = String(v);
    if (/^-?\d+$/.test(s)) return BigInt(s);
  }
  return 0n;
}

/** A duration as Envoy and PGV print it: "1.5s", "0s". */
export function showNanos(n: bigint): string {
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const s = abs / 1_000_000_000n;
  const frac = (abs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${s}${frac ? `.${frac}` : ''}s`;
}
