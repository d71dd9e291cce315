import { describe, expect, it } from 'vitest';
import { InconsistentMetricsError, checkConsistency, consistencyProblems } from './consistency';
import type { MetricFamily, Sample } from './model';

const scalar = (labels: Record<string, string> = {}, value = 1): Sample => ({
  kind: 'scalar',
  labels: Object.entries(labels).map(([name, v]) => ({ name, value: v })),
  value,
});
const histogram = (les: number[], labels: Sample['labels'] = []): Sample => ({
  kind: 'histogram',
  labels,
  buckets: les.map((le) => ({ le, count: 0 })),
  sum: 0,
  count: 0,
});

describe('consistency check', () => {
  it('accepts a valid set, and ignores empty families', () => {
    const ok: MetricFamily[] = [
      { name: 'a:b_c', type: 'counter', samples: [scalar({ x: '1' }), scalar({ x: '2' }), scalar()] },
      { name: 'h', type: 'histogram', samples: [histogram([0.5, 1, Infinity])] },
      { name: '9 invalid but empty', type: 'gauge', samples: [] },
    ];
    expect(consistencyProblems(ok)).toEqual([]);
    expect(() => checkConsistency(ok)).not.toThrow();
  });

  it.each<[string, MetricFamily[], string]>([
    ['duplicate label sets (in any label order)', [{ name: 'c', type: 'counter', samples: [scalar({ a: '1', b: '2' }), scalar({ b: '2', a: '1' })] }], 'duplicate label set c{b="2",a="1"}'],
    ['an invalid metric name (e.g. envoy_appmesh_1x after the prefix is stripped)', [{ name: '1x', type: 'counter', samples: [scalar()] }], 'invalid metric name "1x"'],
    ['an empty metric name', [{ name: '', type: 'counter', samples: [scalar()] }], 'invalid metric name ""'],
    ['an invalid label name', [{ name: 'c', type: 'counter', samples: [scalar({ 'a-b': '1' })] }], 'invalid label name "a-b" in c'],
    ['a reserved label name', [{ name: 'c', type: 'counter', samples: [scalar({ __name__: 'x' })] }], 'invalid label name "__name__"'],
    ['a repeated label name', [{ name: 'c', type: 'counter', samples: [{ kind: 'scalar', labels: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }], value: 1 }] }], 'label "a" repeated in c{a="1",a="2"}'],
    ['a sample not matching its family type', [{ name: 'c', type: 'counter', samples: [histogram([1])] }], 'sample c is a histogram sample in counter family "c"'],
    ['a scalar in a histogram family', [{ name: 'h', type: 'histogram', samples: [scalar()] }], 'sample h is a scalar sample in histogram family "h"'],
    ['an unknown type', [{ name: 'c', type: 'flux' as 'gauge', samples: [scalar()] }], 'family "c" has unknown type "flux"'],
    ['a family twice', [{ name: 'c', type: 'counter', samples: [scalar()] }, { name: 'c', type: 'counter', samples: [scalar({ a: '1' })] }], 'family "c" appears twice'],
    ['series colliding across families', [{ name: 'h', type: 'histogram', samples: [histogram([1])] }, { name: 'h_count', type: 'counter', samples: [scalar()] }], 'series h_count of family "h_count" collides with family "h"'],
    ['an le label on a histogram', [{ name: 'h', type: 'histogram', samples: [histogram([1], [{ name: 'le', value: '1' }])] }], 'histogram sample h{le="1"} has an "le" label'],
    ['bucket bounds not increasing', [{ name: 'h', type: 'histogram', samples: [histogram([1, 1])] }], 'bucket bounds of h are not strictly increasing'],
    ['a NaN bucket bound', [{ name: 'h', type: 'histogram', samples: [histogram([NaN])] }], 'bucket bounds of h include NaN'],
    ['a quantile label on a summary', [{ name: 's', type: 'summary', samples: [{ kind: 'summary', labels: [{ name: 'quantile', value: '1' }], quantiles: [], sum: 0, count: 0 }] }], 'summary sample s{quantile="1"} has a "quantile" label'],
  ])('rejects %s', (_what, families, message) => {
    expect(() => checkConsistency(families)).toThrow(InconsistentMetricsError);
    expect(consistencyProblems(families).join('; ')).toContain(message);
  });

  it('lists every problem, at most ten in the message', () => {
    const samples = Array.from({ length: 13 }, () => scalar({ a: '1' }));
    const err = (() => {
      try {
        checkConsistency([{ name: 'c', type: 'counter', samples }]);
      } catch (e) {
        return e as InconsistentMetricsError;
      }
      throw new Error('expected a throw');
    })();
    expect(err.problems).toHaveLength(12);
    expect(err.message).toMatch(/^inconsistent metric set: duplicate label set c\{a="1"\}; .*; and 2 more$/);
  });
});
