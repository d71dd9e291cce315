import { describe, expect, it } from 'vitest';
import { APP_MESH_ENV, TASK_SET_ARN, gen, problemsOf } from '../../../test/fixtures/bootstrap-env';
import { XRAY_ADDRESS_FORM, parseXrayDaemonAddress } from './xray-daemon-address';
import { roundSamplingRate, validateSamplingManifest } from './xray-sampling';

const XRAY = { ...APP_MESH_ENV, ENABLE_ENVOY_XRAY_TRACING: '1' };
const xrayConfig = (env: Record<string, string>, facts = {}) => gen({ ...XRAY, ...env }, facts).bootstrap.tracing!.http.typedConfig;

const V2_MANIFEST = JSON.stringify({
  version: 2,
  rules: [{ description: 'moves', host: '*', http_method: '*', url_path: '/api/move/*', fixed_target: 0, rate: 0.05 }],
  default: { fixed_target: 1, rate: 0.1 },
});

describe('X-Ray tracer', () => {
  it('has the shape the reference gives a mesh resource', () => {
    const { bootstrap, files } = gen(XRAY);
    expect(bootstrap.tracing).toEqual({
      http: {
        name: 'envoy.tracers.xray',
        typedConfig: {
          '@type': 'type.googleapis.com/envoy.config.trace.v3.XRayConfig',
          segmentName: 'foo/bar',
          daemonEndpoint: { protocol: 'UDP', address: '127.0.0.1', portValue: 2000 },
          segmentFields: { origin: 'AWS::AppMesh::Proxy', aws: { app_mesh: { mesh_name: 'foo', virtual_node_name: 'bar' } } },
        },
      },
    });
    expect(bootstrap.staticResources).toBeUndefined();
    expect(files).toEqual([]);
  });

  it('names the segment: XRAY_SEGMENT_NAME, else mesh/name, else the node cluster (with a warning)', () => {
    expect(xrayConfig({ XRAY_SEGMENT_NAME: 'seg' }).segmentName).toBe('seg');
    expect(xrayConfig({ APPMESH_RESOURCE_ARN: 'arn:aws:appmesh:us-west-2:1:mesh/m/virtualGateway/gw' })).toMatchObject({
      segmentName: 'm/gw',
      segmentFields: { aws: { app_mesh: { mesh_name: 'm', virtual_node_name: 'gw' } } },
    });
    const odd = gen({ ...XRAY, APPMESH_RESOURCE_ARN: 'plain-id', APPMESH_RESOURCE_CLUSTER: 'cl' });
    expect(odd.bootstrap.tracing!.http.typedConfig).toMatchObject({ segmentName: 'cl', segmentFields: { origin: 'AWS::AppMesh::Proxy' } });
    expect(odd.bootstrap.tracing!.http.typedConfig.segmentFields).not.toHaveProperty('aws');
    expect(odd.warnings.join()).toContain('XRAY_SEGMENT_NAME');
    // XRAY_SEGMENT_NAME is honored even then (the reference ignores it:
    // docs/reference-agent/quirks.md#q11-x-ray-settings-are-misread).
    expect(xrayConfig({ APPMESH_RESOURCE_ARN: 'plain-id', XRAY_SEGMENT_NAME: 'mine' }).segmentName).toBe('mine');
  });

  it.each([
    [{}, '127.0.0.1', 2000],
    [{ AWS_XRAY_DAEMON_ADDRESS: '1.2.3.4' }, '1.2.3.4', 2000],
    [{ AWS_XRAY_DAEMON_ADDRESS: '1.2.3.4:1234' }, '1.2.3.4', 1234],
    [{ XRAY_DAEMON_PORT: '1234' }, '127.0.0.1', 1234],
    [{ AWS_XRAY_DAEMON_ADDRESS: '1.2.3.4:1234', XRAY_DAEMON_PORT: '5' }, '1.2.3.4', 1234],
    [{ AWS_XRAY_DAEMON_ADDRESS: '[::1]:3000' }, '::1', 3000],
    [{ AWS_XRAY_DAEMON_ADDRESS: '[fd00::5]' }, 'fd00::5', 2000],
    [{ AWS_XRAY_DAEMON_ADDRESS: '::1' }, '::1', 2000],
    [{ AWS_XRAY_DAEMON_ADDRESS: 'fd00::1:2000', XRAY_DAEMON_PORT: '2001' }, 'fd00::1:2000', 2001],
    [{ AWS_XRAY_DAEMON_ADDRESS: 'tcp:127.0.0.1:2000 udp:127.0.0.2:2001' }, '127.0.0.2', 2001],
    [{ AWS_XRAY_DAEMON_ADDRESS: 'udp:10.0.0.1:2002 tcp:10.0.0.1:2003' }, '10.0.0.1', 2002],
    [{ AWS_XRAY_DAEMON_ADDRESS: 'tcp:[::1]:2000 udp:[::1]:2001' }, '::1', 2001],
  ])('daemon endpoint for %j -> %s:%d', (env, address, port) => {
    expect(xrayConfig(env).daemonEndpoint).toEqual({ protocol: 'UDP', address, portValue: port });
  });

  it.each(['xray-daemon:1234', 'xray-daemon', '1.2.3.4:99999', '1.2.3.4:http', 'tcp:127.0.0.1:2000', 'udp:127.0.0.1', '1.2.3.4 5.6.7.8', 'udp:1.2.3.4:1 1.2.3.4'])(
    'refuses AWS_XRAY_DAEMON_ADDRESS=%s',
    (value) => {
      expect(parseXrayDaemonAddress(value, 2000).ok).toBe(false);
      expect(problemsOf(() => gen({ ...XRAY, AWS_XRAY_DAEMON_ADDRESS: value })).map((p) => p[0])).toEqual(['AWS_XRAY_DAEMON_ADDRESS']);
    },
  );

  it('says what is wrong with the daemon address, then the accepted form', () => {
    let message = '';
    try {
      gen({ ...XRAY, AWS_XRAY_DAEMON_ADDRESS: 'udp:xray-daemon:2000' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      'invalid configuration (1 problem):\n' +
        '  AWS_XRAY_DAEMON_ADDRESS="udp:xray-daemon:2000": udp address: "xray-daemon" is not an IP address (the daemon endpoint cannot be a host name); ' +
        `expected ${XRAY_ADDRESS_FORM}`,
    );
  });

  it('rounds the sampling rate and writes the rules file, except for the 5% default', () => {
    expect([roundSamplingRate('0.1451'), roundSamplingRate('0.01'), roundSamplingRate('0.05'), roundSamplingRate('1'), roundSamplingRate('1.01'), roundSamplingRate('-0.1'), roundSamplingRate('x')]).toEqual([
      0.15, 0.01, 0.05, 1, undefined, undefined, undefined,
    ]);
    const { bootstrap, files } = gen({ ...XRAY, XRAY_SAMPLING_RATE: '0.1451' }, { tmpDir: '/tmp' });
    expect(bootstrap.tracing!.http.typedConfig.samplingRuleManifest).toEqual({ filename: '/tmp/sampling-rules.json' });
    expect(files).toEqual([
      {
        variable: 'XRAY_SAMPLING_RATE',
        path: '/tmp/sampling-rules.json',
        mode: 0o644,
        content: '{"version":2,"default":{"service_name":"","host":"","http_method":"","url_path":"","fixed_target":1,"rate":0.15},"rules":[]}',
      },
    ]);
    expect(validateSamplingManifest(files[0]!.content)).toEqual([]);
    const five = gen({ ...XRAY, XRAY_SAMPLING_RATE: '0.05' });
    expect(five.files).toEqual([]);
    expect(five.bootstrap.tracing!.http.typedConfig).not.toHaveProperty('samplingRuleManifest');
    expect(JSON.parse(gen({ ...XRAY, XRAY_SAMPLING_RATE: '0.01' }).files[0]!.content).default.rate).toBe(0.01);
  });

  it('references XRAY_SAMPLING_RULE_MANIFEST as is (it wins over the rate) once it validates', () => {
    const env = { ...XRAY, XRAY_SAMPLING_RULE_MANIFEST: '/etc/rules.json', XRAY_SAMPLING_RATE: '0.5' };
    const { bootstrap, files } = gen(env, { xraySamplingManifest: { ok: true, value: V2_MANIFEST } });
    expect(bootstrap.tracing!.http.typedConfig.samplingRuleManifest).toEqual({ filename: '/etc/rules.json' });
    expect(files).toEqual([]);
    expect(problemsOf(() => gen(env, { xraySamplingManifest: { ok: false, error: 'ENOENT' } }))).toEqual([
      ['XRAY_SAMPLING_RULE_MANIFEST', 'a readable X-Ray sampling rule manifest (ENOENT)'],
    ]);
  });

  it.each([
    [{ version: 3, default: { fixed_target: 1, rate: 0.1 } }, 'version must be 1 or 2'],
    [{ version: 2 }, 'a default rule is required'],
    [{ version: 2, default: { fixed_target: 1, rate: 0.1, url_path: '/x' } }, 'must not set url_path, service_name or http_method'],
    [{ version: 2, default: { fixed_target: -1, rate: 0.1 } }, 'non-negative'],
    [{ version: 2, default: { fixed_target: 1, rate: 0.1 }, rules: [{ host: '*', http_method: '*', url_path: '/', fixed_target: 1, rate: -2 }] }, 'rules[0] needs non-negative'],
    [{ version: 2, default: { fixed_target: 1, rate: 0.1 }, rules: [{ host: '*', http_method: '*', fixed_target: 1, rate: 1 }] }, 'must set host, http_method and url_path'],
    [{ version: 2, default: { fixed_target: 1, rate: 0.1 }, rules: [{ service_name: 's', host: '*', http_method: '*', url_path: '/' }] }, 'service_name is not allowed'],
    [{ version: 1, default: { fixed_target: 1, rate: 0.1 }, rules: [{ service_name: 's', http_method: '*', url_path: '/' }] }, 'version 1 manifests are not supported'],
    [{ version: 2, default: { fixed_target: 'one', rate: 0.1 } }, 'fixed_target must be an integer'],
  ])('refuses the manifest %j', (manifest, message) => {
    const env = { ...XRAY, XRAY_SAMPLING_RULE_MANIFEST: '/etc/rules.json' };
    const problems = problemsOf(() => gen(env, { xraySamplingManifest: { ok: true, value: JSON.stringify(manifest) } }));
    expect(problems.map((p) => p[0])).toEqual(['XRAY_SAMPLING_RULE_MANIFEST']);
    expect(problems[0]![1]).toContain(message);
  });

  it('refuses a manifest that is not JSON', () => {
    expect(validateSamplingManifest('version: 2')[0]).toMatch(/not valid JSON/);
  });
});

describe('Datadog and Jaeger tracers', () => {
  const cluster = (name: string, address: string, port: number) => ({
    name,
    type: 'STRICT_DNS',
    connectTimeout: '1s',
    loadAssignment: { clusterName: name, endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address, portValue: port } } } }] }] },
  });

  it('Datadog: collector cluster, service name from DD_SERVICE, mesh/name or "envoy"', () => {
    const { bootstrap } = gen({ ...APP_MESH_ENV, ENABLE_ENVOY_DATADOG_TRACING: '1' });
    expect(bootstrap.tracing).toEqual({
      http: { name: 'envoy.tracers.datadog', typedConfig: { '@type': 'type.googleapis.com/envoy.config.trace.v3.DatadogConfig', collectorCluster: 'datadog_agent', serviceName: 'envoy-foo/bar' } },
    });
    expect(bootstrap.staticResources!.clusters).toEqual([cluster('datadog_agent', '127.0.0.1', 8126)]);
    const custom = gen({ ...APP_MESH_ENV, ENABLE_ENVOY_DATADOG_TRACING: '1', DD_SERVICE: 'svc', DATADOG_TRACER_ADDRESS: 'dd-agent', DATADOG_TRACER_PORT: '8127' }).bootstrap;
    expect(custom.tracing!.http.typedConfig.serviceName).toBe('svc');
    expect(custom.staticResources!.clusters).toEqual([cluster('datadog_agent', 'dd-agent', 8127)]);
    expect(gen({ ...APP_MESH_ENV, APPMESH_RESOURCE_ARN: TASK_SET_ARN.split('/')[0]!, ENABLE_ENVOY_DATADOG_TRACING: '1' }).bootstrap.tracing!.http.typedConfig.serviceName).toBe('envoy');
  });

  it('Jaeger: Zipkin driver, HTTP_PROTO unless the version says json, hostnames allowed', () => {
    const { bootstrap } = gen({ ...APP_MESH_ENV, ENABLE_ENVOY_JAEGER_TRACING: '1' });
    expect(bootstrap.tracing).toEqual({
      http: {
        name: 'envoy.tracers.zipkin',
        typedConfig: {
          '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig',
          collectorCluster: 'jaeger',
          collectorEndpoint: '/api/v2/spans',
          collectorEndpointVersion: 'HTTP_PROTO',
          sharedSpanContext: false,
        },
      },
    });
    expect(bootstrap.staticResources!.clusters).toEqual([cluster('jaeger', '127.0.0.1', 9411)]);
    const json = gen({ ...APP_MESH_ENV, ENABLE_ENVOY_JAEGER_TRACING: '1', JAEGER_TRACER_VERSION: 'Json', JAEGER_TRACER_ADDRESS: 'jaeger.local', JAEGER_TRACER_PORT: '9412' }).bootstrap;
    expect(json.tracing!.http.typedConfig.collectorEndpointVersion).toBe('HTTP_JSON');
    expect(json.staticResources!.clusters).toEqual([cluster('jaeger', 'jaeger.local', 9412)]);
  });

  it('generates no tracing when ENVOY_TRACING_CFG_FILE is set, and only one driver otherwise', () => {
    expect(gen({ ...XRAY, ENVOY_TRACING_CFG_FILE: '/t.yaml' }).bootstrap.tracing).toBeUndefined();
    expect(problemsOf(() => gen({ ...XRAY, ENABLE_ENVOY_JAEGER_TRACING: '1' })).map((p) => p[0])).toEqual(['ENABLE_ENVOY_JAEGER_TRACING']);
  });
});
