import { Findings } from './findings';
import type { Json, JsonObject } from './types';

/** The custom configuration files, in merge order (docs/reference-agent/bootstrap.md#custom-files). */
export const CUSTOM_FILE_VARS = ['ENVOY_TRACING_CFG_FILE', 'ENVOY_STATS_CONFIG_FILE', 'ENVOY_STATS_SINKS_CFG_FILE', 'ENVOY_RESOURCES_CONFIG_FILE'] as const;
export type CustomFileVar = (typeof CUSTOM_FILE_VARS)[number];

/** One custom file, already parsed (YAML or JSON). */
export interface CustomDocument {
  variable: CustomFileVar;
  path: string;
  doc: unknown;
}

const STATIC_LISTS = ['listeners', 'clusters', 'secrets'] as const;

const isObj = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Top-level keys only: `dynamic_resources` -> `dynamicResources`. */
export function lowerCamel(key: string): string {
  return key.replace(/_+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function brief(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function mergeStaticResources(out: JsonObject, value: JsonObject, fail: (msg: string) => void, warn: (msg: string) => void): void {
  const current = out.staticResources;
  if (!isObj(current)) {
    out.staticResources = value;
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const list = (STATIC_LISTS as readonly string[]).includes(k) ? k : undefined;
    if (list === undefined) {
      warn(`static resources key "${k}" is not merged into an existing staticResources (only listeners, clusters and secrets are)`);
      continue;
    }
    if (!Array.isArray(v)) return fail(`staticResources.${k} to be a list`);
    const existing = current[list];
    current[list] = [...(Array.isArray(existing) ? existing : []), ...v];
  }
}

function mergeDocument(out: JsonObject, d: CustomDocument, f: Findings): void {
  const fail = (msg: string): void => f.problem(d.variable, d.path, msg);
  const doc = structuredClone(d.doc) as JsonObject;
  const groups = new Map<string, string[]>();
  for (const key of Object.keys(doc)) {
    const norm = lowerCamel(key);
    groups.set(norm, [...(groups.get(norm) ?? []), key]);
  }
  for (const [key, spellings] of groups) {
    if (spellings.length > 1) {
      fail(`one spelling per key (it has ${spellings.join(' and ')})`);
      continue;
    }
    const value = doc[spellings[0]!] as Json;
    if (key === 'tracing') {
      if (out.tracing !== undefined) fail('no tracing section: multiple tracing configurations were specified');
      else out.tracing = value;
    } else if (key === 'statsConfig') {
      if (out.statsConfig !== undefined) fail('no stats_config section: multiple stats configurations were specified');
      else out.statsConfig = value;
    } else if (key === 'statsSinks') {
      if (!Array.isArray(value)) fail('stats_sinks to be a list');
      else out.statsSinks = [...(Array.isArray(out.statsSinks) ? out.statsSinks : []), ...value];
    } else if (key === 'staticResources') {
      if (!isObj(value)) fail('static_resources to be a mapping');
      else mergeStaticResources(out, value, fail, (m) => f.warn(`${d.variable} ${d.path}: ${m}`));
    } else {
      if (out[key] !== undefined) f.warn(`${d.variable} ${d.path} replaces ${key}: was ${brief(out[key])}, now ${brief(value)}`);
      out[key] = value;
    }
  }
}

const isEmptyDoc = (doc: unknown): boolean => doc === null || doc === undefined || (isObj(doc) && Object.keys(doc).length === 0);

/**
 * Merge the custom files into the generated bootstrap
 * (docs/reference-agent/bootstrap.md#custom-files), in CUSTOM_FILE_VARS order. Only
 * top-level keys are normalized to lowerCamelCase; `tracing` and `statsConfig` may be given
 * once, `statsSinks` and the static resource lists are appended, anything else replaces the
 * existing value. Pure; throws one ConfigError listing every problem, each naming its
 * variable and path.
 */
export function mergeCustomConfig(base: Readonly<JsonObject>, docs: readonly CustomDocument[]): { bootstrap: JsonObject; warnings: string[] } {
  const f = new Findings();
  const out = structuredClone(base) as JsonObject;
  const ordered = [...docs].sort((a, b) => CUSTOM_FILE_VARS.indexOf(a.variable) - CUSTOM_FILE_VARS.indexOf(b.variable));
  for (const d of ordered) {
    if (isEmptyDoc(d.doc)) {
      if (d.variable === 'ENVOY_RESOURCES_CONFIG_FILE') f.warn(`${d.variable} ${d.path} is empty; nothing merged`);
      else f.problem(d.variable, d.path, 'a non-empty YAML or JSON document (the file is empty)');
      continue;
    }
    if (!isObj(d.doc)) {
      f.problem(d.variable, d.path, 'a YAML or JSON mapping of bootstrap keys (the document is not a mapping)');
      continue;
    }
    const before = f.problems.length;
    mergeDocument(out, d, f);
    const sinks = out.statsSinks;
    if (d.variable === 'ENVOY_STATS_SINKS_CFG_FILE' && f.problems.length === before && !(Array.isArray(sinks) && sinks.length > 0)) {
      f.problem(d.variable, d.path, 'a file with a stats_sinks list (it contained no valid stats_sinks configuration)');
    }
  }
  f.throwIfAny();
  return { bootstrap: out, warnings: f.warnings };
}
