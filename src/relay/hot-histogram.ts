import type { Registry } from 'prom-client';

/**
 * A Prometheus histogram for the per-message hot path: `observe()` is a bucket
 * search and two additions (prom-client's own hashes its labels on every call).
 * Rendered by the registry like any other metric, through `get()`.
 */
export class HotHistogram<L extends string> {
  readonly type = 'histogram';
  private readonly series: Record<L, { counts: number[]; sum: number; count: number }>;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelName: string,
    labelValues: readonly L[],
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    this.series = Object.fromEntries(labelValues.map((v) => [v, { counts: buckets.map(() => 0), sum: 0, count: 0 }])) as Record<L, { counts: number[]; sum: number; count: number }>;
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  observe(label: L, value: number): void {
    const s = this.series[label];
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

  get(): { name: string; help: string; type: string; aggregator: string; values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> } {
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const [label, s] of Object.entries(this.series) as Array<[string, { counts: number[]; sum: number; count: number }]>) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le, [this.labelName]: label }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', [this.labelName]: label }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: { [this.labelName]: label }, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: { [this.labelName]: label }, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
  }
}
