/**
 * The in-memory form of a Prometheus text exposition (format 0.0.4): what
 * `parse.ts` produces, `metrics-extension.ts` and `delta.ts` transform, and
 * `render.ts` writes back. Plain immutable data, no behavior.
 */

export const METRIC_TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

export interface Label {
  readonly name: string;
  readonly value: string;
}

/** Labels in the order they were read (rendering sorts them by name). */
export type Labels = readonly Label[];

/** Counter, gauge and untyped samples. */
export interface ScalarSample {
  readonly kind: 'scalar';
  readonly labels: Labels;
  readonly value: number;
  readonly timestampMs?: number;
}

/** One `_bucket` line: the upper bound (`le`) and the cumulative count. */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

export interface HistogramSample {
  readonly kind: 'histogram';
  /** Without `le`. */
  readonly labels: Labels;
  /** In increasing `le` order, as exposed. */
  readonly buckets: readonly Bucket[];
  readonly sum: number;
  readonly count: number;
  readonly timestampMs?: number;
}

export interface Quantile {
  readonly quantile: number;
  readonly value: number;
}

export interface SummarySample {
  readonly kind: 'summary';
  /** Without `quantile`. */
  readonly labels: Labels;
  readonly quantiles: readonly Quantile[];
  readonly sum: number;
  readonly count: number;
  readonly timestampMs?: number;
}

export type Sample = ScalarSample | HistogramSample | SummarySample;

export interface MetricFamily {
  readonly name: string;
  /** Absent when the exposition had no `# HELP` line (an empty HELP is `''`). */
  readonly help?: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

/** The sample kind each family type must hold. */
export function sampleKindOf(type: MetricType): Sample['kind'] {
  if (type === 'histogram' || type === 'summary') return type;
  return 'scalar';
}
