import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/common/env';
import { parseMgmtArgs } from '../../src/mgmt/cli-config';
import { FileResourceSource } from '../../src/mgmt/file-source';
import { ResourceCodec, ResourceError } from '../../src/mgmt/resource-codec';
import { parseResourceDocument } from '../../src/mgmt/resource-document';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { cluster, endpoints, serviceChain } from '../fixtures/xds-resources';

let codec: ResourceCodec;
let dir: string;
beforeAll(() => {
  codec = new ResourceCodec();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mgmt-res-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ResourceError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ResourceError');
}

describe('ResourceCodec', () => {
  it('encodes a chain and decodes it back, with Any, Duration and enums', () => {
    const encoded = codec.encodeAll(serviceChain('svc', 8080));
    expect(encoded.map((r) => r.name)).toEqual(['svc', 'svc-route', 'svc-cluster', 'svc-eds']);
    const c = codec.decode({ type_url: TypeUrl.Cluster, value: encoded[2]!.value });
    expect(c).toMatchObject({ name: 'svc-cluster', type: 'EDS', connect_timeout: { seconds: '5' } });
    const l = codec.decode({ type_url: TypeUrl.Listener, value: encoded[0]!.value });
    expect((l['api_listener'] as { api_listener: Record<string, unknown> }).api_listener['@type']).toMatch(/HttpConnectionManager$/);
    const e = codec.decode({ type_url: TypeUrl.ClusterLoadAssignment, value: encoded[3]!.value });
    expect(JSON.stringify(e)).toContain('"port_value":8080');
  });

  it('keeps every value of a Struct (metadata), whatever spelling the loaded Value type uses', () => {
    const r = codec.encode({ '@type': TypeUrl.Cluster, name: 'c', metadata: { filter_metadata: { ns: { s: 'x', n: 1, b: true, z: null, l: [1, 'a'], o: { k: 'v' } } } } });
    const ns = (codec.decode({ type_url: r.typeUrl, value: r.value }) as any).metadata.filter_metadata.ns.fields;
    expect(Object.keys(ns).sort()).toEqual(['b', 'l', 'n', 'o', 's', 'z']);
    for (const v of Object.values(ns)) expect(Object.keys(v as object)).toHaveLength(1);
    expect(JSON.stringify(ns)).toContain('"x"');
  });

  it('names the resource and the field for every problem', () => {
    const p = problems(() =>
      codec.encodeAll([
        { ...cluster('c1', 'e1'), connectTimeout: '1s' },
        { ...cluster('c2', 'e2', 'soon') },
        { ...endpoints('e1', 80), cluster_name: '' },
        { '@type': 'type.googleapis.com/nope.Nope', name: 'x' },
        cluster('c1', 'e1'),
        cluster('c1', 'e1'),
      ]),
    );
    expect(p).toEqual([
      'resources[0] (Cluster "c1"): connectTimeout: unknown field (use snake_case: "connect_timeout")',
      'resources[1] (Cluster "c2"): connect_timeout: expected a duration such as "5s" or "0.25s", got "soon"',
      'resources[2] (ClusterLoadAssignment): "cluster_name" must be a non-empty string',
      'resources[3] (Nope "x"): unknown type type.googleapis.com/nope.Nope',
      'resources[5] (Cluster "c1"): duplicate name',
    ]);
  });
});

describe('resource documents', () => {
  it('reads YAML with per-node resources', () => {
    const yaml = [
      'resources:',
      '  - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster',
      '    name: c1',
      '    connect_timeout: 1s',
      'nodes:',
      '  node-a:',
      '    resources:',
      '      - { "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: c1, connect_timeout: 2s }',
    ].join('\n');
    const doc = parseResourceDocument(yaml, 'yaml', codec);
    expect(doc.resources).toHaveLength(1);
    expect(doc.nodes['node-a']).toHaveLength(1);
    expect(doc.nodes['node-a']![0]!.value.equals(doc.resources[0]!.value)).toBe(false);
  });

  it('reports syntax errors and unknown keys', () => {
    expect(problems(() => parseResourceDocument('{', 'json', codec))[0]).toMatch(/^not valid JSON/);
    expect(problems(() => parseResourceDocument('a: [', 'yaml', codec))[0]).toMatch(/^not valid YAML/);
    expect(problems(() => parseResourceDocument('{"resource": []}', 'json', codec))).toEqual([
      'unknown top-level key "resource" (expected "resources" and optionally "nodes")',
      'missing "resources" list',
    ]);
  });

  it('FileResourceSource keeps the last good resources after a bad edit', () => {
    const file = path.join(dir, 'r.json');
    fs.writeFileSync(file, JSON.stringify({ resources: [cluster('c1', 'e1')] }));
    const src = new FileResourceSource(file, { codec, watch: false });
    const v1 = src.snapshotFor({ id: 'x', cluster: '' }).get(TypeUrl.Cluster)!.version;
    fs.writeFileSync(file, JSON.stringify({ resources: [{ ...cluster('c1', 'e1'), bogus: 1 }] }));
    expect(src.reload()).toBe(false);
    expect(src.lastError).toMatch(/resources\[0\] \(Cluster "c1"\): bogus: unknown field/);
    expect(src.snapshotFor({ id: 'x', cluster: '' }).get(TypeUrl.Cluster)!.version).toBe(v1);
    fs.writeFileSync(file, JSON.stringify({ resources: [cluster('c1', 'e1', '9s')] }));
    expect(src.reload()).toBe(true);
    expect(src.lastError).toBeUndefined();
    expect(src.snapshotFor({ id: 'x', cluster: '' }).get(TypeUrl.Cluster)!.version).not.toBe(v1);
    src.close();
  });
});

describe('appnet-mgmt flags', () => {
  const files: Record<string, string> = {
    '/r.yaml': 'resources: []',
    '/creds.json': JSON.stringify({ credentials: [{ accessKeyId: 'AK', secretAccessKey: 'SECRET', sessionToken: 'TOK' }] }),
    '/bad-creds.json': JSON.stringify({ credentials: [{ accessKeyId: 'AK' }] }),
  };
  const read = (f: string) => {
    if (f in files) return files[f]!;
    throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  };

  it('reads flags over environment variables', () => {
    const parsed = parseMgmtArgs(
      ['--resources', '/r.yaml', '--port=0', '--sigv4-region', 'us-west-2', '--sigv4-credentials', '/creds.json'],
      { APPNET_MGMT_PORT: '99', APPNET_MGMT_ADMIN_PORT: '0', APPNET_MGMT_MAX_STREAM_AGE: '30m' },
      read,
    );
    expect(parsed).toMatchObject({
      kind: 'run',
      problems: [],
      config: { port: 0, adminPort: 0, maxStreamAgeMs: 1_800_000, sigv4: { region: 'us-west-2', service: 'appmesh' } },
    });
  });

  it('names every problem, never a secret', () => {
    const parsed = parseMgmtArgs(
      ['--resources', '/missing.yaml', '--admin-port', 'x', '--tls-key', '/k.pem', '--sigv4-region', 'us-west-2', '--sigv4-credentials', '/bad-creds.json', 'stray'],
      { APPNET_MGMT_LOG_LEVEL: 'chatty' },
      read,
    );
    expect(parsed.kind).toBe('run');
    const msg = parsed.kind === 'run' ? new ConfigError(parsed.problems).message : '';
    for (const name of ['stray', '--resources', '--admin-port', '--tls-key', '--sigv4-credentials', 'APPNET_MGMT_LOG_LEVEL']) {
      expect(msg).toContain(`${name}=`);
    }
    expect(msg).toContain('(6 problems)');
    expect(msg).not.toContain('SECRET');
  });

  it('asks for help', () => {
    expect(parseMgmtArgs(['--help'], {}, read)).toEqual({ kind: 'help' });
  });
});
