/** One label value's buckets (not cumulative), sum and count. */
export interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram kept as plain numbers: `observe()` is a bucket search
 * and two additions (prom-client's own hashes its labels on every call), and
 * nothing of prom-client is loaded until the first scrape renders it
 * (metrics-exposition.ts). Label values are listed in the order they first
 * appeared, as prom-client lists them; values given to the constructor are
 * listed (at zero) from the start.
 */
export class HotHistogram<L extends string> {
  readonly series = new Map<L, HistogramSeries>();

  constructor(
    readonly buckets: readonly number[],
    labelValues: readonly L[] = [],
  ) {
    for (const v of labelValues) this.add(v);
  }

  observe(label: L, value: number): void {
    const s = this.series.get(label) ?? this.add(label);
    s.sum += value;
    s.count++;
    const b = this.buckets;
    for (let i = 0; i < b.length; i++) {
      if (value <= b[i]!) {
        s.counts[i]!++;
        return;
      }
    }
  }

  private add(label: L): HistogramSeries {
    const s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.series.set(label, s);
    return s;
  }
}
