import * as path from 'node:path';
import type { FileToWrite } from './types';

/** X-Ray's own default sampling rate: no manifest needed for it. */
const XRAY_DEFAULT_RATE = 0.05;
export const SAMPLING_RULES_FILE = 'sampling-rules.json';

/**
 * XRAY_SAMPLING_RATE -> the rate to use, rounded to 2 decimals after a 32-bit float
 * parse (as the reference): 0.1451 -> 0.15. Undefined when the text is not a rate in [0, 1].
 */
export function roundSamplingRate(text: string): number | undefined {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text.trim())) return undefined;
  const rate = Math.fround(Number(text));
  if (!(rate >= 0 && rate <= 1)) return undefined;
  return Math.round(rate * 100) / 100;
}

/** The manifest file for a fixed rate, or undefined when the rate is X-Ray's default (5%). */
export function samplingRateFile(rate: number, tmpDir: string): FileToWrite | undefined {
  if (rate === XRAY_DEFAULT_RATE) return undefined;
  const manifest = {
    version: 2,
    default: { service_name: '', host: '', http_method: '', url_path: '', fixed_target: 1, rate },
    rules: [],
  };
  return { variable: 'XRAY_SAMPLING_RATE', path: path.join(tmpDir, SAMPLING_RULES_FILE), content: JSON.stringify(manifest), mode: 0o644 };
}

type Rule = Record<string, unknown>;

function isRule(v: unknown): v is Rule {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const STRING_KEYS = ['description', 'service_name', 'host', 'http_method', 'url_path'] as const;

/** Type errors a JSON decoder into the SDK's manifest struct would report. */
function ruleTypeErrors(rule: Rule, where: string): string[] {
  const out: string[] = [];
  for (const k of STRING_KEYS) if (rule[k] !== undefined && typeof rule[k] !== 'string') out.push(`${where}.${k} must be a string`);
  if (rule.fixed_target !== undefined && !Number.isInteger(rule.fixed_target)) out.push(`${where}.fixed_target must be an integer`);
  if (rule.rate !== undefined && typeof rule.rate !== 'number') out.push(`${where}.rate must be a number`);
  return out;
}

const set = (rule: Rule, key: string): boolean => typeof rule[key] === 'string' && rule[key] !== '';
const negative = (rule: Rule): boolean => (typeof rule.fixed_target === 'number' && rule.fixed_target < 0) || (typeof rule.rate === 'number' && rule.rate < 0);

/**
 * Validate an X-Ray local sampling rule manifest the way the X-Ray SDK does
 * (docs/reference-agent/bootstrap.md#x-ray), then refuse version 1 (Envoy needs
 * `host`-based version 2 rules). Returns every problem found, empty when the manifest is
 * usable.
 */
export function validateSamplingManifest(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return [`not valid JSON (${(e as Error).message})`];
  }
  if (!isRule(doc)) return ['not a JSON object'];
  const out: string[] = [];
  const version = doc.version;
  if (version !== 1 && version !== 2) out.push(`version must be 1 or 2 (got ${JSON.stringify(version)})`);
  const def = doc.default;
  if (!isRule(def)) out.push('a default rule is required');
  else {
    out.push(...ruleTypeErrors(def, 'default'));
    if (set(def, 'url_path') || set(def, 'service_name') || set(def, 'http_method')) out.push('the default rule must not set url_path, service_name or http_method');
    if (negative(def)) out.push('the default rule needs non-negative fixed_target and rate');
  }
  const rules = doc.rules ?? [];
  if (!Array.isArray(rules)) out.push('rules must be a list');
  else {
    rules.forEach((rule: unknown, i: number) => {
      const where = `rules[${i}]`;
      if (!isRule(rule)) return void out.push(`${where} must be an object`);
      out.push(...ruleTypeErrors(rule, where));
      if (negative(rule)) out.push(`${where} needs non-negative fixed_target and rate`);
      if (version === 2) {
        if (set(rule, 'service_name')) out.push(`${where}: service_name is not allowed in version 2 (use host)`);
        if (!set(rule, 'host') || !set(rule, 'http_method') || !set(rule, 'url_path')) out.push(`${where} must set host, http_method and url_path`);
      }
    });
  }
  if (version === 1) out.push('version 1 manifests are not supported by Envoy; use version 2');
  return out;
}
