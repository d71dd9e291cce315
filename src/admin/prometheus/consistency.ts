import { formatLabels, labelKey } from './labels';
import { METRIC_TYPES, sampleKindOf, type MetricFamily, type Sample } from './model';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MAX_LISTED = 10;

/** The metric set cannot be exposed as valid Prometheus text; lists every problem found. */
export class InconsistentMetricsError extends Error {
  override readonly name = 'InconsistentMetricsError';
  constructor(readonly problems: readonly string[]) {
    const listed = problems.slice(0, MAX_LISTED).join('; ');
    const more = problems.length > MAX_LISTED ? `; and ${problems.length - MAX_LISTED} more` : '';
    super(`inconsistent metric set: ${listed}${more}`);
  }
}

/**
 * Every reason the families cannot be rendered as one valid exposition, in
 * the spirit of client_golang's gathering checks: invalid metric or label
 * names (legacy charset; `__` prefixes are reserved), a family name seen
 * twice, series names colliding across families (`foo` histogram vs a `foo_count`
 * family), a sample whose kind does not match its family type, a histogram
 * with an `le` label or a summary with a `quantile` label among its labels,
 * bucket bounds / quantiles that are NaN or not strictly increasing, a label
 * name repeated within a sample, and two samples with the same label set.
 * Families without samples are ignored (they are never rendered).
 */
export function consistencyProblems(families: readonly MetricFamily[]): string[] {
  const problems: string[] = [];
  const familyNames = new Set<string>();
  const seriesOwner = new Map<string, string>();
  for (const f of families) {
    if (f.samples.length === 0) continue;
    const fam = JSON.stringify(f.name);
    if (!METRIC_NAME.test(f.name)) problems.push(`invalid metric name ${fam}`);
    if (!(METRIC_TYPES as readonly string[]).includes(f.type)) problems.push(`family ${fam} has unknown type ${JSON.stringify(f.type)}`);
    if (familyNames.has(f.name)) problems.push(`family ${fam} appears twice`);
    familyNames.add(f.name);
    for (const series of seriesNames(f)) {
      const owner = seriesOwner.get(series);
      if (owner !== undefined && owner !== f.name) {
        problems.push(`series ${series} of family ${fam} collides with family ${JSON.stringify(owner)}`);
      }
      seriesOwner.set(series, f.name);
    }
    const keys = new Set<string>();
    for (const s of f.samples) {
      const where = `${f.name}${formatLabels(s.labels)}`;
      problems.push(...sampleProblems(f, s, where));
      const key = labelKey(s.labels);
      if (keys.has(key)) problems.push(`duplicate label set ${where}`);
      keys.add(key);
    }
  }
  return problems;
}

/** Throw `InconsistentMetricsError` if `consistencyProblems` finds anything. */
export function checkConsistency(families: readonly MetricFamily[]): void {
  const problems = consistencyProblems(families);
  if (problems.length > 0) throw new InconsistentMetricsError(problems);
}

function seriesNames(f: MetricFamily): string[] {
  if (f.type === 'histogram') return [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`];
  if (f.type === 'summary') return [f.name, `${f.name}_sum`, `${f.name}_count`];
  return [f.name];
}

function sampleProblems(f: MetricFamily, s: Sample, where: string): string[] {
  const problems: string[] = [];
  const expected = sampleKindOf(f.type);
  if (s.kind !== expected) problems.push(`sample ${where} is a ${s.kind} sample in ${f.type} family ${JSON.stringify(f.name)}`);
  const seen = new Set<string>();
  for (const l of s.labels) {
    if (!LABEL_NAME.test(l.name) || l.name.startsWith('__')) problems.push(`invalid label name ${JSON.stringify(l.name)} in ${where}`);
    if (seen.has(l.name)) problems.push(`label ${JSON.stringify(l.name)} repeated in ${where}`);
    seen.add(l.name);
  }
  if (s.kind === 'histogram') {
    if (seen.has('le')) problems.push(`histogram sample ${where} has an "le" label`);
    problems.push(...boundProblems(s.buckets.map((b) => b.le), 'bucket bounds', where));
  } else if (s.kind === 'summary') {
    if (seen.has('quantile')) problems.push(`summary sample ${where} has a "quantile" label`);
    problems.push(...boundProblems(s.quantiles.map((q) => q.quantile), 'quantiles', where));
  }
  return problems;
}

function boundProblems(bounds: readonly number[], what: string, where: string): string[] {
  if (bounds.some((b) => Number.isNaN(b))) return [`${what} of ${where} include NaN`];
  for (let i = 1; i < bounds.length; i++) {
    if (!((bounds[i] as number) > (bounds[i - 1] as number))) return [`${what} of ${where} are not strictly increasing`];
  }
  return [];
}
