import { labelKey } from './labels';
import type { HistogramSample, Labels, MetricFamily, MetricType, Sample, ScalarSample } from './model';

/** A sample the delta leaves out because its type has no delta (summary, untyped). */
export interface OmittedSample {
  readonly family: string;
  readonly type: MetricType;
  readonly labels: Labels;
}

export interface DeltaResult {
  readonly families: MetricFamily[];
  readonly omitted: OmittedSample[];
}

/**
 * The delta of one stats snapshot against the previous one
 * (docs/reference-agent/status-and-admin.md#deltas), pure.
 *
 * For each family of `current` (families only in `previous` are ignored; the
 * family keeps the name, type and help of `current`), each sample is matched
 * with the sample of the same label set (order-independent) in the previous
 * family of the same name and type:
 *
 * - counter: new − old when matched, else the new value;
 * - gauge: the new value;
 * - histogram: every bucket, the count and the sum as new − old when matched
 *   with the same bucket bounds, else all raw new values (never a mix, so the
 *   `+Inf` bucket stays equal to the count);
 * - summary, untyped: no meaningful delta: the sample is left out and listed
 *   in `omitted` (the caller logs it). The reference emits a value-less sample
 *   instead, which then breaks its own rendering.
 *
 * A counter or histogram that went down (Envoy's stats were reset without the
 * snapshot being discarded) counts as a reset: its delta is the raw new value,
 * never negative. `previous === undefined` means "first snapshot": raw values.
 */
export function computeDelta(current: readonly MetricFamily[], previous: readonly MetricFamily[] | undefined): DeltaResult {
  const before = new Map((previous ?? []).map((f) => [f.name, f]));
  const omitted: OmittedSample[] = [];
  const families = current.map((f): MetricFamily => {
    if (f.type === 'summary' || f.type === 'untyped') {
      for (const s of f.samples) omitted.push({ family: f.name, type: f.type, labels: s.labels });
      return { ...f, samples: [] };
    }
    const old = before.get(f.name);
    const oldByKey = new Map<string, Sample>(old?.type === f.type ? old.samples.map((s) => [labelKey(s.labels), s]) : []);
    const samples = f.samples.map((s) => {
      if (f.type === 'gauge') return s;
      const o = oldByKey.get(labelKey(s.labels));
      if (s.kind === 'scalar' && o?.kind === 'scalar') return counterDelta(s, o);
      if (s.kind === 'histogram' && o?.kind === 'histogram') return histogramDelta(s, o);
      return s;
    });
    return { ...f, samples };
  });
  return { families, omitted };
}

function counterDelta(s: ScalarSample, o: ScalarSample): ScalarSample {
  return s.value >= o.value ? { ...s, value: s.value - o.value } : s;
}

function histogramDelta(s: HistogramSample, o: HistogramSample): HistogramSample {
  const sameBounds = s.buckets.length === o.buckets.length && s.buckets.every((b, i) => b.le === o.buckets[i]?.le);
  if (!sameBounds) return s;
  const wentDown = s.count < o.count || s.buckets.some((b, i) => b.count < (o.buckets[i]?.count ?? 0));
  if (wentDown) return s;
  return {
    ...s,
    buckets: s.buckets.map((b, i) => ({ le: b.le, count: b.count - (o.buckets[i]?.count ?? 0) })),
    sum: s.sum - o.sum,
    count: s.count - o.count,
  };
}
