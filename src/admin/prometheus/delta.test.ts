import { describe, expect, it } from 'vitest';
import { computeDelta } from './delta';
import { metricsExtension } from './metrics-extension';
import type { MetricFamily } from './model';
import { parsePrometheusText } from './parse';
import { renderFamilies } from './render';

const snap = (text: string): MetricFamily[] => metricsExtension(parsePrometheusText(text));
const counter = (...lines: string[]): MetricFamily[] =>
  snap(['# TYPE envoy_appmesh_RequestCount counter', ...lines.map((l) => `envoy_appmesh_RequestCount${l}`), ''].join('\n'));

describe('computeDelta', () => {
  it('first snapshot: the values themselves (counter 0 -> 0)', () => {
    const { families, omitted } = computeDelta(counter('{MetricVer="v1"} 0'), undefined);
    expect(renderFamilies(families)).toBe('\n# TYPE RequestCount counter\nRequestCount{MetricVer="v1"} 0\n');
    expect(omitted).toEqual([]);
  });

  it('two snapshots 0 then 5 -> 5', () => {
    const { families } = computeDelta(counter('{MetricVer="v1"} 5'), counter('{MetricVer="v1"} 0'));
    expect(renderFamilies(families)).toBe('\n# TYPE RequestCount counter\nRequestCount{MetricVer="v1"} 5\n');
  });

  it('v1 stays at 5 and v2 appears with 5 -> v1 0, v2 5', () => {
    const { families } = computeDelta(counter('{MetricVer="v1"} 5', '{MetricVer="v2"} 5'), counter('{MetricVer="v1"} 5'));
    expect(renderFamilies(families)).toBe('\n# TYPE RequestCount counter\nRequestCount{MetricVer="v1"} 0\nRequestCount{MetricVer="v2"} 5\n');
  });

  it('matches samples by label set whatever the label order', () => {
    const { families } = computeDelta(counter('{a="1",b="2"} 7'), counter('{b="2",a="1"} 3'));
    expect(families[0]?.samples[0]).toMatchObject({ value: 4 });
  });

  it('a counter that went down counts as a reset: the raw value, never negative', () => {
    const { families } = computeDelta(counter('{a="1"} 5'), counter('{a="1"} 20'));
    expect(families[0]?.samples[0]).toMatchObject({ value: 5 });
  });

  it('gauges keep their new value; families only in the old snapshot are ignored; name, type and help come from the new one', () => {
    const old = snap('# TYPE envoy_appmesh_Active gauge\nenvoy_appmesh_Active 10\n# TYPE envoy_appmesh_Gone counter\nenvoy_appmesh_Gone 1\n');
    const cur = snap('# HELP envoy_appmesh_Active now\n# TYPE envoy_appmesh_Active gauge\nenvoy_appmesh_Active 4\n');
    expect(computeDelta(cur, old).families).toEqual([
      { name: 'Active', help: 'now', type: 'gauge', samples: [{ kind: 'scalar', labels: [], value: 4 }] },
    ]);
  });

  it('a family whose type changed is treated as new', () => {
    const old = snap('# TYPE envoy_appmesh_X gauge\nenvoy_appmesh_X 3\n');
    const cur = snap('# TYPE envoy_appmesh_X counter\nenvoy_appmesh_X 5\n');
    expect(computeDelta(cur, old).families[0]?.samples[0]).toMatchObject({ value: 5 });
  });

  const hist = (counts: [number, number, number], sum: number, les: [string, string] = ['1', '10']): MetricFamily[] =>
    snap(`# TYPE envoy_appmesh_Latency histogram
envoy_appmesh_Latency_bucket{Mesh="m",le="${les[0]}"} ${counts[0]}
envoy_appmesh_Latency_bucket{Mesh="m",le="${les[1]}"} ${counts[1]}
envoy_appmesh_Latency_bucket{Mesh="m",le="+Inf"} ${counts[2]}
envoy_appmesh_Latency_sum{Mesh="m"} ${sum}
envoy_appmesh_Latency_count{Mesh="m"} ${counts[2]}
`);

  it('histograms: buckets, sum and count as new - old', () => {
    const { families } = computeDelta(hist([3, 7, 9], 40.5), hist([1, 2, 2], 10));
    expect(renderFamilies(families)).toBe(`
# TYPE Latency histogram
Latency_bucket{Mesh="m",le="1"} 2
Latency_bucket{Mesh="m",le="10"} 5
Latency_bucket{Mesh="m",le="+Inf"} 7
Latency_sum{Mesh="m"} 30.5
Latency_count{Mesh="m"} 7
`);
  });

  it('histograms with other bucket bounds, or that went down, are raw', () => {
    expect(computeDelta(hist([3, 7, 9], 40), hist([1, 2, 2], 10, ['1', '5'])).families).toEqual(hist([3, 7, 9], 40));
    expect(computeDelta(hist([1, 1, 1], 4), hist([3, 7, 9], 40)).families).toEqual(hist([1, 1, 1], 4));
  });

  it('summary and untyped samples are left out and reported', () => {
    const cur = snap(
      '# TYPE envoy_appmesh_S summary\nenvoy_appmesh_S{quantile="0.5"} 1\nenvoy_appmesh_S_sum 1\nenvoy_appmesh_S_count 1\n' +
        'envoy_appmesh_U{a="b"} 2\n# TYPE envoy_appmesh_C counter\nenvoy_appmesh_C 1\n',
    );
    const { families, omitted } = computeDelta(cur, undefined);
    expect(omitted).toEqual([
      { family: 'S', type: 'summary', labels: [] },
      { family: 'U', type: 'untyped', labels: [{ name: 'a', value: 'b' }] },
    ]);
    expect(renderFamilies(families)).toBe('\n# TYPE C counter\nC 1\n');
  });
});
