import { describe, expect, it } from 'vitest';
import type { HistogramSample, MetricFamily, ScalarSample } from './model';
import { PrometheusParseError, parsePrometheusText } from './parse';

/** Shaped like Envoy's /stats?format=prometheus&filter=appmesh&usedonly. */
const ENVOY = `# TYPE envoy_appmesh_RequestCount counter
envoy_appmesh_RequestCount{Mesh="m1",VirtualNode="vn \\"one\\"",path="C:\\\\x\\ny"} 5
envoy_appmesh_RequestCount{Mesh="m1",VirtualNode="vn2"} 1234567
# TYPE envoy_appmesh_ActiveConnectionCount gauge
envoy_appmesh_ActiveConnectionCount{Mesh="m1"} 3
# HELP envoy_appmesh_TargetResponseTime Response time\\nin ms, a \\\\ backslash
# TYPE envoy_appmesh_TargetResponseTime histogram
envoy_appmesh_TargetResponseTime_bucket{Mesh="m1",le="0.5"} 0
envoy_appmesh_TargetResponseTime_bucket{Mesh="m1",le="1"} 1
envoy_appmesh_TargetResponseTime_bucket{Mesh="m1",le="3600000"} 2
envoy_appmesh_TargetResponseTime_bucket{Mesh="m1",le="+Inf"} 3
envoy_appmesh_TargetResponseTime_sum{Mesh="m1"} 12.5
envoy_appmesh_TargetResponseTime_count{Mesh="m1"} 3
envoy_appmesh_TargetResponseTime_bucket{Mesh="m2",le="0.5"} 7
envoy_appmesh_TargetResponseTime_bucket{Mesh="m2",le="1"} 8
envoy_appmesh_TargetResponseTime_bucket{Mesh="m2",le="3600000"} 9
envoy_appmesh_TargetResponseTime_bucket{Mesh="m2",le="+Inf"} 9
envoy_appmesh_TargetResponseTime_sum{Mesh="m2"} 1.05e+06
envoy_appmesh_TargetResponseTime_count{Mesh="m2"} 9
# a plain comment
# TYPE envoy_server_live gauge
envoy_server_live 1

   envoy_weird{ a = "x" , } +Inf 1700000000000
envoy_nan NaN
`;

function family(fs: MetricFamily[], name: string): MetricFamily {
  const f = fs.find((x) => x.name === name);
  if (!f) throw new Error(`no family ${name}`);
  return f;
}

function parseError(text: string): PrometheusParseError {
  try {
    parsePrometheusText(text);
  } catch (err) {
    if (err instanceof PrometheusParseError) return err;
    throw err;
  }
  throw new Error('expected a parse error');
}

describe('parsePrometheusText', () => {
  const fs = parsePrometheusText(ENVOY);

  it('reads families in order of appearance with their types', () => {
    expect(fs.map((f) => [f.name, f.type])).toEqual([
      ['envoy_appmesh_RequestCount', 'counter'],
      ['envoy_appmesh_ActiveConnectionCount', 'gauge'],
      ['envoy_appmesh_TargetResponseTime', 'histogram'],
      ['envoy_server_live', 'gauge'],
      ['envoy_weird', 'untyped'],
      ['envoy_nan', 'untyped'],
    ]);
  });

  it('reads counters with escaped label values, labels in their order', () => {
    const f = family(fs, 'envoy_appmesh_RequestCount');
    expect(f.help).toBeUndefined();
    expect(f.samples).toEqual([
      {
        kind: 'scalar',
        labels: [
          { name: 'Mesh', value: 'm1' },
          { name: 'VirtualNode', value: 'vn "one"' },
          { name: 'path', value: 'C:\\x\ny' },
        ],
        value: 5,
      },
      { kind: 'scalar', labels: [{ name: 'Mesh', value: 'm1' }, { name: 'VirtualNode', value: 'vn2' }], value: 1234567 },
    ]);
  });

  it('reads histograms per label set: buckets (le -> cumulative count), sum, count, and unescaped HELP', () => {
    const f = family(fs, 'envoy_appmesh_TargetResponseTime');
    expect(f.help).toBe('Response time\nin ms, a \\ backslash');
    const [m1, m2] = f.samples as HistogramSample[];
    expect(m1).toEqual({
      kind: 'histogram',
      labels: [{ name: 'Mesh', value: 'm1' }],
      buckets: [
        { le: 0.5, count: 0 },
        { le: 1, count: 1 },
        { le: 3600000, count: 2 },
        { le: Infinity, count: 3 },
      ],
      sum: 12.5,
      count: 3,
    });
    expect(m2?.labels).toEqual([{ name: 'Mesh', value: 'm2' }]);
    expect(m2?.sum).toBe(1_050_000);
    expect(m2?.count).toBe(9);
  });

  it('accepts blanks around labels, a trailing comma, +Inf, NaN and timestamps', () => {
    const weird = family(fs, 'envoy_weird').samples[0] as ScalarSample;
    expect(weird).toEqual({ kind: 'scalar', labels: [{ name: 'a', value: 'x' }], value: Infinity, timestampMs: 1700000000000 });
    expect((family(fs, 'envoy_nan').samples[0] as ScalarSample).value).toBeNaN();
    const neg = parsePrometheusText('a -Inf\nb 1e-05\nc .5\nd -0\ne +3\n').map((f) => (f.samples[0] as ScalarSample).value);
    expect(neg).toEqual([-Infinity, 0.00001, 0.5, -0, 3]);
  });

  it('keeps an empty HELP, a HELP-only family, CRLF lines, case-insensitive TYPE', () => {
    const got = parsePrometheusText('# HELP a\r\n# TYPE a COUNTER\r\na 1\r\n# HELP lonely text\n# HELP\n');
    expect(got).toEqual([
      { name: 'a', help: '', type: 'counter', samples: [{ kind: 'scalar', labels: [], value: 1 }] },
      { name: 'lonely', help: 'text', type: 'untyped', samples: [] },
    ]);
  });

  it('reads summaries, and histogram-looking names without a histogram TYPE as their own families', () => {
    const got = parsePrometheusText(
      '# TYPE s summary\ns{quantile="0.5"} 1\ns{quantile="0.99"} 2\ns_sum 3\ns_count 4\nh_bucket{le="1"} 1\nh_count 1\n',
    );
    expect(got[0]).toEqual({
      name: 's',
      type: 'summary',
      samples: [{ kind: 'summary', labels: [], quantiles: [{ quantile: 0.5, value: 1 }, { quantile: 0.99, value: 2 }], sum: 3, count: 4 }],
    });
    expect(got.slice(1).map((f) => [f.name, f.type, f.samples[0]?.labels])).toEqual([
      ['h_bucket', 'untyped', [{ name: 'le', value: '1' }]],
      ['h_count', 'untyped', []],
    ]);
  });

  it('merges samples of a family that reappears later (as Go does)', () => {
    const got = parsePrometheusText('# TYPE a counter\na{x="1"} 1\nb 2\na{x="2"} 3\n');
    expect(got.map((f) => [f.name, f.samples.length])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });

  it.each([
    ['a 1\nb{x="1} 2\n', 2, 'unterminated value of label x'],
    ['a 1\n\nb{x="\\t"} 2\n', 3, 'invalid escape sequence "\\\\t" in value of label x'],
    ['# HELP a bad \\" escape\n', 1, 'invalid escape sequence'],
    ['a one\n', 1, 'invalid value "one" for a'],
    ['a 1e999\n', 1, 'invalid value "1e999"'],
    ['a +NaN\n', 1, 'invalid value "+NaN"'],
    ['a\n', 1, 'missing value for a'],
    ['a 1 12.5\n', 1, 'invalid timestamp "12.5" for a'],
    ['a 1 2 3\n', 1, 'unexpected text "3" after the timestamp of a'],
    ['a-b 1\n', 1, 'invalid character "-" in metric name'],
    ['1a 1\n', 1, 'invalid metric name at column 1'],
    ['a{1x="1"} 1\n', 1, 'invalid label name at column 3'],
    ['a{x="1" y="2"} 1\n', 1, "expected ',' or '}' after the value of label x"],
    ['a{x="1",x="2"} 1\n', 1, 'duplicate label name "x"'],
    ['a{x:"1"} 1\n', 1, "expected '=' after label name x"],
    ['# TYPE a counter\n# TYPE a gauge\n', 2, 'second # TYPE line for a'],
    ['a 1\n# TYPE a counter\n', 2, '# TYPE after its samples'],
    ['# HELP a x\n# HELP a y\n', 2, 'second # HELP line for a'],
    ['# TYPE a flux\n', 1, 'unknown metric type "flux" for a'],
    ['# TYPE a counter extra\n', 1, 'unexpected text after the type'],
    ['# TYPE 1a counter\n', 1, 'invalid metric name in # TYPE line'],
    ['# TYPE h histogram\nh 1\n', 2, 'needs a _bucket, _sum or _count suffix'],
    ['# TYPE h histogram\nh_bucket 1\n', 2, 'h_bucket has no "le" label'],
    ['# TYPE h histogram\nh_bucket{le="x"} 1\n', 2, 'invalid le "x" on h_bucket'],
    ['# TYPE h histogram\nh_bucket{le="NaN"} 1\n', 2, 'invalid le "NaN"'],
    ['# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="1.0"} 1\n', 3, 'second bucket le="1.0" for h_bucket'],
    ['# TYPE h histogram\nh_sum{le="1"} 1\n', 2, 'unexpected "le" label on h_sum'],
    ['# TYPE h histogram\nh_sum 1\nh_sum 2\n', 3, 'second _sum line for h_sum'],
    ['# TYPE h histogram\nh_bucket{a="b",le="1"} 1\nh_sum{a="b"} 1\n', 2, 'histogram h{a="b"} has no _count line'],
    ['# TYPE s summary\ns_count 1\n', 2, 'summary s has no _sum line'],
    ['# TYPE s summary\ns 1\n', 2, 's has no "quantile" label'],
  ])('rejects %j at line %i: %s', (text, line, message) => {
    const err = parseError(text);
    expect(err.line).toBe(line);
    expect(err.message).toContain(`line ${line}: `);
    expect(err.message).toContain(message);
  });
});
