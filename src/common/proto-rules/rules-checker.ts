import * as protobuf from 'protobufjs';
import { checkBounds, integerOf, listOf, nanosOf, showNanos, type BoundRules, type Broken } from './bounds';
import { checkBytes, checkString, type BytesRules, type StringRules } from './string-rules';

/**
 * Envoy's `validate.rules`: the protoc-gen-validate (PGV) constraints
 * annotated on the fields of Envoy's protos — required fields and oneofs,
 * minimums and maximums, string lengths and patterns, enum `defined_only`,
 * `min_items`, duration bounds — which Envoy checks on every resource and
 * bootstrap it loads (a broken one is a NACK, or a bootstrap that does not
 * start). protobufjs keeps them in each field's `parsedOptions`, so this
 * checks a message against the protos it was encoded with, with PGV's
 * meanings:
 *
 *  - scalar rules hold for the field's value, set or not (an unset uint32 is
 *    0), unless `ignore_empty` and the value is empty, or the field is a oneof
 *    member or proto3 `optional` that is not set;
 *  - message-typed fields: `required` needs them set; a set one is checked in
 *    turn (unless `skip`); wrappers (UInt32Value …) take the scalar rules of
 *    their value when set; Duration/Timestamp/Any have their own rules;
 *  - repeated fields: `min_items`, `max_items`, `unique`, `items` for each;
 *    maps: `min_pairs`, `max_pairs`, `keys`, `values`;
 *  - a oneof marked `(validate.required)` needs one member set;
 *  - an Any's message is checked too, as Envoy unpacks and checks it.
 *
 * Pure: no I/O; the closest check to `envoy --mode validate` there is without
 * an Envoy binary.
 */

export interface RuleViolation {
  /** The field's path from the checked message ("filter_chains[0].filters[0].typed_config.stat_prefix"). */
  path: string;
  /** The rule, as written in the protos ("(validate.rules).string.min_len"). */
  rule: string;
  message: string;
}

type Obj = Record<string, unknown>;
type Rules = Record<string, Obj | undefined>;

const MAX_DEPTH = 64;
const MAX_VIOLATIONS = 50;
const INTEGER_KINDS = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);
const WRAPPER_KIND: Record<string, string> = {
  '.google.protobuf.DoubleValue': 'double',
  '.google.protobuf.FloatValue': 'float',
  '.google.protobuf.Int64Value': 'int64',
  '.google.protobuf.UInt64Value': 'uint64',
  '.google.protobuf.Int32Value': 'int32',
  '.google.protobuf.UInt32Value': 'uint32',
  '.google.protobuf.BoolValue': 'bool',
  '.google.protobuf.StringValue': 'string',
  '.google.protobuf.BytesValue': 'bytes',
};
/** Types with no rules inside (free-form JSON). */
const OPAQUE = new Set(['.google.protobuf.Struct', '.google.protobuf.Value', '.google.protobuf.ListValue', '.google.protobuf.Empty']);

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `(validate.rules)` of a field, merged from its parsed options (or undefined). */
function fieldRules(field: protobuf.FieldBase): Rules | undefined {
  let out: Rules | undefined;
  for (const o of (field.parsedOptions as ReadonlyArray<Obj> | undefined) ?? []) {
    const r = (o as Obj)['(validate.rules)'];
    if (isObj(r)) out = { ...out, ...(r as Rules) };
  }
  return out;
}

function hasOption(options: ReadonlyArray<Obj> | undefined, name: string): boolean {
  return (options ?? []).some((o) => o[name] === true);
}

/** A field's value on a message as protobufjs decodes or builds it, and whether the field is set. */
function read(msg: Obj, field: protobuf.FieldBase): { value: unknown; set: boolean } {
  const value = msg[field.name];
  if (value === undefined || value === null) return { value: undefined, set: false };
  // A oneof member (proto3 `optional` too) is set only when it was given; other fields by value.
  if (field.partOf) return { value, set: Object.prototype.hasOwnProperty.call(msg, field.name) };
  return { value, set: true };
}

/** PGV's "empty" for `ignore_empty`: the type's default value. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return true;
  if (typeof v === 'string') return v === '';
  if (typeof v === 'number') return v === 0;
  if (v instanceof Uint8Array) return v.length === 0;
  return String(v) === '0';
}

export class RulesChecker {
  private readonly cache = new Map<protobuf.FieldBase, Rules | null>();

  constructor(private readonly root: protobuf.Root) {}

  /** Every broken rule in `message` (a protobufjs message or plain object of `type`), up to 50. */
  check(type: protobuf.Type, message: Obj): RuleViolation[] {
    const out: RuleViolation[] = [];
    this.message(type, message, '', 0, out);
    return out;
  }

  /** Decode `bytes` as the message named by `typeUrl` and check it (unknown types: nothing to check). */
  checkEncoded(typeUrl: string, bytes: Uint8Array): RuleViolation[] {
    const type = this.lookup(typeUrl);
    return type ? this.check(type, type.decode(bytes) as unknown as Obj) : [];
  }

  private lookup(typeUrl: string): protobuf.Type | undefined {
    const t = this.root.lookup(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
    return t instanceof protobuf.Type ? t : undefined;
  }

  private rulesOf(field: protobuf.FieldBase): Rules | undefined {
    let r = this.cache.get(field);
    if (r === undefined) {
      r = fieldRules(field) ?? null;
      this.cache.set(field, r);
    }
    return r ?? undefined;
  }

  private message(type: protobuf.Type, msg: Obj, path: string, depth: number, out: RuleViolation[]): void {
    if (depth > MAX_DEPTH || out.length >= MAX_VIOLATIONS || OPAQUE.has(type.fullName)) return;
    const opts = type.parsedOptions as ReadonlyArray<Obj> | undefined;
    if (hasOption(opts, '(validate.disabled)') || hasOption(opts, '(validate.ignored)')) return;
    const at = (name: string) => (path ? `${path}.${name}` : name);
    for (const oneof of type.oneofsArray) {
      if (!hasOption(oneof.parsedOptions as ReadonlyArray<Obj> | undefined, '(validate.required)')) continue;
      if (!oneof.fieldsArray.some((f) => read(msg, f).set)) {
        out.push({ path: path || type.name, rule: '(validate.required)', message: `one of ${oneof.oneof.join(', ')} is required` });
      }
    }
    for (const field of type.fieldsArray) {
      field.resolve();
      const rules = this.rulesOf(field);
      const { value, set } = read(msg, field);
      const p = at(field.name);
      if (field instanceof protobuf.MapField) this.map(field, isObj(value) ? value : {}, rules, p, depth, out);
      else if (field.repeated) this.repeated(field, Array.isArray(value) ? value : [], rules, p, depth, out);
      else this.single(field, value, set, rules, p, depth, out);
    }
  }

  private repeated(field: protobuf.FieldBase, items: unknown[], rules: Rules | undefined, path: string, depth: number, out: RuleViolation[]): void {
    const r = rules?.['repeated'];
    if (r && !(r['ignore_empty'] === true && items.length === 0)) {
      if (typeof r['min_items'] === 'number' && items.length < r['min_items']) this.add(out, path, 'repeated.min_items', `must have at least ${r['min_items']} item(s)`);
      if (typeof r['max_items'] === 'number' && items.length > r['max_items']) this.add(out, path, 'repeated.max_items', `must have at most ${r['max_items']} item(s)`);
      if (r['unique'] === true) {
        const keys = items.map((x) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
        if (new Set(keys).size !== keys.length) this.add(out, path, 'repeated.unique', 'must have unique items');
      }
    }
    const itemRules = isObj(r?.['items']) ? (r!['items'] as Rules) : undefined;
    items.forEach((item, i) => this.single(field, item, item !== undefined && item !== null, itemRules, `${path}[${i}]`, depth, out, 'repeated.items.'));
  }

  private map(field: protobuf.MapField, entries: Obj, rules: Rules | undefined, path: string, depth: number, out: RuleViolation[]): void {
    const r = rules?.['map'];
    const keys = Object.keys(entries);
    if (r && !(r['ignore_empty'] === true && keys.length === 0)) {
      if (typeof r['min_pairs'] === 'number' && keys.length < r['min_pairs']) this.add(out, path, 'map.min_pairs', `must have at least ${r['min_pairs']} pair(s)`);
      if (typeof r['max_pairs'] === 'number' && keys.length > r['max_pairs']) this.add(out, path, 'map.max_pairs', `must have at most ${r['max_pairs']} pair(s)`);
    }
    const keyRules = isObj(r?.['keys']) ? (r!['keys'] as Rules) : undefined;
    const valueRules = isObj(r?.['values']) ? (r!['values'] as Rules) : undefined;
    for (const k of keys) {
      const kp = `${path}[${JSON.stringify(k)}]`;
      if (keyRules) this.scalar(field.keyType, k, keyRules, `${kp}<key>`, out, 'map.keys.');
      this.single(field, entries[k], true, valueRules, kp, depth, out, 'map.values.');
    }
  }

  private single(field: protobuf.FieldBase, value: unknown, set: boolean, rules: Rules | undefined, path: string, depth: number, out: RuleViolation[], prefix = ''): void {
    // A oneof member's rules (`required` too) apply only when it is the member set.
    if (field.partOf && !set) return;
    const rt = field.resolvedType;
    if (rt instanceof protobuf.Type) {
      this.messageField(rt, value, set, rules, path, depth, out, prefix);
      return;
    }
    if (rt instanceof protobuf.Enum) {
      const r = rules?.['enum'];
      if (!r) return;
      const n = typeof value === 'number' ? value : typeof value === 'string' ? (rt.values[value] ?? NaN) : 0;
      if (r['defined_only'] === true && rt.valuesById[n] === undefined) this.add(out, path, `${prefix}enum.defined_only`, `must be one of the defined values of ${rt.name}, got ${String(value)}`);
      const named = (x: unknown) => (typeof x === 'string' ? (rt.values[x] ?? NaN) : Number(x));
      const b: BoundRules<number> = { in: listOf(r['in'])?.map(named), not_in: listOf(r['not_in'])?.map(named) };
      if (r['const'] !== undefined) b.const = named(r['const']);
      this.bounded(out, path, `${prefix}enum.`, checkBounds(n, b, (x) => rt.valuesById[x] ?? String(x)));
      return;
    }
    if (rules) this.scalar(field.type, value, rules, path, out, prefix);
  }

  private messageField(rt: protobuf.Type, value: unknown, set: boolean, rules: Rules | undefined, path: string, depth: number, out: RuleViolation[], prefix: string): void {
    const name = rt.fullName;
    const wrapped = WRAPPER_KIND[name];
    const required = (kind: string) => rules?.[kind]?.['required'] === true;
    if (!set || !isObj(value)) {
      for (const kind of ['message', 'duration', 'timestamp', 'any']) if (required(kind)) this.add(out, path, `${prefix}${kind}.required`, 'is required');
      return;
    }
    if (rules?.['message']?.['skip'] === true) return;
    if (wrapped !== undefined) {
      if (rules) this.scalar(wrapped, value['value'] ?? (wrapped === 'string' ? '' : wrapped === 'bool' ? false : 0), rules, path, out, prefix, true);
      return;
    }
    if (name === '.google.protobuf.Duration' || name === '.google.protobuf.Timestamp') {
      const kind = name === '.google.protobuf.Duration' ? 'duration' : 'timestamp';
      const r = rules?.[kind];
      if (r) {
        const b: BoundRules<bigint> = {};
        for (const op of ['const', 'lt', 'lte', 'gt', 'gte'] as const) if (isObj(r[op])) b[op] = nanosOf(r[op]);
        b.in = listOf(r['in'])?.map(nanosOf);
        b.not_in = listOf(r['not_in'])?.map(nanosOf);
        this.bounded(out, path, `${prefix}${kind}.`, checkBounds(nanosOf(value), b, showNanos));
      }
      return;
    }
    if (name === '.google.protobuf.Any') {
      const typeUrl = typeof value['type_url'] === 'string' ? value['type_url'] : '';
      const r = rules?.['any'];
      const allowed = listOf(r?.['in']);
      if (allowed && allowed.length > 0 && !allowed.includes(typeUrl)) this.add(out, path, `${prefix}any.in`, `type must be one of ${allowed.join(', ')}`);
      if (listOf(r?.['not_in'])?.includes(typeUrl)) this.add(out, path, `${prefix}any.not_in`, `type must not be ${typeUrl}`);
      const inner = this.lookup(typeUrl);
      const bytes = value['value'];
      if (inner && bytes instanceof Uint8Array) this.message(inner, inner.decode(bytes) as unknown as Obj, path, depth + 1, out);
      return;
    }
    this.message(rt, value, path, depth + 1, out);
  }

  /** The rules of one scalar kind (`wrapped`: a wrapper's value, whose rules name the scalar kind). */
  private scalar(kind: string, value: unknown, rules: Rules, path: string, out: RuleViolation[], prefix: string, wrapped = false): void {
    const r = rules[kind === 'float' ? 'float' : kind];
    if (!r) return;
    if (r['ignore_empty'] === true && !wrapped && isEmpty(value)) return;
    const lists = { ...r, in: listOf(r['in']), not_in: listOf(r['not_in']) };
    if (kind === 'string') {
      this.bounded(out, path, `${prefix}string.`, checkString(typeof value === 'string' ? value : '', lists as StringRules));
    } else if (kind === 'bytes') {
      this.bounded(out, path, `${prefix}bytes.`, checkBytes(value instanceof Uint8Array ? value : new Uint8Array(), lists as BytesRules));
    } else if (kind === 'bool') {
      if (typeof r['const'] === 'boolean' && Boolean(value) !== r['const']) this.add(out, path, `${prefix}bool.const`, `must be ${String(r['const'])}`);
    } else if (INTEGER_KINDS.has(kind)) {
      const b: BoundRules<bigint> = {};
      for (const op of ['const', 'lt', 'lte', 'gt', 'gte'] as const) if (r[op] !== undefined) b[op] = integerOf(r[op]);
      b.in = listOf(r['in'])?.map(integerOf);
      b.not_in = listOf(r['not_in'])?.map(integerOf);
      this.bounded(out, path, `${prefix}${kind}.`, checkBounds(integerOf(value), b, String));
    } else if (kind === 'double' || kind === 'float') {
      const b: BoundRules<number> = {};
      for (const op of ['const', 'lt', 'lte', 'gt', 'gte'] as const) if (typeof r[op] === 'number') b[op] = r[op] as number;
      b.in = listOf(r['in'])?.map(Number);
      b.not_in = listOf(r['not_in'])?.map(Number);
      this.bounded(out, path, `${prefix}${kind}.`, checkBounds(Number(value ?? 0), b, String));
    }
  }

  private bounded(out: RuleViolation[], path: string, rulePrefix: string, broken: Broken[]): void {
    for (const b of broken) this.add(out, path, `${rulePrefix}${b.rule}`, b.message);
  }

  private add(out: RuleViolation[], path: string, rule: string, message: string): void {
    if (out.length < MAX_VIOLATIONS) out.push({ path, rule: `(validate.rules).${rule}`, message });
  }
}

/** "path: message [(validate.rules).x.y]" */
export function formatViolation(v: RuleViolation): string {
  return `${v.path}: ${v.message} [${v.rule}]`;
}
