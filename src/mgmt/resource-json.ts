import * as protobuf from 'protobufjs';

/**
 * Checks a resource written as proto JSON (snake_case field names, nested Any as
 * {"@type": ..., ...}) against its protobufjs type, and rewrites the
 * well-known types that protobufjs' fromObject does not understand in JSON form
 * (Duration "5s", Timestamp strings, wrapper scalars, Struct/Value/ListValue).
 * protobufjs alone silently drops unknown fields and coerces bad values, so
 * every problem found here is reported with its path.
 */

const MAX_DEPTH = 64;
const INT32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32 = new Set(['uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64']);
const UINT64 = new Set(['uint64', 'fixed64']);
const WRAPPERS = new Set(
  ['DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue'].map(
    (n) => `.google.protobuf.${n}`,
  ),
);

type Json = unknown;
type Obj = Record<string, unknown>;

function isObj(v: Json): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export interface JsonCheckerOptions {
  /**
   * Also take proto3 JSON names (camelCase, or a field's json_name), as Envoy's
   * own JSON/YAML loader does (a bootstrap). Resource files keep snake_case
   * only, so a camelCase key there is an error with a hint.
   */
  jsonNames?: boolean;
}

export class JsonChecker {
  readonly problems: string[] = [];

  constructor(
    private readonly root: protobuf.Root,
    private readonly opts: JsonCheckerOptions = {},
  ) {}

  private add(path: string, text: string): void {
    if (this.problems.length < 25) this.problems.push(path ? `${path}: ${text}` : text);
    else if (this.problems.length === 25) this.problems.push('… more problems not shown');
  }

  /** The normalized object (feed it to Type.fromObject), or undefined on a problem at this level. */
  message(type: protobuf.Type, value: Json, path: string, depth = 0): Obj | undefined {
    if (depth > MAX_DEPTH) {
      this.add(path, `nested deeper than ${MAX_DEPTH} levels`);
      return undefined;
    }
    const special = this.wellKnown(type, value, path, depth);
    if (special !== undefined) return special === null ? undefined : special;
    if (!isObj(value)) {
      this.add(path, `expected an object (${type.name}), got ${describe(value)}`);
      return undefined;
    }
    const out: Obj = {};
    for (const [key, v] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      const snake = type.fields[key] ? undefined : type.fieldsArray.find((f) => (f.options?.['json_name'] ?? camel(f.name)) === key);
      const field = type.fields[key] ?? (this.opts.jsonNames ? snake : undefined);
      if (!field) {
        this.add(at, snake ? `unknown field (use snake_case: "${snake.name}")` : `unknown field in ${type.fullName.slice(1)}`);
        continue;
      }
      if (v === null) continue;
      const norm = this.field(field, v, at, depth);
      if (norm !== undefined) out[field.name] = norm;
    }
    for (const oneof of type.oneofsArray) {
      const set = oneof.oneof.filter((n) => out[n] !== undefined && out[n] !== null);
      if (set.length > 1) this.add(path, `only one of ${set.join(', ')} may be set (oneof ${oneof.name})`);
    }
    return out;
  }

  private field(field: protobuf.Field, v: Json, path: string, depth: number): Json {
    if (field instanceof protobuf.MapField) {
      if (!isObj(v)) {
        this.add(path, `expected an object (map), got ${describe(v)}`);
        return undefined;
      }
      const out: Obj = {};
      for (const [k, item] of Object.entries(v)) out[k] = this.single(field, item, `${path}[${JSON.stringify(k)}]`, depth);
      return out;
    }
    if (field.repeated) {
      if (!Array.isArray(v)) {
        this.add(path, `expected a list, got ${describe(v)}`);
        return undefined;
      }
      return v.map((item, i) => this.single(field, item, `${path}[${i}]`, depth));
    }
    return this.single(field, v, path, depth);
  }

  private single(field: protobuf.Field, v: Json, path: string, depth: number): Json {
    const rt = field.resolvedType;
    if (rt instanceof protobuf.Type) return this.message(rt, v, path, depth + 1);
    if (rt instanceof protobuf.Enum) {
      if (typeof v === 'string' && v in rt.values) return v;
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      const names = Object.keys(rt.values);
      this.add(path, `expected one of ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}; got ${describe(v)}`);
      return undefined;
    }
    return this.scalar(field.type, v, path);
  }

  private scalar(type: string, v: Json, path: string): Json {
    const bad = (what: string): undefined => {
      this.add(path, `expected ${what}, got ${describe(v)}`);
      return undefined;
    };
    const intText = typeof v === 'string' && /^-?\d+$/.test(v);
    if (type === 'string') return typeof v === 'string' ? v : bad('a string');
    if (type === 'bool') return typeof v === 'boolean' ? v : bad('true or false');
    if (type === 'bytes') return typeof v === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(v) ? v : bad('base64 text');
    if (type === 'double' || type === 'float') {
      if (typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity') return v;
      return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : bad('a number');
    }
    const n = typeof v === 'number' ? v : intText ? Number(v) : NaN;
    if (INT32.has(type)) return Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 ? n : bad('a 32-bit integer');
    if (UINT32.has(type)) return Number.isInteger(n) && n >= 0 && n < 2 ** 32 ? n : bad('an unsigned 32-bit integer');
    if (INT64.has(type) || UINT64.has(type)) {
      const unsigned = UINT64.has(type);
      if (typeof v === 'number' && Number.isSafeInteger(v) && (!unsigned || v >= 0)) return v;
      if (intText && (!unsigned || !(v as string).startsWith('-'))) return v;
      return bad(unsigned ? 'an unsigned integer' : 'an integer');
    }
    return v;
  }

  /** Well-known types in their JSON form: the normalized value, null on a problem, undefined if not special. */
  private wellKnown(type: protobuf.Type, v: Json, path: string, depth: number): Obj | null | undefined {
    const name = type.fullName;
    if (name === '.google.protobuf.Any') return this.any(v, path, depth);
    if (name === '.google.protobuf.Duration' && typeof v === 'string') {
      const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(v);
      if (!m) return this.fail(path, `expected a duration such as "5s" or "0.25s", got ${describe(v)}`);
      const sign = m[1] ? -1 : 1;
      return { seconds: sign * Number(m[2]), nanos: sign * Number((m[3] ?? '').padEnd(9, '0')) };
    }
    if (name === '.google.protobuf.Timestamp' && typeof v === 'string') {
      const ms = Date.parse(v);
      if (!Number.isFinite(ms)) return this.fail(path, `expected an RFC 3339 timestamp, got ${describe(v)}`);
      return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
    }
    if (WRAPPERS.has(name) && !isObj(v)) {
      const inner = this.scalar(type.fields['value']!.type, v, path);
      return inner === undefined ? null : { value: inner };
    }
    if (name === '.google.protobuf.Struct') return isObj(v) ? this.struct(v, path) : this.fail(path, `expected an object, got ${describe(v)}`);
    if (name === '.google.protobuf.Value') return this.value(v, path);
    if (name === '.google.protobuf.ListValue') {
      return Array.isArray(v) ? { values: v.map((x, i) => this.value(x, `${path}[${i}]`)) } : this.fail(path, 'expected a list');
    }
    return undefined;
  }

  private any(v: Json, path: string, depth: number): Obj | null {
    if (!isObj(v)) return this.fail(path, `expected an object with "@type", got ${describe(v)}`);
    const typeUrl = v['@type'];
    if (typeUrl === undefined && typeof v['type_url'] === 'string') return v; // already {type_url, value}
    if (typeof typeUrl !== 'string' || !typeUrl.includes('/')) {
      return this.fail(path, 'an Any needs "@type": "type.googleapis.com/<full message name>"');
    }
    const inner = this.lookup(typeUrl);
    if (!inner) return this.fail(`${path}.@type`, `unknown type ${typeUrl}`);
    const rest: Obj = { ...v };
    delete rest['@type'];
    const norm = this.message(inner, rest, path, depth + 1);
    return norm ? { '@type': typeUrl, ...norm } : null;
  }

  lookup(typeUrl: string): protobuf.Type | undefined {
    const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
    const t = this.root.lookup(name);
    return t instanceof protobuf.Type ? t : undefined;
  }

  private struct(v: Obj, path: string): Obj {
    const fields: Obj = {};
    for (const [k, x] of Object.entries(v)) fields[k] = this.value(x, `${path}.${k}`);
    return { fields };
  }

  /**
   * A google.protobuf.Value. Its field names are taken from the loaded type:
   * protobufjs' bundled well-known types spell them in camelCase
   * ("stringValue") whatever keepCase says, and a name fromObject does not
   * know is silently dropped (the value would vanish).
   */
  private value(v: Json, path: string): Obj {
    const f = (snake: string) => {
      const fields = this.root.lookupType('google.protobuf.Value').fields;
      return fields[snake] ? snake : camel(snake);
    };
    if (v === null) return { [f('null_value')]: 'NULL_VALUE' };
    if (typeof v === 'number') return { [f('number_value')]: v };
    if (typeof v === 'string') return { [f('string_value')]: v };
    if (typeof v === 'boolean') return { [f('bool_value')]: v };
    if (Array.isArray(v)) return { [f('list_value')]: { values: v.map((x, i) => this.value(x, `${path}[${i}]`)) } };
    if (isObj(v)) return { [f('struct_value')]: this.struct(v, path) };
    this.add(path, `not a JSON value: ${describe(v)}`);
    return { [f('null_value')]: 'NULL_VALUE' };
  }

  private fail(path: string, text: string): null {
    this.add(path, text);
    return null;
  }
}
