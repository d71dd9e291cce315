import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_MESH_ENV, cfgFrom, problemsOf } from '../../../test/fixtures/bootstrap-env';
import { tmpDir } from '../../../test/fixtures/tmp';
import { ConfigError } from '../../common/env';
import { type CustomDocument, type CustomFileVar, lowerCamel, mergeCustomConfig } from './custom-files';
import { readCustomDocuments } from './custom-files-reader';
import type { JsonObject } from './types';

const doc = (variable: CustomFileVar, d: unknown, p = `/cfg/${variable.toLowerCase()}.yaml`): CustomDocument => ({ variable, path: p, doc: d });
const merge = (base: JsonObject, ...docs: CustomDocument[]) => mergeCustomConfig(base, docs);

// docs/reference-agent/bootstrap.md#custom-files: the reference's merge rules and examples
describe('mergeCustomConfig', () => {
  it('resources file: static resources appended, other keys replaced, nested keys untouched (first example in the docs)', () => {
    const base = {
      staticResources: { clusters: [{ name: 'c0' }], listeners: [{ name: 'l0' }], secrets: [{ name: 's0' }] },
      dynamicResources: { lds_config: 'x' },
    };
    const file = {
      static_resources: { clusters: [{ name: 'c1' }], listeners: [{ name: 'l1' }], secrets: [{ name: 's1' }] },
      dynamic_resources: { lds_config: { path: 'value1' }, cds_config: { path: 'value2' }, ads_config: { api_type: 'GRPC' } },
    };
    const { bootstrap, warnings } = merge(base, doc('ENVOY_RESOURCES_CONFIG_FILE', file));
    expect(bootstrap).toEqual({
      staticResources: { clusters: [{ name: 'c0' }, { name: 'c1' }], listeners: [{ name: 'l0' }, { name: 'l1' }], secrets: [{ name: 's0' }, { name: 's1' }] },
      dynamicResources: { lds_config: { path: 'value1' }, cds_config: { path: 'value2' }, ads_config: { api_type: 'GRPC' } },
    });
    expect(warnings.join()).toContain('replaces dynamicResources');
    expect(base.staticResources.clusters).toHaveLength(1); // the input is not mutated
  });

  it('sinks file: appended after the generated DogStatsD sink (second example in the docs)', () => {
    const sink = (port: number) => ({ name: 'envoy.stat_sinks.dog_statsd', typed_config: { address: { socket_address: { port_value: port } } } });
    const { bootstrap } = merge({ statsSinks: [sink(8125)] }, doc('ENVOY_STATS_SINKS_CFG_FILE', { stats_sinks: [sink(8126)] }));
    expect(bootstrap.statsSinks).toEqual([sink(8125), sink(8126)]);
  });

  it('tracing file: tracing plus a static cluster into an empty bootstrap (third example in the docs)', () => {
    const file = { tracing: { http: { name: 'envoy.tracers.zipkin' } }, staticResources: { clusters: [{ name: 'jaeger' }] } };
    expect(merge({}, doc('ENVOY_TRACING_CFG_FILE', file)).bootstrap).toEqual(file);
  });

  it('stats config file sets statsConfig once; top-level keys become lowerCamelCase', () => {
    const { bootstrap } = merge({ admin: {} }, doc('ENVOY_STATS_CONFIG_FILE', { stats_config: { stats_tags: [] }, header_prefix: 'x-', fatal_actions: [] }));
    expect(bootstrap).toEqual({ admin: {}, statsConfig: { stats_tags: [] }, headerPrefix: 'x-', fatalActions: [] });
    expect([lowerCamel('dynamic_resources'), lowerCamel('statsSinks'), lowerCamel('a__b')]).toEqual(['dynamicResources', 'statsSinks', 'aB']);
  });

  it('merges in the fixed order whatever the input order', () => {
    const { bootstrap } = merge(
      {},
      doc('ENVOY_RESOURCES_CONFIG_FILE', { statsSinks: [{ name: 'r' }], admin: { from: 'resources' } }),
      doc('ENVOY_STATS_SINKS_CFG_FILE', { statsSinks: [{ name: 's' }], admin: { from: 'sinks' } }),
    );
    expect(bootstrap).toEqual({ statsSinks: [{ name: 's' }, { name: 'r' }], admin: { from: 'resources' } });
  });

  it.each([
    [{ tracing: { http: {} } }, doc('ENVOY_TRACING_CFG_FILE', { tracing: { http: {} } }), 'multiple tracing configurations'],
    [{ statsConfig: {} }, doc('ENVOY_RESOURCES_CONFIG_FILE', { stats_config: { a: 1 } }), 'multiple stats configurations'],
    [{}, doc('ENVOY_STATS_CONFIG_FILE', { stats_config: {}, statsConfig: {} }), 'one spelling per key (it has stats_config and statsConfig)'],
    [{}, doc('ENVOY_RESOURCES_CONFIG_FILE', { header_prefix: 'a', headerPrefix: 'b' }), 'one spelling per key (it has header_prefix and headerPrefix)'],
    [{}, doc('ENVOY_STATS_SINKS_CFG_FILE', { stats_sinks: { name: 'x' } }), 'stats_sinks to be a list'],
    [{}, doc('ENVOY_STATS_SINKS_CFG_FILE', { admin: {} }), 'contained no valid stats_sinks configuration'],
    [{ staticResources: { clusters: [] } }, doc('ENVOY_RESOURCES_CONFIG_FILE', { static_resources: { clusters: { name: 'c' } } }), 'staticResources.clusters to be a list'],
    [{}, doc('ENVOY_TRACING_CFG_FILE', null), 'the file is empty'],
    [{}, doc('ENVOY_STATS_CONFIG_FILE', {}), 'the file is empty'],
    [{}, doc('ENVOY_STATS_SINKS_CFG_FILE', ['a']), 'not a mapping'],
  ])('refuses %j + %j', (base, d, message) => {
    const problems = problemsOf(() => merge(base as JsonObject, d));
    expect(problems.map((p) => p[0])).toEqual([d.variable]);
    expect(problems[0]![1]).toContain(message);
  });

  it('only warns about an empty resources file', () => {
    const { bootstrap, warnings } = merge({ admin: {} }, doc('ENVOY_RESOURCES_CONFIG_FILE', null));
    expect(bootstrap).toEqual({ admin: {} });
    expect(warnings[0]).toContain('is empty');
  });

  it('reports the problems of several files together', () => {
    try {
      merge({ tracing: {} }, doc('ENVOY_TRACING_CFG_FILE', { tracing: {} }), doc('ENVOY_STATS_SINKS_CFG_FILE', {}));
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => [p.where, p.seen])).toEqual([
        ['ENVOY_TRACING_CFG_FILE', '/cfg/envoy_tracing_cfg_file.yaml'],
        ['ENVOY_STATS_SINKS_CFG_FILE', '/cfg/envoy_stats_sinks_cfg_file.yaml'],
      ]);
    }
  });
});

describe('readCustomDocuments', () => {
  it('reads YAML and JSON files named by the variables', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 't.yaml'), 'tracing:\n  http:\n    name: envoy.tracers.zipkin\n');
    fs.writeFileSync(path.join(dir, 's.json'), '{"stats_sinks": [{"name": "x"}]}');
    fs.writeFileSync(path.join(dir, 'r.yaml'), '---\n');
    const cfg = cfgFrom({
      ...APP_MESH_ENV,
      ENVOY_TRACING_CFG_FILE: path.join(dir, 't.yaml'),
      ENVOY_STATS_SINKS_CFG_FILE: path.join(dir, 's.json'),
      ENVOY_RESOURCES_CONFIG_FILE: path.join(dir, 'r.yaml'),
    });
    const docs = await readCustomDocuments(cfg);
    expect(docs.map((d) => [d.variable, d.doc])).toEqual([
      ['ENVOY_TRACING_CFG_FILE', { tracing: { http: { name: 'envoy.tracers.zipkin' } } }],
      ['ENVOY_STATS_SINKS_CFG_FILE', { stats_sinks: [{ name: 'x' }] }],
      ['ENVOY_RESOURCES_CONFIG_FILE', null],
    ]);
  });

  it('names the variable and path of unreadable and unparsable files, all at once', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'a: [1, 2\n');
    const cfg = cfgFrom({ ...APP_MESH_ENV, ENVOY_STATS_CONFIG_FILE: path.join(dir, 'missing.yaml'), ENVOY_RESOURCES_CONFIG_FILE: path.join(dir, 'bad.yaml') });
    const err = await readCustomDocuments(cfg).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems.map((p) => [p.where, p.seen])).toEqual([
      ['ENVOY_STATS_CONFIG_FILE', path.join(dir, 'missing.yaml')],
      ['ENVOY_RESOURCES_CONFIG_FILE', path.join(dir, 'bad.yaml')],
    ]);
    expect(problems[0]!.accepted).toContain('ENOENT');
    expect(problems[1]!.accepted).toContain(`failure to parse ENVOY_RESOURCES_CONFIG_FILE ${path.join(dir, 'bad.yaml')}`);
  });
});
