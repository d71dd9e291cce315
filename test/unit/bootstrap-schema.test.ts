import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RulesChecker, formatViolation } from '../../src/common/proto-rules/rules-checker';
import { JsonChecker } from '../../src/mgmt/resource-json';
import { mergeCustomConfig } from '../../src/sidecar/bootstrap/custom-files';
import { bootstrapYaml } from '../../src/sidecar/bootstrap/render';
import type { JsonObject } from '../../src/sidecar/bootstrap/types';
import { BOOTSTRAP_CASES, CUSTOM_FILES } from '../fixtures/bootstrap-cases';
import { APP_MESH_ENV, SERVICE_CONNECT_ENV, gen } from '../fixtures/bootstrap-env';
import { EnvoySchema, type SchemaReport, durationNanos, protoJsonName } from '../fixtures/envoy-schema';
import { tmpDir } from '../fixtures/tmp';

const BOOTSTRAP = 'envoy.config.bootstrap.v3.Bootstrap';
let schema: EnvoySchema;
beforeAll(() => {
  schema = EnvoySchema.load();
});

/** Deprecated fields the reference's bootstrap uses on purpose (its static layer enables all deprecated features). */
const EXPECTED_DEPRECATED = new Set(['envoy.config.bootstrap.v3.Bootstrap.tracing', 'envoy.config.cluster.v3.Cluster.http2_protocol_options']);

function check(json: unknown): SchemaReport {
  const report = schema.validate(BOOTSTRAP, json);
  for (const d of report.deprecated) expect(EXPECTED_DEPRECATED, `unexpected deprecated field ${d}`).toContain(d);
  // Then Envoy's validate.rules, over the whole bootstrap and the typed configs inside it.
  const reader = new JsonChecker(schema.root, { jsonNames: true });
  const type = schema.root.lookupType(BOOTSTRAP);
  const norm = reader.message(type, json, '');
  expect(reader.problems).toEqual([]);
  const broken = new RulesChecker(schema.root).check(type, type.fromObject(norm!) as unknown as Record<string, unknown>);
  return { ...report, errors: [...report.errors, ...broken.map((v) => ({ path: v.path, message: formatViolation(v) }))] };
}

describe('generated bootstraps validate against Envoy\'s Bootstrap proto', () => {
  it('covers at least 30 combinations', () => {
    expect(BOOTSTRAP_CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(BOOTSTRAP_CASES.map((c) => c.name)).size).toBe(BOOTSTRAP_CASES.length);
  });

  it.each(BOOTSTRAP_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { bootstrap } = gen(c.env, c.facts);
    expect(check(bootstrap).errors).toEqual([]);
    // What Envoy reads is the YAML: the round trip must keep every JSON type.
    const roundTrip = parse(bootstrapYaml(bootstrap)) as unknown;
    expect(roundTrip).toEqual(JSON.parse(JSON.stringify(bootstrap)));
    expect(check(roundTrip).errors).toEqual([]);
  });

  it('stays valid with custom files merged in (snake_case nested keys)', () => {
    const doc = (variable: 'ENVOY_TRACING_CFG_FILE' | 'ENVOY_STATS_CONFIG_FILE' | 'ENVOY_STATS_SINKS_CFG_FILE' | 'ENVOY_RESOURCES_CONFIG_FILE', d: unknown) => ({ variable, path: `/${variable}`, doc: d });
    const env = { ...SERVICE_CONNECT_ENV, ENABLE_ENVOY_DOG_STATSD: '1', ENVOY_TRACING_CFG_FILE: '/t', ENVOY_STATS_CONFIG_FILE: '/s' };
    const base = gen(env).bootstrap as unknown as JsonObject;
    const { bootstrap } = mergeCustomConfig(base, [
      doc('ENVOY_TRACING_CFG_FILE', CUSTOM_FILES.tracing),
      doc('ENVOY_STATS_CONFIG_FILE', CUSTOM_FILES.stats),
      doc('ENVOY_RESOURCES_CONFIG_FILE', CUSTOM_FILES.resources),
    ]);
    expect((bootstrap.staticResources as { clusters: unknown[] }).clusters).toHaveLength(3);
    expect(check(bootstrap).errors).toEqual([]);
    const sinks = mergeCustomConfig(gen({ ...APP_MESH_ENV, ENABLE_ENVOY_DOG_STATSD: '1' }).bootstrap as unknown as JsonObject, [doc('ENVOY_STATS_SINKS_CFG_FILE', CUSTOM_FILES.sinks)]);
    expect(sinks.bootstrap.statsSinks).toHaveLength(2);
    expect(check(sinks.bootstrap).errors).toEqual([]);
  });
});

describe('the schema validator can fail', () => {
  const base = () => JSON.parse(JSON.stringify(gen({ ...SERVICE_CONNECT_ENV, ENABLE_ENVOY_XRAY_TRACING: '1', ENABLE_ENVOY_DOG_STATSD: '1' }).bootstrap)) as Record<string, any>;
  const errorsOf = (mutate: (b: Record<string, any>) => void): string[] => {
    const b = base();
    mutate(b);
    return schema.validate(BOOTSTRAP, b).errors.map((e) => `${e.path}: ${e.message}`);
  };

  it.each([
    ['a misspelled field', (b: any) => (b.admin.adress = b.admin.address), 'unknown field "adress"'],
    ['a field in neither spelling', (b: any) => (b.node.Cluster = 'x'), 'unknown field "Cluster"'],
    ['a misspelled nested field in an Any body', (b: any) => (b.tracing.http.typedConfig.segment_nam = 'x'), 'unknown field "segment_nam" in envoy.config.trace.v3.XRayConfig'],
    ['a wrong enum', (b: any) => (b.dynamicResources.adsConfig.apiType = 'GRPCX'), '"GRPCX" is not a ApiType name'],
    ['an enum given as a number', (b: any) => (b.dynamicResources.cdsConfig.resourceApiVersion = 2), 'is not a ApiVersion name'],
    ['a bad duration', (b: any) => (b.dynamicResources.cdsConfig.initialFetchTimeout = '10'), '"10" is not a proto3 JSON duration'],
    ['a duration with a unit Envoy does not parse', (b: any) => (b.staticResources.clusters[0].edsClusterConfig.edsConfig.initialFetchTimeout = '1ms'), 'is not a proto3 JSON duration'],
    ['an unresolvable @type', (b: any) => (b.statsSinks[0].typedConfig['@type'] = 'type.googleapis.com/envoy.config.metrics.v3.DogStatsdSinkX'), 'does not resolve to a loaded message type'],
    ['an Any without @type', (b: any) => delete b.admin.accessLog[0].typedConfig['@type'], 'needs an "@type"'],
    ['a string for a number', (b: any) => (b.admin.address = { socketAddress: { address: '0.0.0.0', portValue: 'ninety' } }), 'is not an integer (uint32)'],
    ['a number for a string', (b: any) => (b.node.id = 5), '5 is not a string'],
    ['an object for a repeated field', (b: any) => (b.statsSinks = b.statsSinks[0]), 'repeated field stats_sinks must be an array'],
    ['an array for a map', (b: any) => (b.dynamicResources.adsConfig.grpcServices[0].googleGrpc.channelArgs.args = []), 'map field args must be a JSON object'],
    ['a 64-bit int as a float', (b: any) => (b.dynamicResources.adsConfig.grpcServices[0].googleGrpc.channelArgs.args['grpc.keepalive_time_ms'].intValue = 1.5), 'is not an integer (int64)'],
    ['a wrapper of the wrong type', (b: any) => (b.tracing = { http: { name: 'z', typedConfig: { '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig', collectorCluster: 'j', collectorEndpoint: '/', sharedSpanContext: 'false' } } }), 'google.protobuf.BoolValue'],
    ['two members of a oneof', (b: any) => (b.admin.address = { socketAddress: { address: '::', portValue: 1 }, pipe: { path: '/x' } }), 'oneof address: both'],
    ['a required oneof left empty', (b: any) => (b.admin.address = {}), 'one of socket_address, pipe, envoy_internal_address is required'],
    ['a cluster without a name', (b: any) => delete b.staticResources.clusters[0].name, 'name must have at least 1 character'],
    ['an out-of-range uint32', (b: any) => (b.admin.address = { pipe: { path: '/x', mode: 1000 } }), 'mode must be lte 511'],
    ['a flush interval Envoy refuses', (b: any) => (b.statsFlushInterval = '300s'), 'stats_flush_interval must be lt'],
    ['a non-JSON value in a Struct', (b: any) => (b.node.metadata.x = Number.NaN), 'is not a JSON number'],
    ['null for a message', (b: any) => (b.clusterManager = null), 'must be a JSON object, not null'],
    ['the same field in both spellings', (b: any) => (b.node.metadata = b.node.metadata) && (b.cluster_manager = b.clusterManager), 'given twice'],
  ])('rejects %s', (_what, mutate, message) => {
    const errors = errorsOf(mutate);
    expect(errors.join('\n')).toContain(message);
  });

  it('rejects, through validate.rules, what the schema alone lets through: a header name with a newline, a tag regex too long', () => {
    const b = base();
    b.dynamicResources.adsConfig.grpcServices[0].initialMetadata = [{ key: 'x-bad\nname', value: 'v' }];
    b.statsConfig = { statsTags: [{ tagName: 't', regex: 'x'.repeat(1100) }] };
    expect(schema.validate(BOOTSTRAP, b).errors).toEqual([]);
    expect(check(b).errors.map((e) => e.message)).toEqual([
      'dynamic_resources.ads_config.grpc_services[0].initial_metadata[0].key: must be a valid HTTP header name [(validate.rules).string.well_known_regex]',
      'stats_config.stats_tags[0].regex: length must be at most 1024 bytes [(validate.rules).string.max_bytes]',
    ]);
  });

  it('accepts both spellings, integers as strings, and NullValue in a Struct', () => {
    const b = base();
    b.node.metadata.n = null;
    b.admin = { access_log: b.admin.accessLog, address: { socket_address: { address: '0.0.0.0', port_value: '9901' } } };
    expect(schema.validate(BOOTSTRAP, b).errors).toEqual([]);
  });

  it('helpers: json names and durations', () => {
    expect([protoJsonName('stat_prefix'), protoJsonName('ipv4_compat'), protoJsonName('x')]).toEqual(['statPrefix', 'ipv4Compat', 'x']);
    expect([durationNanos('0s'), durationNanos('0.001s'), durationNanos('-1.5s'), durationNanos('1.0000000001s'), durationNanos('5m')]).toEqual([0n, 1_000_000n, -1_500_000_000n, undefined, undefined]);
  });
});

describe('Envoy itself (only when ENVOY_BIN is set)', () => {
  it.skipIf(!process.env.ENVOY_BIN)('envoy --mode validate accepts a few generated bootstraps', () => {
    const dir = tmpDir();
    const picks = ['Service Connect default', 'Service Connect with SDS', 'Datadog default', 'DogStatsD UDP', 'stats tags and metric extension', 'X-Ray sampling rate'];
    for (const name of picks) {
      const c = BOOTSTRAP_CASES.find((x) => x.name === name)!;
      const { bootstrap, files } = gen(c.env, { ...c.facts, tmpDir: dir });
      for (const f of files) fs.writeFileSync(f.path, f.content, { mode: f.mode });
      const file = path.join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
      fs.writeFileSync(file, bootstrapYaml(bootstrap));
      execFileSync(process.env.ENVOY_BIN!, ['--mode', 'validate', '-c', file, '-l', 'error'], { stdio: 'pipe', timeout: 30_000 });
    }
  });
});
