import { describe, expect, it } from 'vitest';
import { APP_MESH_ENV, SERVICE_CONNECT_ENV, gen, problemsOf } from '../../../test/fixtures/bootstrap-env';
import { parseMeshResource } from './node-id';
import { protoDuration } from './proto-json';

/** The regexes exactly as the reference writes them (docs/reference-agent/bootstrap.md#stats-tags). */
const SPEC = {
  ServiceName: '^appmesh(?:\\..+?\\..+?)*(\\.ServiceName\\.(.+?))(?:\\..+?\\..+?)*\\.(?:.+)$',
  ClusterName: '^appmesh(?:\\..+?\\..+?)*(\\.ClusterName\\.(.+?))(?:\\..+?\\..+?)*\\.(?:.+)$',
  Direction: '^appmesh(?:\\..+?\\..+?)*(\\.Direction\\.(.+?))(?:\\..+?\\..+?)*\\.(?:.+)$',
  DiscoveryName: '^appmesh(?:\\..+?\\..+?)*(\\.DiscoveryName\\.((?:(?!\\.(ClusterName|ServiceName|Direction)).)+))(?:\\..+?\\..+?)*\\.(?:.+)$',
  TargetDiscoveryName: '^appmesh(?:\\..+?\\..+?)*(\\.TargetDiscoveryName\\.((?:(?!\\.(ClusterName|ServiceName|Direction)).)+))(?:\\..+?\\..+?)*\\.(?:.+)$',
  TargetVirtualNode: '^appmesh(?:\\..+?\\..+?)*(\\.TargetVirtualNode\\.(.+?))(?:\\..+?\\..+?)*\\.(?:.+)$',
  TargetVirtualService: '^appmesh(?:\\..+?\\..+?)*(\\.TargetVirtualService\\.([^MVT]+))(?:\\..+?\\..+?)*\\.(?:.+)$',
};
const LISTENER = [
  { tagName: 'appmesh.listener_protocol', regex: '.*?\\.ingress\\.((\\w+?)\\.)[0-9]+?\\.(.+?)$' },
  { tagName: 'appmesh.listener_port', regex: '.*?\\.ingress\\.\\w+?\\.(([0-9]+?)\\.)(.+?)$' },
  { tagName: 'envoy_rds_route_config', regex: '.*?\\.ingress\\.\\w+?\\.[0-9]+?\\.rds\\.((.*?)\\.)(.+?)$' },
];
const tags = (env: Record<string, string>) => gen(env).bootstrap.statsConfig?.statsTags;

describe('stats tags', () => {
  it('Service Connect: the five dimension tags with the metric extension, else no statsConfig', () => {
    expect(tags(SERVICE_CONNECT_ENV)).toBeUndefined();
    expect(tags({ ...SERVICE_CONNECT_ENV, ENABLE_ENVOY_STATS_TAGS: '1' })).toBeUndefined();
    expect(tags({ ...SERVICE_CONNECT_ENV, APPMESH_METRIC_EXTENSION_VERSION: '1' })).toEqual(
      (['ServiceName', 'ClusterName', 'Direction', 'DiscoveryName', 'TargetDiscoveryName'] as const).map((n) => ({ tagName: n, regex: SPEC[n] })),
    );
  });

  it('mesh resource with ENABLE_ENVOY_STATS_TAGS (the example in the docs)', () => {
    expect(tags({ ...APP_MESH_ENV, ENABLE_ENVOY_STATS_TAGS: '1' })).toEqual([
      { tagName: 'appmesh.mesh', fixedValue: 'foo' },
      { tagName: 'appmesh.virtual_node', fixedValue: 'bar' },
      ...LISTENER,
    ]);
  });

  it('mesh resource with tags and the metric extension, a virtual gateway ARN', () => {
    const env = { ...APP_MESH_ENV, APPMESH_RESOURCE_ARN: 'arn:aws:appmesh:us-west-2:1:mesh/m/virtualGateway/gw', ENABLE_ENVOY_STATS_TAGS: 'true', APPMESH_METRIC_EXTENSION_VERSION: '1' };
    expect(tags(env)).toEqual([
      { tagName: 'appmesh.mesh', fixedValue: 'm' },
      { tagName: 'appmesh.virtual_gateway', fixedValue: 'gw' },
      { tagName: 'TargetVirtualNode', regex: SPEC.TargetVirtualNode },
      { tagName: 'TargetVirtualService', regex: SPEC.TargetVirtualService },
      { tagName: 'Mesh', fixedValue: 'm' },
      { tagName: 'VirtualGateway', fixedValue: 'gw' },
      ...LISTENER,
    ]);
    expect(gen(env).bootstrap.node.metadata['aws.appmesh.metric_filter']).toEqual({ level: '1' });
    expect(gen(APP_MESH_ENV).bootstrap.node.metadata).not.toHaveProperty('aws.appmesh.metric_filter');
  });

  it('a node id that is neither form no longer fails: mesh-derived tags are skipped with a warning', () => {
    const { bootstrap, warnings } = gen({ ...APP_MESH_ENV, APPMESH_RESOURCE_ARN: 'just-a-name', ENABLE_ENVOY_STATS_TAGS: '1', APPMESH_METRIC_EXTENSION_VERSION: '1' });
    expect(bootstrap.statsConfig!.statsTags).toEqual([
      { tagName: 'TargetVirtualNode', regex: SPEC.TargetVirtualNode },
      { tagName: 'TargetVirtualService', regex: SPEC.TargetVirtualService },
      ...LISTENER,
    ]);
    expect(warnings.join('\n')).toContain('stats tags are left out');
  });

  it('is skipped when ENVOY_STATS_CONFIG_FILE is set', () => {
    expect(tags({ ...APP_MESH_ENV, ENABLE_ENVOY_STATS_TAGS: '1', ENVOY_STATS_CONFIG_FILE: '/s.yaml' })).toBeUndefined();
  });

  it('parses mesh resources', () => {
    expect(parseMeshResource('mesh/foo/virtualNode/bar/extra')).toMatchObject({ mesh: 'foo', type: 'virtualNode', name: 'bar', snakeType: 'virtual_node', upperCamelType: 'VirtualNode' });
    expect(parseMeshResource('mesh/foo/virtualNode')).toBeUndefined();
    expect(parseMeshResource('mesh//virtualNode/bar')).toBeUndefined();
  });
});

describe('stats flush interval and DogStatsD', () => {
  it.each([
    ['15s', '15s'],
    ['5000ms', '5s'],
    ['1m30s', '90s'],
    ['1ms', '0.001s'],
    ['1500us', '0.001500s'],
  ])('ENVOY_STATS_FLUSH_INTERVAL=%s -> %s', (value, out) => {
    expect(gen({ ...APP_MESH_ENV, ENVOY_STATS_FLUSH_INTERVAL: value }).bootstrap.statsFlushInterval).toBe(out);
  });

  it('leaves the flush interval out when unset and refuses what Envoy would refuse', () => {
    expect(gen(APP_MESH_ENV).bootstrap).not.toHaveProperty('statsFlushInterval');
    expect(problemsOf(() => gen({ ...APP_MESH_ENV, ENVOY_STATS_FLUSH_INTERVAL: '5m' })).map((p) => p[0])).toEqual(['ENVOY_STATS_FLUSH_INTERVAL']);
    expect(problemsOf(() => gen({ ...APP_MESH_ENV, ENVOY_STATS_FLUSH_INTERVAL: '500us' })).map((p) => p[0])).toEqual(['ENVOY_STATS_FLUSH_INTERVAL']);
  });

  it('formats proto durations with 0, 3, 6 or 9 fractional digits', () => {
    expect([protoDuration(0), protoDuration(1), protoDuration(180_000), protoDuration(0.25), protoDuration(1.0000005), protoDuration(-1500)]).toEqual([
      '0s',
      '0.001s',
      '180s',
      '0.000250s',
      '0.001000001s',
      '-1.500s',
    ]);
  });

  const sink = (address: unknown) => [{ name: 'envoy.stat_sinks.dog_statsd', typedConfig: { '@type': 'type.googleapis.com/envoy.config.metrics.v3.DogStatsdSink', address } }];

  it.each([
    [{}, { socketAddress: { protocol: 'UDP', address: '127.0.0.1', portValue: 8125 } }],
    [{ STATSD_ADDRESS: '10.0.0.9', STATSD_PORT: '8126' }, { socketAddress: { protocol: 'UDP', address: '10.0.0.9', portValue: 8126 } }],
    [{ STATSD_ADDRESS: '::1' }, { socketAddress: { protocol: 'UDP', address: '::1', portValue: 8125 } }],
    [{ STATSD_SOCKET_PATH: '/var/run/datadog/dsd.socket', STATSD_ADDRESS: '10.0.0.9' }, { pipe: { path: '/var/run/datadog/dsd.socket' } }],
    [{ STATSD_SOCKET_PATH: '   ' }, { socketAddress: { protocol: 'UDP', address: '127.0.0.1', portValue: 8125 } }],
  ])('DogStatsD sink for %j', (env, address) => {
    expect(gen({ ...APP_MESH_ENV, ENABLE_ENVOY_DOG_STATSD: '1', ...env }).bootstrap.statsSinks).toEqual(sink(address));
  });

  it('no sink when disabled or when a sinks file is given; STATSD_PORT and the address are checked', () => {
    expect(gen(APP_MESH_ENV).bootstrap.statsSinks).toBeUndefined();
    expect(gen({ ...APP_MESH_ENV, ENABLE_ENVOY_DOG_STATSD: '1', ENVOY_STATS_SINKS_CFG_FILE: '/s.yaml' }).bootstrap.statsSinks).toBeUndefined();
    expect(problemsOf(() => gen({ ...APP_MESH_ENV, ENABLE_ENVOY_DOG_STATSD: '1', STATSD_PORT: 'TCP' })).map((p) => p[0])).toEqual(['STATSD_PORT']);
    expect(problemsOf(() => gen({ ...APP_MESH_ENV, ENABLE_ENVOY_DOG_STATSD: '1', STATSD_ADDRESS: 'datadog' })).map((p) => p[0])).toEqual(['STATSD_ADDRESS']);
    // Parsed strictly even when a sinks file is given, as the reference does
    // (docs/reference-agent/bootstrap.md#generation-order).
    expect(problemsOf(() => gen({ ...APP_MESH_ENV, ENABLE_ENVOY_DOG_STATSD: 'maybe', ENVOY_STATS_SINKS_CFG_FILE: '/s.yaml' })).map((p) => p[0])).toEqual(['ENABLE_ENVOY_DOG_STATSD']);
  });
});
