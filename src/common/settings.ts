import { formatDurationS } from './duration';
import type { EnvReader } from './env';

/**
 * One declaration per setting: its variable (and flag), what it accepts, its default and
 * what it means. Each daemon keeps a constant table of these; reading goes through an
 * EnvReader (so every problem is still reported at once, each naming its variable), and
 * the README tables and `--help` are rendered from the same table (settings-render.ts),
 * so the documentation cannot drift from the parsing. Pure: no I/O, no state.
 */

/** What a setting accepts: drives how it is read and how its accepted form is written. */
export type SettingKind =
  | { readonly type: 'text' }
  | { readonly type: 'int'; readonly min?: number; readonly max?: number }
  | { readonly type: 'number'; readonly min?: number; readonly max?: number; readonly exclusiveMin?: number }
  | { readonly type: 'bool' }
  | { readonly type: 'port' }
  | { readonly type: 'duration'; readonly allowZero: boolean; readonly maxMs?: number }
  | { readonly type: 'enum'; readonly choices: readonly string[] }
  | { readonly type: 'socketPath' }
  /** Read by its own parser (or by the daemon's special logic); its form is written by hand. */
  | { readonly type: 'custom' };

/** What the documentation needs of a setting (the README tables, `--help`). */
export interface SettingDoc {
  /** The environment variable. */
  readonly env: string;
  /** Variables read in its place when it is unset, in order (deprecated names, aliases). */
  readonly or: readonly string[];
  /** The command-line flag that sets it too (a flag wins over the variable). */
  readonly flag: string | undefined;
  /** The flag's argument, as `--help` writes it (`<file>`). */
  readonly arg: string | undefined;
  readonly kind: SettingKind;
  /** Markdown: the default as documented (derived defaults in words). */
  readonly defaultText: string;
  /** Markdown: the accepted form. */
  readonly form: string;
  /** Markdown: what it means (the README's "meaning" column). */
  readonly help: string;
}

export interface ReadOptions<T> {
  /** The name to read and report under (a flag's, when the value came from one). Default: the variable, or the first of `or` that is set. */
  name?: string;
  /** A default that depends on other settings (the port of APPMESH_XDS_ENDPOINT, a level derived from another). */
  fallback?: T;
}

export interface Setting<T> extends SettingDoc {
  /** The default value. */
  readonly fallback: T;
  /** The value, or the default (when unset, and when bad: the problem is recorded in `r`). */
  read(r: EnvReader, opts?: ReadOptions<T>): T;
}

/** What every declaration gives. */
export interface SettingSpec {
  env: string;
  help: string;
  or?: readonly string[];
  flag?: string;
  arg?: string;
  /** The default as documented, when the value alone does not say it ("unset: no admin API", "the domain"). */
  shown?: string;
  /** The accepted form as documented, when the kind alone does not say it ("path", "file name"). */
  form?: string;
}

/** Unix socket paths are limited to 107 bytes (sun_path). */
export const MAX_UDS_PATH = 107;

/** Markdown inline code, or a dash for "no default". */
export function code(value: string | number | boolean | undefined): string {
  return value === undefined ? '—' : `\`${String(value)}\``;
}

type Reader<T> = (r: EnvReader, name: string, fallback: T) => T;

function make<T>(spec: SettingSpec, kind: SettingKind, fallback: T, generated: { form: string; shown: string }, read: Reader<T>): Setting<T> {
  const names = [spec.env, ...(spec.or ?? [])];
  return {
    env: spec.env,
    or: spec.or ?? [],
    flag: spec.flag,
    arg: spec.arg,
    kind,
    defaultText: spec.shown ?? generated.shown,
    form: spec.form ?? generated.form,
    help: spec.help,
    fallback,
    read(r, opts) {
      const name = opts?.name ?? names.find((n) => r.has(n)) ?? spec.env;
      return read(r, name, opts?.fallback ?? fallback);
    },
  };
}

/** The accepted form of a number: "2000–30000", "integer ≥ -1", "number > 0, ≤ 10240", with a unit in parentheses. */
export function rangeForm(what: string, opts: { min?: number; max?: number; exclusiveMin?: number; unit?: string }): string {
  const { min, max, exclusiveMin, unit } = opts;
  let form: string;
  if (min !== undefined && max !== undefined && exclusiveMin === undefined) form = `${min}–${max}`;
  else {
    const bounds = [exclusiveMin !== undefined ? `> ${exclusiveMin}` : '', min !== undefined ? `≥ ${min}` : '', max !== undefined ? `≤ ${max}` : ''].filter(Boolean);
    form = bounds.length === 0 ? what : `${what} ${bounds.join(', ')}`;
  }
  return unit === undefined ? form : `${form} (${unit})`;
}

/** Free text (or a path, a file name… said by `form`); an empty value counts as unset. */
export function text(spec: SettingSpec & { default: string }): Setting<string>;
export function text(spec: SettingSpec): Setting<string | undefined>;
export function text(spec: SettingSpec & { default?: string }): Setting<string | undefined> {
  return make(spec, { type: 'text' }, spec.default, { form: 'text', shown: code(spec.default) }, (r, name, fb) => r.string(name) ?? fb);
}

export function int(spec: SettingSpec & { default: number; min?: number; max?: number; unit?: string }): Setting<number> {
  const { min, max } = spec;
  return make(spec, { type: 'int', min, max }, spec.default, { form: rangeForm('integer', spec), shown: code(spec.default) }, (r, name, fb) => r.int(name, fb, { min, max }));
}

/** A decimal number (`1.5`). */
export function decimal(spec: SettingSpec & { default: number; min?: number; max?: number; exclusiveMin?: number; unit?: string }): Setting<number> {
  const { min, max, exclusiveMin } = spec;
  return make(spec, { type: 'number', min, max, exclusiveMin }, spec.default, { form: rangeForm('number', spec), shown: code(spec.default) }, (r, name, fb) =>
    r.number(name, fb, { min, max, exclusiveMin }),
  );
}

/** 1/0, true/false, t/f, yes/no, on/off, any case. */
export function bool(spec: SettingSpec & { default: boolean }): Setting<boolean> {
  return make(spec, { type: 'bool' }, spec.default, { form: 'boolean', shown: code(spec.default) }, (r, name, fb) => r.bool(name, fb));
}

export function port(spec: SettingSpec & { default: number }): Setting<number> {
  return make(spec, { type: 'port' }, spec.default, { form: '1–65535', shown: code(spec.default) }, (r, name, fb) => r.port(name, fb));
}

/** A limit the way a person writes it: `1h`, `5m`, else seconds. */
function roundDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return formatDurationS(ms);
}

/** Envoy's duration form (`300s`, `1.5s`, `250ms`, `5m`, `1h`), in milliseconds; `allowZero`: `0` disables. */
export function duration(spec: SettingSpec & { defaultMs: number; allowZero?: boolean; maxMs?: number }): Setting<number> {
  const allowZero = spec.allowZero ?? false;
  const { maxMs } = spec;
  const form = `duration${allowZero ? '' : ' > 0'}${maxMs !== undefined ? `, ≤ ${roundDuration(maxMs)}` : ''}${allowZero ? '; `0` disables' : ''}`;
  const shown = code(spec.defaultMs === 0 && allowZero ? '0' : formatDurationS(spec.defaultMs));
  return make(spec, { type: 'duration', allowZero, maxMs }, spec.defaultMs, { form, shown }, (r, name, fb) => r.durationMs(name, fb, { allowZero, maxMs }));
}

/** One of a few words, any case (read lower-cased). */
export function choice<T extends string>(spec: SettingSpec & { choices: readonly T[]; default: T }): Setting<T> {
  const { choices } = spec;
  return make(spec, { type: 'enum', choices }, spec.default, { form: choices.map(code).join(', '), shown: code(spec.default) }, (r, name, fb) => r.oneOf(name, choices, fb));
}

/** An absolute path a Unix socket can be bound at (at most 107 bytes). */
export function socketPath(spec: SettingSpec & { default: string }): Setting<string> {
  return make(spec, { type: 'socketPath' }, spec.default, { form: `absolute path, ≤ ${MAX_UDS_PATH} bytes`, shown: code(spec.default) }, (r, name, fb) => {
    const path = r.string(name, fb);
    checkSocketPath(r, name, path);
    return path;
  });
}

type CustomSpec = SettingSpec & { form: string };

/**
 * A variable with its own parser, or (without `read`) one the daemon reads with special
 * logic (fallback chains, JSON): declared here all the same, so docs and help come from one place.
 */
export function custom<T>(spec: CustomSpec & { default: T; read: Reader<T> }): Setting<T>;
export function custom(spec: CustomSpec): Setting<string | undefined>;
export function custom<T>(spec: CustomSpec & { default?: T; read?: Reader<T> }): Setting<T | string | undefined> {
  const own = spec.read;
  // Without its own parser the raw text is kept (the daemon's special logic checks it).
  const read: Reader<T | string | undefined> = own ? (r, name, fb) => own(r, name, fb as T) : (r, name, fb) => r.string(name) ?? fb;
  return make<T | string | undefined>(spec, { type: 'custom' }, spec.default, { form: spec.form, shown: code(spec.default === undefined ? undefined : String(spec.default)) }, read);
}

/** Record a problem unless `path` can be a Unix socket's path. */
export function checkSocketPath(r: EnvReader, name: string, path: string): void {
  if (!path.startsWith('/')) r.problem(name, path, 'an absolute path');
  else if (Buffer.byteLength(path) > MAX_UDS_PATH) r.problem(name, path, `a path of at most ${MAX_UDS_PATH} bytes (Unix socket limit)`);
}
