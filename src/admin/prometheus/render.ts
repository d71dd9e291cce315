import { checkConsistency } from './consistency';
import { formatNumber } from './format-number';
import { compareBytes, escapeHelp, formatLabels, sortLabels } from './labels';
import type { Label, MetricFamily, Sample } from './model';

/**
 * Render families as the filtered and delta bodies of `/stats/prometheus`
 * (docs/reference-agent/status-and-admin.md#rendering), byte for byte like the reference:
 *
 * - the set is checked first (`checkConsistency`): an inconsistent set throws
 *   `InconsistentMetricsError` instead of the reference's 200 with an empty body;
 * - families sorted by name (byte order), families without samples dropped;
 * - each family starts with `\n` (so the body starts with an empty line), then
 *   `# HELP name text` when it has help, then `# TYPE name type`;
 * - labels sorted by name; samples sorted by number of labels, then by label
 *   values in that order (byte order);
 * - histograms as `_bucket{…,le="…"}` (plus an `le="+Inf"` bucket equal to the
 *   count when the last bound is not +Inf, as Go's writer does), `_sum`,
 *   `_count`; summaries as `{…,quantile="…"}`, `_sum`, `_count`;
 * - every number, `le` and `quantile` in Go's shortest `%g` (`formatNumber`);
 *   a timestamp, if any, follows the value.
 */
export function renderFamilies(families: readonly MetricFamily[]): string {
  checkConsistency(families);
  const out: string[] = [];
  const sorted = families.filter((f) => f.samples.length > 0).sort((a, b) => compareBytes(a.name, b.name));
  for (const f of sorted) {
    out.push('\n');
    if (f.help !== undefined) out.push(`# HELP ${f.name} ${escapeHelp(f.help)}\n`);
    out.push(`# TYPE ${f.name} ${f.type}\n`);
    for (const { sample, labels } of sortSamples(f.samples)) renderSample(out, f.name, sample, labels);
  }
  return out.join('');
}

interface Sorted {
  readonly sample: Sample;
  readonly labels: Label[];
}

function sortSamples(samples: readonly Sample[]): Sorted[] {
  return samples
    .map((sample) => ({ sample, labels: sortLabels(sample.labels) }))
    .sort((a, b) => {
      if (a.labels.length !== b.labels.length) return a.labels.length - b.labels.length;
      for (let i = 0; i < a.labels.length; i++) {
        const c = compareBytes((a.labels[i] as Label).value, (b.labels[i] as Label).value);
        if (c !== 0) return c;
      }
      return 0;
    });
}

function renderSample(out: string[], name: string, s: Sample, labels: Label[]): void {
  const ts = s.timestampMs === undefined ? '' : ` ${s.timestampMs}`;
  const line = (series: string, value: number, extra?: Label): void => {
    out.push(`${series}${formatLabels(labels, extra)} ${formatNumber(value)}${ts}\n`);
  };
  if (s.kind === 'scalar') {
    line(name, s.value);
    return;
  }
  if (s.kind === 'histogram') {
    for (const b of s.buckets) line(`${name}_bucket`, b.count, { name: 'le', value: formatNumber(b.le) });
    const last = s.buckets[s.buckets.length - 1];
    if (last?.le !== Infinity) line(`${name}_bucket`, s.count, { name: 'le', value: '+Inf' });
  } else {
    for (const q of s.quantiles) line(name, q.value, { name: 'quantile', value: formatNumber(q.quantile) });
  }
  line(`${name}_sum`, s.sum);
  line(`${name}_count`, s.count);
}
