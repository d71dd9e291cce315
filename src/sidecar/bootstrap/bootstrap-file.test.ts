import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { APP_MESH_ENV, cfgFrom } from '../../../test/fixtures/bootstrap-env';
import { tmpDir } from '../../../test/fixtures/tmp';
import { ConfigError } from '../../common/env';
import { valueProblem } from '../../common/problem';
import { prepareBootstrapFile } from './bootstrap-file';
import { bootstrapYaml, renderBootstrap } from './render';

const rendered = (yaml = 'admin: {}\n', files: Array<{ variable: string; path: string; content: string; mode: number }> = []) => {
  let calls = 0;
  return {
    render: async () => {
      calls++;
      return { yaml, files };
    },
    get calls() {
      return calls;
    },
  };
};

async function configError(p: Promise<unknown>): Promise<ConfigError> {
  const e = await p.catch((err: unknown) => err);
  expect(e).toBeInstanceOf(ConfigError);
  return e as ConfigError;
}

// docs/reference-agent/bootstrap.md#the-bootstrap-file
describe('prepareBootstrapFile: config path, temp file, existing content', () => {
  it('creates a 0600 envoy-config-<random>.yaml temp file when no path is configured', async () => {
    const dir = tmpDir();
    const r = rendered();
    const out = await prepareBootstrapFile({ configPath: undefined, tmpDir: dir, render: r.render });
    expect(path.dirname(out.path)).toBe(dir);
    expect(path.basename(out.path)).toMatch(/^envoy-config-[0-9a-f]+\.yaml$/);
    expect(out).toMatchObject({ generated: true, created: true });
    expect(fs.statSync(out.path).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(out.path, 'utf8')).toBe('admin: {}\n');
    const again = await prepareBootstrapFile({ configPath: undefined, tmpDir: dir, render: r.render });
    expect(again.path).not.toBe(out.path);
  });

  it('uses a non-empty file as is, without rendering', async () => {
    const file = path.join(tmpDir(), 'mine.yaml');
    fs.writeFileSync(file, 'node: {id: x}\n');
    const r = rendered();
    expect(await prepareBootstrapFile({ configPath: file, render: r.render })).toEqual({ path: file, generated: false, created: false });
    expect(r.calls).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe('node: {id: x}\n');
  });

  it('fills an empty file in place, keeping its permissions, side files first', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'empty.yaml');
    fs.writeFileSync(file, '', { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    const inode = fs.statSync(file).ino;
    const side = { variable: 'XRAY_SAMPLING_RATE', path: path.join(dir, 'sampling-rules.json'), content: '{}', mode: 0o644 };
    const out = await prepareBootstrapFile({ configPath: file, render: rendered('a: 1\n', [side]).render });
    expect(out).toEqual({ path: file, generated: true, created: false });
    const st = fs.statSync(file);
    expect([st.mode & 0o777, st.ino]).toEqual([0o640, inode]);
    expect(fs.readFileSync(side.path, 'utf8')).toBe('{}');
    expect(fs.statSync(side.path).mode & 0o777).toBe(0o644);
  });

  it('follows a symlinked config file (the reference refuses one)', async () => {
    const dir = tmpDir();
    const target = path.join(dir, 'real.yaml');
    fs.writeFileSync(target, '');
    const link = path.join(dir, 'link.yaml');
    fs.symlinkSync(target, link);
    const out = await prepareBootstrapFile({ configPath: link, render: rendered('b: 2\n').render });
    expect(out.generated).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('b: 2\n');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('refuses a missing path, a directory and a failed write, naming the variable', async () => {
    const dir = tmpDir();
    const missing = await configError(prepareBootstrapFile({ configPath: path.join(dir, 'nope.yaml'), render: rendered().render }));
    expect(missing.problems[0]).toMatchObject({ where: 'ENVOY_CONFIG_FILE', seen: path.join(dir, 'nope.yaml') });
    expect(missing.problems[0]!.accepted).toContain('ENOENT');
    const isDir = await configError(prepareBootstrapFile({ configPath: dir, pathSource: '-envoyConfigPath', render: rendered().render }));
    expect(isDir.problems[0]).toMatchObject({ where: '-envoyConfigPath', accepted: 'a regular file (or a symlink to one)' });
    const file = path.join(dir, 'e.yaml');
    fs.writeFileSync(file, '');
    const side = { variable: 'XRAY_SAMPLING_RATE', path: path.join(dir, 'no-such-dir', 'rules.json'), content: '{}', mode: 0o644 };
    const sideErr = await configError(prepareBootstrapFile({ configPath: file, render: rendered('a: 1\n', [side]).render }));
    expect(sideErr.problems[0]).toMatchObject({ where: 'XRAY_SAMPLING_RATE', seen: side.path });
    const noTmp = await configError(prepareBootstrapFile({ configPath: undefined, tmpDir: path.join(dir, 'absent'), render: rendered().render }));
    expect(noTmp.problems[0]!.accepted).toContain('no temp file could be created');
  });

  it('refuses to leave an empty bootstrap behind', async () => {
    const file = path.join(tmpDir(), 'e.yaml');
    fs.writeFileSync(file, '');
    const err = await configError(prepareBootstrapFile({ configPath: file, render: rendered('').render }));
    expect(err.problems[0]!.accepted).toContain('still empty');
  });

  it('propagates render errors untouched', async () => {
    const file = path.join(tmpDir(), 'e.yaml');
    fs.writeFileSync(file, '');
    const boom = new ConfigError([valueProblem('AWS_REGION', '', 'x')]);
    await expect(prepareBootstrapFile({ configPath: file, render: () => Promise.reject(boom) })).rejects.toBe(boom);
  });
});

describe('renderBootstrap + prepareBootstrapFile end to end', () => {
  it('writes YAML that parses back to the generated and merged bootstrap', async () => {
    const dir = tmpDir();
    const sinks = path.join(dir, 'sinks.yaml');
    fs.writeFileSync(sinks, 'stats_sinks:\n- name: envoy.stat_sinks.statsd\n');
    const env = { ...APP_MESH_ENV, APPMESH_XDS_ENDPOINT: 'x:443', ENABLE_ENVOY_XRAY_TRACING: '1', XRAY_SAMPLING_RATE: '0.2', ENVOY_STATS_SINKS_CFG_FILE: sinks };
    const warnings: string[] = [];
    const cfg = cfgFrom(env);
    const out = await prepareBootstrapFile({
      configPath: undefined,
      tmpDir: dir,
      render: () => renderBootstrap(cfg, { envoyBin: '/nonexistent', warn: (m) => warnings.push(m), tmpDir: dir }),
    });
    const text = fs.readFileSync(out.path, 'utf8');
    const parsed = parse(text) as Record<string, any>;
    expect(parsed.dynamicResources.adsConfig.grpcServices[0].googleGrpc.channelArgs.args['grpc.keepalive_time_ms']).toEqual({ intValue: '10000' });
    expect(parsed.statsSinks).toEqual([{ name: 'envoy.stat_sinks.statsd' }]);
    expect(parsed.tracing.http.typedConfig.samplingRuleManifest.filename).toBe(path.join(dir, 'sampling-rules.json'));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'sampling-rules.json'), 'utf8')).default.rate).toBe(0.2);
    expect(text).not.toMatch(/[&*]a\d/); // no YAML anchors/aliases for the shared runtime map
    expect(Object.keys(parsed)).toEqual([...Object.keys(parsed)].sort());
  });

  it('reports generation and custom-file problems together', async () => {
    const env = { APPMESH_RESOURCE_ARN: 'mesh/foo/virtualNode/bar', APPMESH_XDS_ENDPOINT: 'x:443', ENVOY_RESOURCES_CONFIG_FILE: '/nonexistent/r.yaml' };
    const err = await configError(renderBootstrap(cfgFrom(env), { envoyBin: '/nonexistent', warn: () => {}, timeouts: { imdsRegionMs: 50 }, tmpDir: '/tmp' }));
    expect(err.problems.map((p) => p.where)).toEqual(['AWS_REGION', 'ENVOY_RESOURCES_CONFIG_FILE']);
  });

  it('quotes every string, so that Envoy never reads one as a bool or a number', () => {
    const values = ['yes', 'on', 'n', '0o17', '1:20', '::1', '10000', 'it\'s', '^a\\.b$'];
    const yaml = bootstrapYaml({ node: { cluster: 'on', metadata: { values } } });
    expect(yaml).toContain("cluster: 'on'");
    expect(yaml).toContain("- '0o17'");
    expect(parse(yaml)).toEqual({ node: { cluster: 'on', metadata: { values } } });
    expect(parse(yaml, { version: '1.1' }).node.metadata.values).toEqual(values);
  });

  it('renders regexes on one line and keys sorted', () => {
    const yaml = bootstrapYaml({ b: { regex: `^appmesh(?:\\..+?\\..+?)*(\\.${'x'.repeat(200)})$` }, a: 1 });
    expect(yaml.split('\n')[0]).toBe('a: 1');
    expect(yaml.split('\n')).toHaveLength(4);
  });
});
