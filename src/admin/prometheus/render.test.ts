import { describe, expect, it } from 'vitest';
import { InconsistentMetricsError } from './consistency';
import { metricsExtension } from './metrics-extension';
import type { MetricFamily } from './model';
import { parsePrometheusText } from './parse';
import { renderFamilies } from './render';

const filtered = (text: string): string => renderFamilies(metricsExtension(parsePrometheusText(text)));

describe('renderFamilies', () => {
  // docs/reference-agent/status-and-admin.md#statsprometheus
  it('reproduces the reference example of filter=metrics_extension byte for byte', () => {
    const envoy = [
      '# TYPE envoy_appmesh_GrpcRequestCount counter',
      'envoy_appmesh_GrpcRequestCount{Mesh="howto-k8s-http2",VirtualNode="client_howto-k8s-http2"} 0',
      'envoy_appmesh_GrpcRequestCount{Mesh="howto-k8s-http1",VirtualNode="client_howto-k8s-http1"} 0',
      '# TYPE envoy_appmesh_NewConnectionCount counter',
      'envoy_appmesh_NewConnectionCount{Mesh="howto-k8s-http2",VirtualNode="client_howto-k8s-http2"} 0',
      '# TYPE envoy_cluster_default_total_match_count counter',
      'envoy_cluster_default_total_match_count{Mesh="howto-k8s-http2",VirtualNode="client_howto-k8s-http2",envoy_cluster_name="x"} 0',
      '',
    ].join('\n');
    const expected = [
      '',
      '# TYPE GrpcRequestCount counter',
      'GrpcRequestCount{Mesh="howto-k8s-http1",VirtualNode="client_howto-k8s-http1"} 0',
      'GrpcRequestCount{Mesh="howto-k8s-http2",VirtualNode="client_howto-k8s-http2"} 0',
      '',
      '# TYPE NewConnectionCount counter',
      'NewConnectionCount{Mesh="howto-k8s-http2",VirtualNode="client_howto-k8s-http2"} 0',
      '',
    ].join('\n');
    expect(filtered(envoy)).toBe(expected);
  });

  it('renders histograms with re-formatted numbers and bucket bounds, HELP escaped', () => {
    const envoy = `# HELP envoy_appmesh_Latency Latency\\nin ms \\\\ total
# TYPE envoy_appmesh_Latency histogram
envoy_appmesh_Latency_bucket{Mesh="m",le="0.5"} 0
envoy_appmesh_Latency_bucket{Mesh="m",le="1.0"} 5
envoy_appmesh_Latency_bucket{Mesh="m",le="25"} 123456
envoy_appmesh_Latency_bucket{Mesh="m",le="3600000"} 1000000
envoy_appmesh_Latency_bucket{Mesh="m",le="+Inf"} 1234567
envoy_appmesh_Latency_sum{Mesh="m"} 12.5
envoy_appmesh_Latency_count{Mesh="m"} 1234567
# TYPE envoy_appmesh_Ratio gauge
envoy_appmesh_Ratio{Mesh="m"} 0.25
envoy_appmesh_Ratio{Mesh="tiny"} 0.00001
envoy_appmesh_Ratio{Mesh="nan"} NaN
envoy_appmesh_Ratio{Mesh="inf"} +Inf
`;
    expect(filtered(envoy)).toBe(`
# HELP Latency Latency\\nin ms \\\\ total
# TYPE Latency histogram
Latency_bucket{Mesh="m",le="0.5"} 0
Latency_bucket{Mesh="m",le="1"} 5
Latency_bucket{Mesh="m",le="25"} 123456
Latency_bucket{Mesh="m",le="3.6e+06"} 1e+06
Latency_bucket{Mesh="m",le="+Inf"} 1.234567e+06
Latency_sum{Mesh="m"} 12.5
Latency_count{Mesh="m"} 1.234567e+06

# TYPE Ratio gauge
Ratio{Mesh="inf"} +Inf
Ratio{Mesh="m"} 0.25
Ratio{Mesh="nan"} NaN
Ratio{Mesh="tiny"} 1e-05
`);
  });

  it('sorts labels by name, samples by label count then label values positionally (UTF-8 byte order, not UTF-16), escapes label values', () => {
    const text = `# TYPE envoy_appmesh_C counter
envoy_appmesh_C{b="2",a="1"} 1
envoy_appmesh_C{z="q\\"uote\\\\\\n"} 2
envoy_appmesh_C 3
envoy_appmesh_C{b="10",a="1"} 4
envoy_appmesh_C{a="B"} 5
envoy_appmesh_C{a="\u{1F600}"} 6
envoy_appmesh_C{a="\uFFFD"} 7
`;
    expect(filtered(text)).toBe(`
# TYPE C counter
C 3
C{a="B"} 5
C{z="q\\"uote\\\\\\n"} 2
C{a="\uFFFD"} 7
C{a="\u{1F600}"} 6
C{a="1",b="10"} 4
C{a="1",b="2"} 1
`);
  });

  it('sorts families by byte order, drops empty ones, adds a missing +Inf bucket, renders summaries and timestamps', () => {
    const families: MetricFamily[] = [
      { name: 'b', type: 'counter', samples: [{ kind: 'scalar', labels: [], value: 1, timestampMs: 1700000000000 }] },
      { name: 'B', type: 'untyped', samples: [{ kind: 'scalar', labels: [], value: -0 }] },
      { name: 'empty', type: 'gauge', samples: [] },
      { name: 'h', type: 'histogram', samples: [{ kind: 'histogram', labels: [], buckets: [{ le: 1, count: 2 }], sum: 3, count: 4 }] },
      {
        name: 's',
        help: '',
        type: 'summary',
        samples: [{ kind: 'summary', labels: [{ name: 'x', value: 'y' }], quantiles: [{ quantile: 0.99, value: 1e-7 }], sum: 1, count: 2 }],
      },
    ];
    expect(renderFamilies(families)).toBe(`
# TYPE B untyped
B 0

# TYPE b counter
b 1 1700000000000

# TYPE h histogram
h_bucket{le="1"} 2
h_bucket{le="+Inf"} 4
h_sum 3
h_count 4

# HELP s 
# TYPE s summary
s{x="y",quantile="0.99"} 1e-07
s_sum{x="y"} 1
s_count{x="y"} 2
`);
  });

  it('renders nothing for no families', () => {
    expect(renderFamilies([])).toBe('');
  });

  it('throws a clear error instead of rendering an inconsistent set', () => {
    const text = '# TYPE envoy_appmesh_C counter\nenvoy_appmesh_C{a="1"} 1\nenvoy_appmesh_C{a="1"} 2\n';
    expect(() => filtered(text)).toThrow(InconsistentMetricsError);
    expect(() => filtered(text)).toThrow('inconsistent metric set: duplicate label set C{a="1"}');
  });
});
