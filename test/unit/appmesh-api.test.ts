import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPMESH_PREFIX, appMeshApi } from '../../src/mgmt/appmesh/http-api';
import { ModelFileWatcher, readModelFile } from '../../src/mgmt/appmesh/model-file';
import { AppMeshSource, translationCheck } from '../../src/mgmt/appmesh/source';
import { AppMeshStore } from '../../src/mgmt/appmesh/store';
import { parseMgmtArgs } from '../../src/mgmt/cli-config';
import { ResourceCodec } from '../../src/mgmt/resource-codec';
import { startManagementServer, type ManagementServer } from '../../src/mgmt/server';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { AdsTestClient } from '../fixtures/ads-client';
import { SEED_FILE, http2Targets, seedDocument } from '../fixtures/appmesh-seed';
import { waitFor } from '../fixtures/tmp';

/** The /appmesh API on a real management server (in process, loopback sockets), with an ADS client watching. */

const codec = new ResourceCodec();
const ROUTE = '/appmesh/meshes/apps/virtualRouters/serviceB/routes/serviceB';
let server: ManagementServer;
let store: AppMeshStore;

beforeEach(async () => {
  store = new AppMeshStore(seedDocument(), { check: translationCheck(codec) });
  server = await startManagementServer({
    source: new AppMeshSource(store, codec),
    adminPort: 0,
    adminExtensions: [{ prefix: APPMESH_PREFIX, handle: (m, p, b) => appMeshApi(store, m, p, b) }],
  });
});
afterEach(() => server.forceClose());

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; revision: string | null }> {
  const r = await fetch(`http://127.0.0.1:${server.adminPort}${path}`, { method, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
  return { status: r.status, body: await r.json(), revision: r.headers.get('x-appmesh-revision') };
}

describe('the /appmesh HTTP API', () => {
  it('reads the whole model, lists and single resources', async () => {
    const doc = await call('GET', '/appmesh');
    expect(doc).toMatchObject({ status: 200, revision: '0' });
    expect(doc.body).toEqual(store.document);
    expect((await call('GET', '/appmesh/meshes')).body).toEqual([{ meshName: 'apps' }]);
    expect((await call('GET', '/appmesh/meshes/apps/virtualNodes')).body.map((n: any) => n.virtualNodeName)).toEqual(['serviceA', 'serviceB', 'serviceBv2']);
    expect((await call('GET', '/appmesh/meshes/apps/virtualRouters/serviceB/routes')).body.map((r: any) => r.routeName)).toEqual(['serviceB']);
    expect((await call('GET', '/appmesh/meshes/apps/virtualServices/serviceb.apps.local')).body.spec).toEqual({ provider: { virtualRouter: { virtualRouterName: 'serviceB' } } });
    expect((await call('GET', '/appmesh/meshes/apps/virtualNodes/serviceB/endpoints')).body).toEqual(['127.0.0.1:7101']);
  });

  it('creates, updates and deletes, with 201/200 and the revision', async () => {
    const node = { spec: { listeners: [{ portMapping: { port: 8080, protocol: 'grpc' } }], serviceDiscovery: { dns: { hostname: 'servicec.apps.local' } } } };
    const created = await call('PUT', '/appmesh/meshes/apps/virtualNodes/serviceC', node);
    expect(created).toMatchObject({ status: 201, revision: '1', body: { revision: 1, created: true, resource: { meshName: 'apps', virtualNodeName: 'serviceC', ...node } } });
    const updated = await call('PUT', '/appmesh/meshes/apps/virtualNodes/serviceC', { meshName: 'apps', virtualNodeName: 'serviceC', spec: { ...node.spec, listeners: [{ portMapping: { port: 9090, protocol: 'grpc' } }] } });
    expect(updated).toMatchObject({ status: 200, body: { revision: 2, created: false } });
    expect(store.model.nodes.find((n) => n.name === 'serviceC')!.listeners[0]!.port).toBe(9090);
    expect(await call('PUT', '/appmesh/meshes/apps/virtualNodes/serviceC/endpoints', ['127.0.0.1:9999'])).toMatchObject({ status: 201 });
    const deleted = await call('DELETE', '/appmesh/meshes/apps/virtualNodes/serviceC');
    expect(deleted).toMatchObject({ status: 200, body: { revision: 4, deleted: { virtualNodeName: 'serviceC' } } });
    expect(store.document.endpoints?.['apps/serviceC']).toBeUndefined();
    expect(await call('GET', '/appmesh/meshes/apps/virtualNodes/serviceC')).toMatchObject({ status: 404, body: { error: 'not found', problems: ['no virtual node "serviceC" in mesh "apps"'] } });
  });

  it('answers 400 with every problem, and changes nothing', async () => {
    const before = store.document;
    const bad = await call('PUT', ROUTE, { spec: http2Targets([{ virtualNode: 'serviceC', weight: 50 }, { virtualNode: 'serviceBv2', weight: 150 }]) });
    expect(bad).toMatchObject({ status: 400, revision: '0' });
    expect(bad.body).toEqual({
      error: 'change rejected: the model would not be valid; nothing changed',
      problems: [
        'routes[0] (apps/serviceB/serviceB): spec.http2Route.action.weightedTargets[1].weight: expected an integer 0-100, got 150',
        'routes[0] (apps/serviceB/serviceB): spec.http2Route.action.weightedTargets: no virtual node "serviceC" in mesh "apps"',
      ],
    });
    expect(store.document).toBe(before);
    expect((await call('PUT', ROUTE, { routeName: 'other', spec: http2Targets([{ virtualNode: 'serviceB', weight: 1 }]) })).body.problems).toEqual([
      'routeName: the body says "other" but the path says "serviceB"',
    ]);
    expect(await call('PUT', ROUTE, '{not json')).toMatchObject({ status: 400, body: { error: 'invalid JSON body' } });
    expect((await call('DELETE', '/appmesh/meshes/apps/virtualNodes/serviceB')).body.problems).toEqual([
      'routes[0] (apps/serviceB/serviceB): spec.http2Route.action.weightedTargets: no virtual node "serviceB" in mesh "apps"',
    ]);
    expect((await call('DELETE', '/appmesh/meshes/apps')).status).toBe(400);
    expect((await call('PUT', '/appmesh', { meshes: 'x' })).body.problems).toEqual(['meshes: expected a list of mesh bodies, got "x"']);
    expect(store.revision).toBe(0);
  });

  it('answers 404 for unknown resources and paths, 405 for methods, 413 for huge bodies', async () => {
    expect(await call('DELETE', '/appmesh/meshes/apps/virtualRouters/serviceB/routes/nope')).toMatchObject({ status: 404, body: { problems: ['no route "nope" of virtual router "serviceB" in mesh "apps"'] } });
    expect((await call('GET', '/appmesh/meshes/nope/virtualNodes')).status).toBe(404);
    expect((await call('GET', '/appmesh/meshes/apps/virtualRouters/nope/routes')).status).toBe(404);
    expect((await call('PUT', '/appmesh/meshes/apps/virtualNodes/nope/endpoints', ['127.0.0.1:1'])).status).toBe(404);
    expect((await call('GET', '/appmesh/meshes/apps/virtualGateways/x')).status).toBe(404);
    expect((await call('POST', ROUTE, {})).status).toBe(405);
    expect((await call('PUT', '/appmesh/meshes/apps/virtualNodes', [])).status).toBe(405);
    expect((await call('PUT', ROUTE, 'x'.repeat(1024 * 1024 + 1))).status).toBe(413);
    expect((await call('GET', '/streams')).status).toBe(200);
  });

  it('pushes a committed change to a connected ADS client within 1 s', async () => {
    const client = new AdsTestClient({ target: `127.0.0.1:${server.port}` });
    try {
      const s = client.openSotw({ id: 'proxyless-client' });
      s.send({ typeUrl: TypeUrl.RouteConfiguration, resourceNames: ['rds_apps_serviceb.apps.local_80'] });
      const first = await s.next();
      s.ack(first);
      const weights = (r: any) => (r.resources[0].decoded.virtual_hosts[0].routes[0].route.weighted_clusters.clusters as any[]).map((c) => [c.name, c.weight.value]);
      expect(weights(first)).toEqual([['cds_egress_apps_serviceB_http2_80', 75], ['cds_egress_apps_serviceBv2_http2_80', 25]]);
      const t0 = Date.now();
      expect((await call('PUT', ROUTE, { spec: http2Targets([{ virtualNode: 'serviceB', weight: 10 }, { virtualNode: 'serviceBv2', weight: 90 }]) })).status).toBe(200);
      const pushed = await s.next(1000);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(weights(pushed)).toEqual([['cds_egress_apps_serviceB_http2_80', 10], ['cds_egress_apps_serviceBv2_http2_80', 90]]);
      s.cancel();
    } finally {
      client.close();
    }
  });
});

describe('appnet-mgmt flags for the App Mesh model', () => {
  const read = (f: string) => {
    if (f === '/m.yaml' || f === '/r.yaml') return '{}';
    throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  };

  it('takes --appmesh alone, or with --resources', () => {
    expect(parseMgmtArgs(['--appmesh', '/m.yaml'], {}, read)).toMatchObject({ kind: 'run', error: undefined, config: { appmesh: '/m.yaml', resources: undefined } });
    expect(parseMgmtArgs(['--resources', '/r.yaml'], { APPNET_MGMT_APPMESH: '/m.yaml' }, read)).toMatchObject({ error: undefined, config: { appmesh: '/m.yaml', resources: '/r.yaml' } });
  });

  it('needs one of them, and a readable .json/.yaml file', () => {
    const none = parseMgmtArgs([], {}, read);
    expect(none.kind === 'run' && none.error?.message).toMatch(/--resources="": expected a resource file .* or an App Mesh model with --appmesh/);
    const bad = parseMgmtArgs(['--appmesh', '/m.txt'], {}, read);
    expect(bad.kind === 'run' && bad.error?.message).toMatch(/--appmesh="\/m\.txt": expected a file name ending in \.json, \.yaml or \.yml/);
    const missing = parseMgmtArgs(['--appmesh', '/none.yaml'], {}, read);
    expect(missing.kind === 'run' && missing.error?.message).toMatch(/--appmesh="\/none\.yaml": expected a readable file \(ENOENT\)/);
  });
});

describe('the watched model file', () => {
  it('replaces the model when the file changes, and keeps it when an edit is invalid', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'appmesh-file-'));
    const file = path.join(dir, 'model.yaml');
    const write = (text: string) => {
      fs.writeFileSync(`${file}.tmp`, text);
      fs.renameSync(`${file}.tmp`, file);
    };
    const seedText = fs.readFileSync(SEED_FILE, 'utf8');
    write(seedText);
    const env = { SERVICEB_PORT: '7001' };
    const { document, text } = readModelFile(file, env);
    const s = new AppMeshStore(document);
    const watcher = new ModelFileWatcher(file, s, { env, debounceMs: 20, initialText: text });
    try {
      expect(s.model.endpoints.get('apps/serviceB')).toEqual([{ address: '127.0.0.1', port: 7001 }]);
      write(seedText.replace('weight: 75', 'weight: 60').replace('weight: 25', 'weight: 40'));
      await waitFor(() => s.revision === 1, 3000, 'the edited file applied');
      expect(s.model.routes[0]!.targets.map((t) => t.weight)).toEqual([60, 40]);
      write(seedText.replace('virtualNode: serviceBv2, weight: 25', 'virtualNode: serviceC, weight: 25'));
      await waitFor(() => watcher.lastError, 3000, 'the bad edit rejected');
      expect(watcher.lastError).toEqual(['routes[0] (apps/serviceB/serviceB): spec.http2Route.action.weightedTargets: no virtual node "serviceC" in mesh "apps"']);
      expect(s.revision).toBe(1);
      write('meshes: [${UNSET_VAR}]');
      await waitFor(() => watcher.lastError?.[0]?.startsWith('${UNSET_VAR}'), 3000, 'the unset variable reported');
      expect(s.revision).toBe(1);
    } finally {
      watcher.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
