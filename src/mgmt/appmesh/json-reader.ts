import { fieldProblem, type Problem } from '../../common/problem';
import { isObject } from '../../common/json-object';
import type { JsonObject } from './types';

/**
 * Reads one resource body (untrusted JSON) field by field and collects every
 * problem as a Problem at `<label>: <path>` (docs/errors.md), so one answer names them all.
 * Each getter returns undefined when the field is absent or bad.
 */

export { isObject } from '../../common/json-object';

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

export interface IntOptions {
  min: number;
  max: number;
  required?: boolean;
}

export class BodyReader {
  constructor(
    private readonly problems: Problem[],
    public label: string,
  ) {}

  problem(path: string, text: string): void {
    this.problems.push(fieldProblem(path, text, this.label));
  }

  at(path: string, key: string | number): string {
    return join(path, key);
  }

  /** An object, or undefined (reported unless optional and absent). */
  object(parent: JsonObject, key: string, path: string, required = false): JsonObject | undefined {
    const v = parent[key];
    const at = join(path, key);
    if (v === undefined || v === null) {
      if (required) this.problem(at, 'required');
      return undefined;
    }
    if (!isObject(v)) {
      this.problem(at, `expected an object, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  list(parent: JsonObject, key: string, path: string, opts: { required?: boolean; min?: number; max?: number } = {}): unknown[] | undefined {
    const v = parent[key];
    const at = join(path, key);
    if (v === undefined || v === null) {
      if (opts.required) this.problem(at, 'required');
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.problem(at, `expected a list, got ${describe(v)}`);
      return undefined;
    }
    if (opts.min !== undefined && v.length < opts.min) this.problem(at, `expected at least ${opts.min} item${opts.min === 1 ? '' : 's'}, got ${v.length}`);
    if (opts.max !== undefined && v.length > opts.max) this.problem(at, `expected at most ${opts.max} items, got ${v.length}`);
    return v;
  }

  /** The objects of a list, with their paths; non-objects are reported and skipped. */
  objects(parent: JsonObject, key: string, path: string, opts: { required?: boolean; min?: number; max?: number } = {}): Array<[JsonObject, string]> {
    const items = this.list(parent, key, path, opts) ?? [];
    const out: Array<[JsonObject, string]> = [];
    items.forEach((item, i) => {
      const at = join(join(path, key), i);
      if (isObject(item)) out.push([item, at]);
      else this.problem(at, `expected an object, got ${describe(item)}`);
    });
    return out;
  }

  string(parent: JsonObject, key: string, path: string, opts: { required?: boolean; pattern?: RegExp; patternText?: string } = {}): string | undefined {
    const v = parent[key];
    const at = join(path, key);
    if (v === undefined || v === null) {
      if (opts.required) this.problem(at, 'required');
      return undefined;
    }
    if (typeof v !== 'string' || v === '') {
      this.problem(at, `expected a non-empty string, got ${describe(v)}`);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(v)) {
      this.problem(at, `${describe(v)} is not ${opts.patternText ?? `a match for ${String(opts.pattern)}`}`);
      return undefined;
    }
    return v;
  }

  oneOf<T extends string>(parent: JsonObject, key: string, path: string, values: readonly T[], required = false): T | undefined {
    const v = parent[key];
    if (v === undefined || v === null) {
      if (required) this.problem(join(path, key), `required: one of ${values.join(', ')}`);
      return undefined;
    }
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.problem(join(path, key), `expected one of ${values.join(', ')}, got ${describe(v)}`);
      return undefined;
    }
    return v as T;
  }

  int(parent: JsonObject, key: string, path: string, opts: IntOptions): number | undefined {
    const v = parent[key];
    const at = join(path, key);
    if (v === undefined || v === null) {
      if (opts.required) this.problem(at, `required: an integer ${opts.min}-${opts.max}`);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < opts.min || v > opts.max) {
      this.problem(at, `expected an integer ${opts.min}-${opts.max}, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  bool(parent: JsonObject, key: string, path: string): boolean | undefined {
    const v = parent[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.problem(join(path, key), `expected true or false, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  /** Reports keys other than `known` (and `ignored`, which App Mesh has but this model does not use). */
  keys(o: JsonObject, path: string, known: readonly string[], ignored: readonly string[] = []): void {
    for (const k of Object.keys(o)) {
      if (known.includes(k) || ignored.includes(k)) continue;
      this.problem(join(path, k), `unknown field (expected ${known.join(', ')})`);
    }
  }

  /** Exactly one of `choices` must be set; returns which. */
  exactlyOne<T extends string>(o: JsonObject, path: string, choices: readonly T[], what: string): T | undefined {
    const set = choices.filter((c) => o[c] !== undefined && o[c] !== null);
    if (set.length === 1) return set[0];
    this.problem(path, set.length === 0 ? `${what}: one of ${choices.join(', ')} is required` : `${what}: only one of ${set.join(', ')} may be set`);
    return undefined;
  }

  /** An App Mesh Duration {"unit": "s"|"ms", "value": n}, in milliseconds. */
  durationMs(parent: JsonObject, key: string, path: string, required = false): number | undefined {
    const d = this.object(parent, key, path, required);
    if (!d) return undefined;
    const at = join(path, key);
    this.keys(d, at, ['unit', 'value']);
    const unit = this.oneOf(d, 'unit', at, ['s', 'ms'] as const, true);
    const value = this.int(d, 'value', at, { min: 0, max: Number.MAX_SAFE_INTEGER, required: true });
    if (unit === undefined || value === undefined) return undefined;
    return unit === 's' ? value * 1000 : value;
  }
}
