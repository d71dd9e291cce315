import { labelKey, formatLabels } from './labels';
import type { Bucket, Label, MetricFamily, MetricType, Quantile, Sample, ScalarSample } from './model';
import { LineError, parseFloatValue, parseLine } from './parse-line';

/** The exposition could not be read; `line` is 1-based. Worded as the Prometheus Go parser words it (the reference's messages contain it). */
export class PrometheusParseError extends Error {
  override readonly name = 'PrometheusParseError';
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`text format parsing error in line ${line}: ${detail}`);
  }
}

/** A histogram or summary sample being collected from its `_bucket`/quantile, `_sum` and `_count` lines. */
interface Group {
  readonly kind: 'histogram' | 'summary';
  readonly labels: readonly Label[];
  readonly firstLine: number;
  readonly bounds: Bucket[] | Quantile[];
  sum?: number;
  count?: number;
  timestampMs?: number;
}

interface FamilyState {
  readonly name: string;
  help?: string;
  type?: MetricType;
  readonly samples: Array<ScalarSample | Group>;
  readonly groups: Map<string, Group>;
}

type Part = 'bucket' | 'quantile' | 'sum' | 'count';

/**
 * Parse a Prometheus text exposition (format 0.0.4, what Envoy's
 * `/stats?format=prometheus` writes) into metric families, in order of first
 * appearance. Follows Go's `expfmt.TextParser`: `# HELP`/`# TYPE` lines
 * (type case-insensitive, at most one of each per family, TYPE before the
 * family's samples), other comments ignored, samples resolved to their family
 * by exact name first, then as `_sum`/`_count` of a summary, then as
 * `_bucket`/`_sum`/`_count` of a histogram, else a new untyped family; lines
 * of one histogram/summary are grouped by their labels (without `le`/`quantile`).
 *
 * Stricter than Go where Go would silently produce nonsense: a histogram or
 * summary sample must have both `_sum` and `_count`, a bound may appear once,
 * `le`/`quantile` must be numbers (not NaN). CRLF line ends are accepted.
 */
export function parsePrometheusText(text: string): MetricFamily[] {
  const families = new Map<string, FamilyState>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    try {
      const line = parseLine(lines[i] ?? '');
      if (line.kind === 'skip') continue;
      if (line.kind === 'sample') {
        addSample(families, line, lineNo);
        continue;
      }
      const f = getOrCreate(families, line.name);
      if (line.kind === 'help') {
        if (f.help !== undefined) throw new LineError(`second # HELP line for ${line.name}`);
        f.help = line.text;
      } else {
        if (f.type !== undefined) throw new LineError(`second # TYPE line for ${line.name}, or # TYPE after its samples`);
        f.type = line.type;
      }
    } catch (err) {
      if (err instanceof LineError) throw new PrometheusParseError(lineNo, err.message);
      throw err;
    }
  }
  return [...families.values()].map(finish);
}

function getOrCreate(families: Map<string, FamilyState>, name: string): FamilyState {
  let f = families.get(name);
  if (!f) {
    f = { name, samples: [], groups: new Map() };
    families.set(name, f);
  }
  return f;
}

function addSample(
  families: Map<string, FamilyState>,
  line: { name: string; labels: readonly Label[]; value: number; timestampMs?: number },
  lineNo: number,
): void {
  const [family, part] = resolve(families, line.name);
  if (family.type === undefined) family.type = 'untyped';
  if (part === undefined) {
    family.samples.push({ kind: 'scalar', labels: line.labels, value: line.value, ...ts(line.timestampMs) });
    return;
  }
  const kind = family.type === 'histogram' ? 'histogram' : 'summary';
  const boundLabel = kind === 'histogram' ? 'le' : 'quantile';
  const boundText = line.labels.find((l) => l.name === boundLabel)?.value;
  const labels = line.labels.filter((l) => l.name !== boundLabel);
  if (part === 'bucket' || part === 'quantile') {
    if (boundText === undefined) throw new LineError(`${line.name}${formatLabels(line.labels)} has no "${boundLabel}" label`);
  } else if (boundText !== undefined) {
    throw new LineError(`unexpected "${boundLabel}" label on ${line.name}`);
  }
  const key = labelKey(labels);
  let group = family.groups.get(key);
  if (!group) {
    group = { kind, labels, firstLine: lineNo, bounds: [] };
    family.groups.set(key, group);
    family.samples.push(group);
  }
  if (line.timestampMs !== undefined) group.timestampMs = line.timestampMs;
  const where = `${line.name}${formatLabels(labels)}`;
  if (part === 'sum' || part === 'count') {
    if (group[part] !== undefined) throw new LineError(`second _${part} line for ${where}`);
    group[part] = line.value;
    return;
  }
  const bound = parseFloatValue(boundText ?? '');
  if (bound === undefined || Number.isNaN(bound)) {
    throw new LineError(`invalid ${boundLabel} ${JSON.stringify(boundText)} on ${where}`);
  }
  if (group.kind === 'histogram') {
    const buckets = group.bounds as Bucket[];
    if (buckets.some((b) => b.le === bound)) throw new LineError(`second bucket le="${boundText}" for ${where}`);
    buckets.push({ le: bound, count: line.value });
  } else {
    const quantiles = group.bounds as Quantile[];
    if (quantiles.some((q) => q.quantile === bound)) throw new LineError(`second quantile="${boundText}" for ${where}`);
    quantiles.push({ quantile: bound, value: line.value });
  }
}

/** Which family a sample line belongs to, and which part of a histogram/summary it is. */
function resolve(families: Map<string, FamilyState>, name: string): [FamilyState, Part | undefined] {
  const exact = families.get(name);
  if (exact) {
    if (exact.type === 'summary') return [exact, 'quantile'];
    if (exact.type === 'histogram') {
      throw new LineError(`sample ${name} of histogram ${name} needs a _bucket, _sum or _count suffix`);
    }
    return [exact, undefined];
  }
  const suffix = /_(sum|count|bucket)$/.exec(name);
  if (suffix) {
    const base = families.get(name.slice(0, suffix.index));
    const part = suffix[1] as 'sum' | 'count' | 'bucket';
    if (base?.type === 'summary' && part !== 'bucket') return [base, part];
    if (base?.type === 'histogram') return [base, part];
  }
  return [getOrCreate(families, name), undefined];
}

function finish(f: FamilyState): MetricFamily {
  const samples: Sample[] = f.samples.map((s) => {
    if (s.kind === 'scalar') return s;
    const where = `${f.name}${formatLabels(s.labels)}`;
    if (s.sum === undefined) throw new PrometheusParseError(s.firstLine, `${s.kind} ${where} has no _sum line`);
    if (s.count === undefined) throw new PrometheusParseError(s.firstLine, `${s.kind} ${where} has no _count line`);
    const common = { labels: s.labels, sum: s.sum, count: s.count, ...ts(s.timestampMs) };
    return s.kind === 'histogram'
      ? { kind: 'histogram', buckets: s.bounds as Bucket[], ...common }
      : { kind: 'summary', quantiles: s.bounds as Quantile[], ...common };
  });
  return { name: f.name, ...(f.help !== undefined ? { help: f.help } : {}), type: f.type ?? 'untyped', samples };
}

function ts(timestampMs: number | undefined): { timestampMs?: number } {
  return timestampMs === undefined ? {} : { timestampMs };
}
