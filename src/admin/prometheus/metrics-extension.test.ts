import { describe, expect, it } from 'vitest';
import { metricsExtension } from './metrics-extension';
import type { MetricFamily } from './model';

describe('metricsExtension', () => {
  it('keeps envoy_appmesh_* families, prefix stripped, and drops the rest', () => {
    const sample = { kind: 'scalar', labels: [], value: 1 } as const;
    const families: MetricFamily[] = [
      { name: 'envoy_appmesh_RequestCount', help: 'h', type: 'counter', samples: [sample] },
      { name: 'envoy_cluster_upstream_rq', type: 'counter', samples: [sample] },
      { name: 'envoy_appmeshx', type: 'gauge', samples: [sample] },
      { name: 'xenvoy_appmesh_A', type: 'gauge', samples: [sample] },
      { name: 'envoy_appmesh_Latency', type: 'histogram', samples: [] },
    ];
    expect(metricsExtension(families)).toEqual([
      { name: 'RequestCount', help: 'h', type: 'counter', samples: [sample] },
      { name: 'Latency', type: 'histogram', samples: [] },
    ]);
  });
});
