import * as AppMesh from '@aws-sdk/client-app-mesh';
import { HttpResponse, type HttpRequest } from '@smithy/protocol-http';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPMESH_API_PREFIX, AppMeshApi } from '../../src/mgmt/appmesh/api/http-api';
import { OPERATIONS, matchOperation } from '../../src/mgmt/appmesh/api/operations';
import { pageOf } from '../../src/mgmt/appmesh/api/paging';
import { parseQuotas } from '../../src/mgmt/appmesh/api/quotas';
import { parseArn, resourceArn } from '../../src/mgmt/appmesh/resource-kinds';
import { AppMeshSource, translationCheck } from '../../src/mgmt/appmesh/source';
import type { ModelStore } from '../../src/mgmt/appmesh/state/model-store';
import { ConfigError } from '../../src/common/env';
import { parseMgmtArgs } from '../../src/mgmt/cli-config';
import { ResourceCodec } from '../../src/mgmt/resource-codec';
import { startManagementServer, type ManagementServer } from '../../src/mgmt/server';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { AdsTestClient } from '../fixtures/ads-client';
import { http2Targets, seedDocument } from '../fixtures/appmesh-seed';
import { apiContext, storeOf } from '../fixtures/control-plane';

/**
 * The App Mesh API in process: the operation table checked against what the
 * official SDK sends for every command, and the API on a real management
 * server (loopback sockets) driven by that SDK, with an ADS client watching.
 * The full operation and error coverage against the appnet-mgmt process is in
 * test/integration/appmesh-api.test.ts.
 */

const codec = new ResourceCodec();
const ROUTE = { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' };

/** Every command of the SDK with its minimal input (names as labels, a spec where one is required). */
const COMMANDS: Array<[string, object]> = (() => {
  const m = { meshName: 'm' };
  const spec = { spec: {} };
  const kinds: Array<[string, object, string]> = [
    ['VirtualNode', m, 'virtualNodeName'],
    ['VirtualService', m, 'virtualServiceName'],
    ['VirtualRouter', m, 'virtualRouterName'],
    ['VirtualGateway', m, 'virtualGatewayName'],
    ['Route', { ...m, virtualRouterName: 'vr' }, 'routeName'],
    ['GatewayRoute', { ...m, virtualGatewayName: 'vg' }, 'gatewayRouteName'],
  ];
  const plural: Record<string, string> = { VirtualNode: 'VirtualNodes', VirtualService: 'VirtualServices', VirtualRouter: 'VirtualRouters', VirtualGateway: 'VirtualGateways', Route: 'Routes', GatewayRoute: 'GatewayRoutes' };
  const out: Array<[string, object]> = [
    ['CreateMesh', m],
    ['DescribeMesh', m],
    ['UpdateMesh', m],
    ['DeleteMesh', m],
    ['ListMeshes', {}],
    ['ListTagsForResource', { resourceArn: 'arn:aws:appmesh:us-west-2:123456789012:mesh/m' }],
    ['TagResource', { resourceArn: 'arn:aws:appmesh:us-west-2:123456789012:mesh/m', tags: [{ key: 'k', value: 'v' }] }],
    ['UntagResource', { resourceArn: 'arn:aws:appmesh:us-west-2:123456789012:mesh/m', tagKeys: ['k'] }],
  ];
  for (const [k, parent, nameField] of kinds) {
    const id = { ...parent, [nameField]: 'x' };
    out.push([`Create${k}`, { ...id, ...spec }], [`Describe${k}`, id], [`Update${k}`, { ...id, ...spec }], [`Delete${k}`, id], [`List${plural[k]}`, parent]);
  }
  return out;
})();

describe('the operation table', () => {
  it('has the 38 operations of App Mesh 2019-01-25, each where the official SDK sends it', async () => {
    expect(OPERATIONS).toHaveLength(38);
    expect(COMMANDS).toHaveLength(38);
    const sent: Array<{ method: string; path: string }> = [];
    const client = new AppMesh.AppMeshClient({
      region: 'us-west-2',
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
      requestHandler: {
        handle: async (req: HttpRequest) => {
          sent.push({ method: req.method, path: req.path });
          return { response: new HttpResponse({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: Readable.from([Buffer.from('{}')]) }) };
        },
      },
    });
    for (const [name, input] of COMMANDS) {
      const Command = (AppMesh as unknown as Record<string, new (i: object) => AppMesh.ServiceInputTypes>)[`${name}Command`];
      expect(Command, name).toBeDefined();
      sent.length = 0;
      await client.send(new Command!(input) as never).catch(() => undefined);
      expect(sent, name).toHaveLength(1);
      const m = matchOperation(sent[0]!.method, sent[0]!.path);
      expect(m.ok && m.op.name, `${name}: ${sent[0]!.method} ${sent[0]!.path}`).toBe(name);
    }
    client.destroy();
    expect(new Set(OPERATIONS.map((o) => o.name))).toEqual(new Set(COMMANDS.map(([n]) => n)));
  });

  it('finds the labels, and tells a wrong method from an unknown path', () => {
    expect(matchOperation('GET', '/v20190125/meshes/apps/virtualRouter/serviceB/routes/r%201')).toMatchObject({ ok: true, op: { name: 'DescribeRoute' }, labels: { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'r 1' } });
    expect(matchOperation('POST', '/v20190125/meshes/apps')).toEqual({ ok: false, reason: 'method', allowed: ['GET', 'PUT', 'DELETE'] });
    expect(matchOperation('GET', '/v20190125/meshes/apps/virtualRouters/serviceB/routes')).toEqual({ ok: false, reason: 'path' });
    expect(matchOperation('GET', '/v20190125/meshes/%E0%A4%A')).toEqual({ ok: false, reason: 'encoding' });
  });
});

describe('ARNs, paging and quotas', () => {
  it('builds and reads the ARN of every kind', () => {
    const ctx = { partition: 'aws', region: 'us-west-2', account: '123456789012' };
    const route = resourceArn(ctx, 'route', { mesh: 'apps', parent: 'serviceB', name: 'r' });
    expect(route).toBe('arn:aws:appmesh:us-west-2:123456789012:mesh/apps/virtualRouter/serviceB/route/r');
    expect(parseArn(route)).toEqual({ ok: true, value: { kind: 'route', id: { mesh: 'apps', parent: 'serviceB', name: 'r' }, region: 'us-west-2', account: '123456789012' } });
    expect(parseArn('arn:aws:appmesh:us-west-2:1:mesh/apps/virtualGateway/gw/gatewayRoute/x')).toMatchObject({ ok: true, value: { kind: 'gatewayRoute', id: { mesh: 'apps', parent: 'gw', name: 'x' } } });
    expect(parseArn('arn:aws:appmesh:us-west-2:1:mesh/apps')).toMatchObject({ ok: true, value: { kind: 'mesh', id: { mesh: 'apps', name: 'apps' } } });
    expect(parseArn('arn:aws:appmesh:us-west-2:1:mesh/apps/virtualRouter/vr/gatewayRoute/x')).toMatchObject({ ok: false });
    expect(parseArn('arn:aws:s3:::bucket')).toEqual({ ok: false, problems: [{ where: '', message: '"arn:aws:s3:::bucket" is not an App Mesh ARN', accepted: 'arn:aws:appmesh:<region>:<account>:mesh/...' }] });
  });

  it('pages in name order and resumes after the last name, whatever changed', () => {
    const names = ['c', 'a', 'b', 'e', 'd'];
    const p1 = pageOf(names, (x) => x, 2, null);
    expect(p1.items).toEqual(['a', 'b']);
    const p2 = pageOf([...names, 'aa'], (x) => x, 2, p1.nextToken!);
    expect(p2.items).toEqual(['c', 'd']);
    expect(pageOf(names, (x) => x, 2, p2.nextToken!)).toEqual({ items: ['e'], nextToken: undefined });
    expect(() => pageOf(names, (x) => x, 2, 'garbage')).toThrow(/nextToken/);
  });

  it('reads --quotas over the defaults', () => {
    expect(parseQuotas('meshes=2, routesPerVirtualRouter=3')).toMatchObject({ ok: true, value: { meshes: 2, routesPerVirtualRouter: 3, virtualNodesPerMesh: 500 } });
    expect(parseQuotas('nodes=2')).toMatchObject({ ok: false, problems: [{ where: '', message: '"nodes=2" is not <name>=<n> with a known name', accepted: expect.stringMatching(/^<name>=<n>\[,<name>=<n>\.\.\.\] with a name among meshes, /) }] });
    expect(parseQuotas('meshes=0')).toMatchObject({ ok: false });
  });
});

describe('the App Mesh API on a management server (in process), with the official SDK', () => {
  let server: ManagementServer;
  let store: ModelStore;
  let client: AppMesh.AppMeshClient;

  beforeEach(async () => {
    store = storeOf(seedDocument(), translationCheck(codec));
    const api = new AppMeshApi({ store, context: apiContext() });
    server = await startManagementServer({ source: new AppMeshSource(store, codec), adminPort: 0, adminExtensions: [{ prefix: APPMESH_API_PREFIX, handle: (req) => api.handle(req) }] });
    client = new AppMesh.AppMeshClient({ endpoint: `http://127.0.0.1:${server.adminPort}`, region: 'us-west-2', credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' }, maxAttempts: 1 });
  });
  afterEach(() => {
    client.destroy();
    server.forceClose();
  });

  const raw = async (method: string, path: string, body?: string) => {
    const r = await fetch(`http://127.0.0.1:${server.adminPort}${path}`, { method, ...(body !== undefined ? { body } : {}) });
    return { status: r.status, type: r.headers.get('x-amzn-errortype'), body: await r.json() };
  };

  it('pushes an UpdateRoute to a connected ADS client within 1 s', async () => {
    const ads = new AdsTestClient({ target: `127.0.0.1:${server.port}` });
    try {
      const s = ads.openSotw({ id: 'proxyless-client' });
      s.send({ typeUrl: TypeUrl.RouteConfiguration, resourceNames: ['rds_apps_serviceb.apps.local_80'] });
      const first = await s.next();
      s.ack(first);
      const weights = (r: any) => (r.resources[0].decoded.virtual_hosts[0].routes[0].route.weighted_clusters.clusters as any[]).map((c) => [c.name, c.weight.value]);
      expect(weights(first)).toEqual([['cds_egress_apps_serviceB_http2_80', 75], ['cds_egress_apps_serviceBv2_http2_80', 25]]);
      const t0 = Date.now();
      const out = await client.send(new AppMesh.UpdateRouteCommand({ ...ROUTE, spec: http2Targets([{ virtualNode: 'serviceB', weight: 10 }, { virtualNode: 'serviceBv2', weight: 90 }]) }));
      expect(out.route?.metadata?.version).toBe(2);
      const pushed = await s.next(1000);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(weights(pushed)).toEqual([['cds_egress_apps_serviceB_http2_80', 10], ['cds_egress_apps_serviceBv2_http2_80', 90]]);
      s.cancel();
    } finally {
      ads.close();
    }
  });

  it('pages ListVirtualNodes with limit and nextToken', async () => {
    const p1 = await client.send(new AppMesh.ListVirtualNodesCommand({ meshName: 'apps', limit: 2 }));
    expect(p1.virtualNodes?.map((n) => n.virtualNodeName)).toEqual(['serviceA', 'serviceB']);
    expect(p1.nextToken).toBeTruthy();
    const p2 = await client.send(new AppMesh.ListVirtualNodesCommand({ meshName: 'apps', limit: 2, nextToken: p1.nextToken }));
    expect(p2.virtualNodes?.map((n) => n.virtualNodeName)).toEqual(['serviceBv2']);
    expect(p2.nextToken).toBeUndefined();
    const all: string[] = [];
    for await (const page of AppMesh.paginateListVirtualNodes({ client, pageSize: 1 }, { meshName: 'apps' })) all.push(...(page.virtualNodes ?? []).map((n) => n.virtualNodeName!));
    expect(all).toEqual(['serviceA', 'serviceB', 'serviceBv2']);
    await expect(client.send(new AppMesh.ListVirtualNodesCommand({ meshName: 'apps', limit: 101 }))).rejects.toMatchObject({ name: 'BadRequestException', message: expect.stringMatching(/limit: expected an integer 1-100/) });
  });

  it('answers unknown paths, bad JSON and huge bodies with typed errors, and keeps the admin pages', async () => {
    expect(await raw('GET', '/v20190125/nothing')).toMatchObject({ status: 404, type: 'UnknownOperationException' });
    expect(await raw('POST', '/v20190125/meshes/apps')).toMatchObject({ status: 404, type: 'UnknownOperationException', body: { message: expect.stringMatching(/this path takes GET, PUT, DELETE/) } });
    expect(await raw('PUT', '/v20190125/meshes', '{"meshName":')).toMatchObject({ status: 400, type: 'BadRequestException', body: { message: 'The request body is not valid JSON' } });
    expect(await raw('PUT', '/v20190125/meshes', '{"meshName":"x","color":"red"}')).toMatchObject({ status: 400, body: { message: expect.stringMatching(/color: unknown member/) } });
    expect((await raw('PUT', '/v20190125/meshes', 'x'.repeat(1024 * 1024 + 1))).status).toBe(413);
    expect(await raw('GET', '/v20190125/tags?resourceArn=arn%3Aaws%3As3%3A%3A%3Ab')).toMatchObject({
      status: 400,
      type: 'BadRequestException',
      body: { message: 'The request is not valid: resourceArn: "arn:aws:s3:::b" is not an App Mesh ARN; expected arn:aws:appmesh:<region>:<account>:mesh/...' },
    });
    expect((await raw('GET', '/streams')).status).toBe(200);
    expect(store.revision).toBe(1);
  });

  it('serves the local endpoints extension, validated like the model', async () => {
    const p = '/v20190125/meshes/apps/virtualNodes/serviceB/endpoints';
    expect(await raw('GET', p)).toMatchObject({ status: 200, body: { endpoints: ['127.0.0.1:7101'] } });
    expect(await raw('PUT', p, JSON.stringify({ endpoints: ['not an address'] }))).toMatchObject({ status: 400, type: 'BadRequestException' });
    expect(await raw('PUT', p, JSON.stringify({ endpoints: ['127.0.0.1:7999'] }))).toMatchObject({ status: 200 });
    expect(store.model.endpoints.get('apps/serviceB')).toEqual([{ address: '127.0.0.1', port: 7999 }]);
    expect(await raw('GET', '/v20190125/meshes/apps/virtualNodes/nope/endpoints')).toMatchObject({ status: 404, type: 'NotFoundException' });
  });
});

describe('appnet-mgmt flags for the control plane', () => {
  const read = (f: string) => {
    if (f === '/m.yaml' || f === '/r.yaml') return '{}';
    throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  };

  it('starts with nothing (an empty control plane in memory), --data-dir, --appmesh, --resources', () => {
    expect(parseMgmtArgs([], {}, read)).toMatchObject({ kind: 'run', problems: [], config: { dataDir: undefined, accountId: '123456789012', arnRegion: 'us-east-1', apiRateLimit: { rate: 100, burst: 200 } } });
    expect(parseMgmtArgs(['--data-dir', '/var/lib/x', '--appmesh', '/m.yaml'], {}, read)).toMatchObject({ problems: [], config: { dataDir: '/var/lib/x', appmesh: '/m.yaml' } });
    expect(parseMgmtArgs(['--resources', '/r.yaml'], { APPNET_MGMT_APPMESH: '/m.yaml', APPNET_MGMT_ACCOUNT_ID: '111122223333' }, read)).toMatchObject({ problems: [], config: { appmesh: '/m.yaml', resources: '/r.yaml', accountId: '111122223333' } });
    expect(parseMgmtArgs(['--api-rate-limit', '0', '--quotas', 'meshes=2'], {}, read)).toMatchObject({ problems: [], config: { apiRateLimit: undefined, quotas: { meshes: 2 } } });
    expect(parseMgmtArgs(['--api-rate-limit', '5'], {}, read)).toMatchObject({ config: { apiRateLimit: { rate: 5, burst: 10 } } });
  });

  it('names every bad setting at once', () => {
    const bad = parseMgmtArgs(['--appmesh', '/m.txt', '--account-id', '12', '--quotas', 'x=1', '--api-rate-limit', 'fast'], {}, read);
    const msg = bad.kind === 'run' ? new ConfigError(bad.problems).message : '';
    expect(msg).toMatch(/--appmesh="\/m\.txt": expected a file name ending in \.json, \.yaml or \.yml/);
    expect(msg).toMatch(/--account-id="12": expected a 12-digit AWS account id/);
    expect(msg).toMatch(/--quotas="x=1": "x=1" is not <name>=<n> with a known name; expected <name>=<n>\[,<name>=<n>\.\.\.\] with a name among meshes, /);
    expect(msg).toMatch(/--api-rate-limit="fast": expected requests per second/);
    const missing = parseMgmtArgs(['--appmesh', '/none.yaml'], {}, read);
    expect(missing.kind === 'run' && new ConfigError(missing.problems).message).toMatch(/--appmesh="\/none\.yaml": expected a readable file \(ENOENT\)/);
  });
});
