import * as AM from '@aws-sdk/client-app-mesh';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneProcess, OPERATOR } from '../fixtures/mgmt-process';

/**
 * The App Mesh API of a running appnet-mgmt, driven by the official
 * @aws-sdk/client-app-mesh: every operation of every resource kind, and every
 * error type the SDK turns into a typed exception, each refusal changing
 * nothing.
 */

const ACCOUNT = '111122223333';
const MESH = 'shop';

async function failure(p: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as AM.AppMeshServiceException;
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('expected the call to fail');
}

const http = (port: number) => ({ portMapping: { port, protocol: 'http' as const } });

describe('every App Mesh operation through the official SDK (a running appnet-mgmt)', () => {
  let cp: ControlPlaneProcess;
  let api: AM.AppMeshClient;

  beforeAll(async () => {
    cp = await ControlPlaneProcess.start({ args: ['--account-id', ACCOUNT, '--quotas', 'meshes=2'] });
    api = cp.client();
  });
  afterAll(() => cp?.close());

  it('creates, describes, lists, updates, tags and deletes each of the seven kinds', async () => {
    const mesh = (await api.send(new AM.CreateMeshCommand({ meshName: MESH, spec: { egressFilter: { type: 'ALLOW_ALL' } }, tags: [{ key: 'team', value: 'payments' }] }))).mesh!;
    expect(mesh).toMatchObject({
      meshName: MESH,
      spec: { egressFilter: { type: 'ALLOW_ALL' } },
      status: { status: 'ACTIVE' },
      metadata: { arn: `arn:aws:appmesh:us-west-2:${ACCOUNT}:mesh/${MESH}`, version: 1, meshOwner: ACCOUNT, resourceOwner: ACCOUNT },
    });
    expect(mesh.metadata!.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(mesh.metadata!.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(mesh.metadata!.createdAt!.getTime() - Date.now())).toBeLessThan(60_000);

    const m = { meshName: MESH };
    const node = async (name: string, spec: AM.VirtualNodeSpec) => (await api.send(new AM.CreateVirtualNodeCommand({ ...m, virtualNodeName: name, spec }))).virtualNode!;
    const web = await node('web', { listeners: [http(8080)], serviceDiscovery: { dns: { hostname: 'web.shop.local' } } });
    expect(web.spec).toEqual({ listeners: [http(8080)], serviceDiscovery: { dns: { hostname: 'web.shop.local' } }, backends: [] });
    expect(web.metadata?.arn).toBe(`arn:aws:appmesh:us-west-2:${ACCOUNT}:mesh/${MESH}/virtualNode/web`);
    await node('cart', { listeners: [http(9000)], serviceDiscovery: { dns: { hostname: 'cart.shop.local' } } });
    await node('cart-v2', { listeners: [http(9000)], serviceDiscovery: { dns: { hostname: 'cart-v2.shop.local' } } });
    const router = (await api.send(new AM.CreateVirtualRouterCommand({ ...m, virtualRouterName: 'cart', spec: { listeners: [http(9000)] } }))).virtualRouter!;
    expect(router.metadata?.arn).toBe(`arn:aws:appmesh:us-west-2:${ACCOUNT}:mesh/${MESH}/virtualRouter/cart`);
    const routeSpec = (v1: number, v2: number): AM.RouteSpec => ({ httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'cart', weight: v1 }, { virtualNode: 'cart-v2', weight: v2 }] } } });
    const route = (await api.send(new AM.CreateRouteCommand({ ...m, virtualRouterName: 'cart', routeName: 'split', spec: routeSpec(90, 10) }))).route!;
    expect(route).toMatchObject({ meshName: MESH, virtualRouterName: 'cart', routeName: 'split', metadata: { arn: `arn:aws:appmesh:us-west-2:${ACCOUNT}:mesh/${MESH}/virtualRouter/cart/route/split`, version: 1 } });
    const service = (await api.send(new AM.CreateVirtualServiceCommand({ ...m, virtualServiceName: 'cart.shop.local', spec: { provider: { virtualRouter: { virtualRouterName: 'cart' } } } }))).virtualService!;
    expect(service.metadata?.arn).toBe(`arn:aws:appmesh:us-west-2:${ACCOUNT}:mesh/${MESH}/virtualService/cart.shop.local`);
    const gw = (await api.send(new AM.CreateVirtualGatewayCommand({ ...m, virtualGatewayName: 'edge', spec: { listeners: [{ portMapping: { port: 8443, protocol: 'http' } }] } }))).virtualGateway!;
    expect(gw).toMatchObject({ virtualGatewayName: 'edge', status: { status: 'ACTIVE' }, metadata: { version: 1 } });
    const gr = (
      await api.send(new AM.CreateGatewayRouteCommand({ ...m, virtualGatewayName: 'edge', gatewayRouteName: 'to-cart', spec: { httpRoute: { match: { prefix: '/cart' }, action: { target: { virtualService: { virtualServiceName: 'cart.shop.local' } } } } } }))
    ).gatewayRoute!;
    expect(gr.metadata?.arn).toBe(`arn:aws:appmesh:us-west-2:${ACCOUNT}:mesh/${MESH}/virtualGateway/edge/gatewayRoute/to-cart`);

    // Describe each, as created.
    expect((await api.send(new AM.DescribeMeshCommand(m))).mesh?.metadata?.uid).toBe(mesh.metadata!.uid);
    expect((await api.send(new AM.DescribeVirtualNodeCommand({ ...m, virtualNodeName: 'web' }))).virtualNode?.spec).toEqual(web.spec);
    expect((await api.send(new AM.DescribeVirtualRouterCommand({ ...m, virtualRouterName: 'cart' }))).virtualRouter?.spec).toEqual({ listeners: [http(9000)] });
    expect((await api.send(new AM.DescribeRouteCommand({ ...m, virtualRouterName: 'cart', routeName: 'split' }))).route?.spec).toEqual(routeSpec(90, 10));
    expect((await api.send(new AM.DescribeVirtualServiceCommand({ ...m, virtualServiceName: 'cart.shop.local' }))).virtualService?.spec).toEqual(service.spec);
    expect((await api.send(new AM.DescribeVirtualGatewayCommand({ ...m, virtualGatewayName: 'edge' }))).virtualGateway?.spec).toEqual(gw.spec);
    expect((await api.send(new AM.DescribeGatewayRouteCommand({ ...m, virtualGatewayName: 'edge', gatewayRouteName: 'to-cart' }))).gatewayRoute?.spec).toEqual(gr.spec);

    // List each (references).
    expect((await api.send(new AM.ListMeshesCommand({}))).meshes).toEqual([
      expect.objectContaining({ meshName: MESH, arn: mesh.metadata!.arn, version: 1, meshOwner: ACCOUNT, resourceOwner: ACCOUNT, createdAt: expect.any(Date), lastUpdatedAt: expect.any(Date) }),
    ]);
    expect((await api.send(new AM.ListVirtualNodesCommand(m))).virtualNodes?.map((r) => r.virtualNodeName)).toEqual(['cart', 'cart-v2', 'web']);
    expect((await api.send(new AM.ListVirtualRoutersCommand(m))).virtualRouters?.map((r) => r.virtualRouterName)).toEqual(['cart']);
    expect((await api.send(new AM.ListRoutesCommand({ ...m, virtualRouterName: 'cart' }))).routes).toEqual([expect.objectContaining({ routeName: 'split', virtualRouterName: 'cart', meshName: MESH, version: 1 })]);
    expect((await api.send(new AM.ListVirtualServicesCommand(m))).virtualServices?.map((r) => r.virtualServiceName)).toEqual(['cart.shop.local']);
    expect((await api.send(new AM.ListVirtualGatewaysCommand(m))).virtualGateways?.map((r) => r.virtualGatewayName)).toEqual(['edge']);
    expect((await api.send(new AM.ListGatewayRoutesCommand({ ...m, virtualGatewayName: 'edge' }))).gatewayRoutes?.map((r) => r.gatewayRouteName)).toEqual(['to-cart']);

    // Update each: version + 1, the new spec, lastUpdatedAt not before createdAt.
    const m2 = (await api.send(new AM.UpdateMeshCommand({ ...m, spec: { egressFilter: { type: 'DROP_ALL' } } }))).mesh!;
    expect(m2.metadata).toMatchObject({ version: 2, uid: mesh.metadata!.uid });
    expect(m2.metadata!.lastUpdatedAt!.getTime()).toBeGreaterThanOrEqual(m2.metadata!.createdAt!.getTime());
    const web2 = (await api.send(new AM.UpdateVirtualNodeCommand({ ...m, virtualNodeName: 'web', spec: { ...web.spec, backends: [{ virtualService: { virtualServiceName: 'cart.shop.local' } }] } }))).virtualNode!;
    expect(web2.metadata?.version).toBe(2);
    expect((await api.send(new AM.UpdateVirtualRouterCommand({ ...m, virtualRouterName: 'cart', spec: { listeners: [http(9000)] } }))).virtualRouter?.metadata?.version).toBe(2);
    const r2 = (await api.send(new AM.UpdateRouteCommand({ ...m, virtualRouterName: 'cart', routeName: 'split', spec: routeSpec(50, 50) }))).route!;
    expect(r2).toMatchObject({ spec: routeSpec(50, 50), metadata: { version: 2 } });
    expect((await api.send(new AM.UpdateVirtualServiceCommand({ ...m, virtualServiceName: 'cart.shop.local', spec: service.spec }))).virtualService?.metadata?.version).toBe(2);
    expect((await api.send(new AM.UpdateVirtualGatewayCommand({ ...m, virtualGatewayName: 'edge', spec: gw.spec }))).virtualGateway?.metadata?.version).toBe(2);
    expect((await api.send(new AM.UpdateGatewayRouteCommand({ ...m, virtualGatewayName: 'edge', gatewayRouteName: 'to-cart', spec: gr.spec }))).gatewayRoute?.metadata?.version).toBe(2);

    // Tags: created with the mesh, added, listed in pages, removed; they do not change the version.
    const arn = mesh.metadata!.arn!;
    await api.send(new AM.TagResourceCommand({ resourceArn: arn, tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'checkout' }] }));
    expect((await api.send(new AM.ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ key: 'env', value: 'prod' }, { key: 'team', value: 'checkout' }]);
    const page = await api.send(new AM.ListTagsForResourceCommand({ resourceArn: arn, limit: 1 }));
    expect(page.tags).toEqual([{ key: 'env', value: 'prod' }]);
    expect((await api.send(new AM.ListTagsForResourceCommand({ resourceArn: arn, limit: 1, nextToken: page.nextToken }))).tags).toEqual([{ key: 'team', value: 'checkout' }]);
    await api.send(new AM.UntagResourceCommand({ resourceArn: arn, tagKeys: ['env'] }));
    expect((await api.send(new AM.ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ key: 'team', value: 'checkout' }]);
    await api.send(new AM.TagResourceCommand({ resourceArn: r2.metadata!.arn!, tags: [{ key: 'owner', value: 'cart-team' }] }));
    expect((await api.send(new AM.ListTagsForResourceCommand({ resourceArn: r2.metadata!.arn! }))).tags).toEqual([{ key: 'owner', value: 'cart-team' }]);
    expect((await api.send(new AM.DescribeMeshCommand(m))).mesh?.metadata?.version).toBe(2);

    // Delete in dependency order: each answer is the resource with status DELETED, and it is gone.
    const deleted = [
      (await api.send(new AM.DeleteGatewayRouteCommand({ ...m, virtualGatewayName: 'edge', gatewayRouteName: 'to-cart' }))).gatewayRoute,
      (await api.send(new AM.DeleteVirtualGatewayCommand({ ...m, virtualGatewayName: 'edge' }))).virtualGateway,
      (await api.send(new AM.UpdateVirtualNodeCommand({ ...m, virtualNodeName: 'web', spec: web.spec }))) && undefined,
      (await api.send(new AM.DeleteVirtualServiceCommand({ ...m, virtualServiceName: 'cart.shop.local' }))).virtualService,
      (await api.send(new AM.DeleteRouteCommand({ ...m, virtualRouterName: 'cart', routeName: 'split' }))).route,
      (await api.send(new AM.DeleteVirtualRouterCommand({ ...m, virtualRouterName: 'cart' }))).virtualRouter,
      (await api.send(new AM.DeleteVirtualNodeCommand({ ...m, virtualNodeName: 'cart' }))).virtualNode,
      (await api.send(new AM.DeleteVirtualNodeCommand({ ...m, virtualNodeName: 'cart-v2' }))).virtualNode,
      (await api.send(new AM.DeleteVirtualNodeCommand({ ...m, virtualNodeName: 'web' }))).virtualNode,
      (await api.send(new AM.DeleteMeshCommand(m))).mesh,
    ].filter((d) => d !== undefined);
    expect(deleted).toHaveLength(9);
    for (const d of deleted) expect(d!.status?.status).toBe('DELETED');
    expect((await failure(api.send(new AM.DescribeMeshCommand(m)))).name).toBe('NotFoundException');
    expect((await api.send(new AM.ListMeshesCommand({}))).meshes).toEqual([]);
  });

  it('is found by an SDK client through AWS_ENDPOINT_URL_APP_MESH, with no endpoint in the code', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_APP_MESH;
    process.env.AWS_ENDPOINT_URL_APP_MESH = cp.endpoint;
    try {
      const c = new AM.AppMeshClient({ region: 'us-west-2', credentials: OPERATOR, maxAttempts: 1 });
      await c.send(new AM.CreateMeshCommand({ meshName: 'by-env' }));
      expect((await api.send(new AM.DescribeMeshCommand({ meshName: 'by-env' }))).mesh?.metadata?.version).toBe(1);
      await c.send(new AM.DeleteMeshCommand({ meshName: 'by-env' }));
      c.destroy();
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_APP_MESH;
      else process.env.AWS_ENDPOINT_URL_APP_MESH = saved;
    }
  });

  it('answers every error type the SDK knows, and a refused request changes nothing', async () => {
    await api.send(new AM.CreateMeshCommand({ meshName: 'errs' }));
    const m = { meshName: 'errs' };
    await api.send(new AM.CreateVirtualNodeCommand({ ...m, virtualNodeName: 'a', spec: { listeners: [http(80)], serviceDiscovery: { dns: { hostname: 'a.local' } } } }));
    await api.send(new AM.CreateVirtualRouterCommand({ ...m, virtualRouterName: 'r', spec: { listeners: [http(80)] } }));
    await api.send(new AM.CreateRouteCommand({ ...m, virtualRouterName: 'r', routeName: 'to-a', spec: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] } } } }));
    const snapshot = async () => (await api.send(new AM.ListVirtualNodesCommand(m))).virtualNodes?.map((n) => `${n.virtualNodeName}@${n.version}`);
    const before = await snapshot();

    // BadRequestException: every problem named, field by field.
    const bad = await failure(
      api.send(new AM.CreateVirtualNodeCommand({ ...m, virtualNodeName: 'b', spec: { listeners: [{ portMapping: { port: 0, protocol: 'udp' as AM.PortProtocol } }], backends: [{ virtualService: { virtualServiceName: 'nowhere.local' } }] } })),
    );
    expect(bad).toMatchObject({ name: 'BadRequestException', status: 400 });
    expect(bad.message).toContain('spec.listeners[0].portMapping.port: expected an integer 1-65535, got 0');
    expect(bad.message).toContain('spec.listeners[0].portMapping.protocol: expected one of http, http2, grpc, tcp, got "udp"');
    // NotFoundException
    expect(await failure(api.send(new AM.DescribeVirtualNodeCommand({ ...m, virtualNodeName: 'zzz' })))).toMatchObject({ name: 'NotFoundException', status: 404, message: 'No virtual node "zzz" in mesh "errs"' });
    expect(await failure(api.send(new AM.CreateVirtualNodeCommand({ meshName: 'nomesh', virtualNodeName: 'x', spec: {} })))).toMatchObject({ name: 'NotFoundException', message: 'No mesh "nomesh"' });
    expect(await failure(api.send(new AM.UpdateRouteCommand({ ...m, virtualRouterName: 'r', routeName: 'missing', spec: {} })))).toMatchObject({ name: 'NotFoundException' });
    // ConflictException: an existing name; a client token reused for another request.
    expect(await failure(api.send(new AM.CreateVirtualNodeCommand({ ...m, virtualNodeName: 'a', spec: {} })))).toMatchObject({ name: 'ConflictException', status: 409 });
    const token = 'retry-token-0001';
    const first = (await api.send(new AM.CreateVirtualServiceCommand({ ...m, virtualServiceName: 'svc.local', spec: {}, clientToken: token }))).virtualService!;
    const again = (await api.send(new AM.CreateVirtualServiceCommand({ ...m, virtualServiceName: 'svc.local', spec: {}, clientToken: token }))).virtualService!;
    expect(again.metadata).toEqual(first.metadata);
    expect(await failure(api.send(new AM.CreateVirtualServiceCommand({ ...m, virtualServiceName: 'other.local', spec: {}, clientToken: token })))).toMatchObject({ name: 'ConflictException', message: expect.stringMatching(/clientToken "retry-token-0001" was already used for a different request/) });
    // ResourceInUseException: a mesh with resources, a router with routes, a node a route targets.
    expect(await failure(api.send(new AM.DeleteMeshCommand(m)))).toMatchObject({ name: 'ResourceInUseException', status: 409 });
    expect(await failure(api.send(new AM.DeleteVirtualRouterCommand({ ...m, virtualRouterName: 'r' })))).toMatchObject({ name: 'ResourceInUseException', message: expect.stringMatching(/route "r\/to-a"/) });
    expect(await failure(api.send(new AM.DeleteVirtualNodeCommand({ ...m, virtualNodeName: 'a' })))).toMatchObject({ name: 'ResourceInUseException', message: expect.stringMatching(/route "r\/to-a"/) });
    // LimitExceededException: --quotas meshes=2.
    await api.send(new AM.CreateMeshCommand({ meshName: 'second' }));
    expect(await failure(api.send(new AM.CreateMeshCommand({ meshName: 'third' })))).toMatchObject({ name: 'LimitExceededException', status: 400, message: expect.stringMatching(/meshes=2/) });
    // ForbiddenException: another account's mesh.
    expect(await failure(api.send(new AM.DescribeMeshCommand({ ...m, meshOwner: '999988887777' })))).toMatchObject({ name: 'ForbiddenException', status: 403 });
    expect((await api.send(new AM.DescribeMeshCommand({ ...m, meshOwner: ACCOUNT }))).mesh?.meshName).toBe('errs');
    // TooManyTagsException
    const arn = (await api.send(new AM.DescribeMeshCommand(m))).mesh!.metadata!.arn!;
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(await failure(api.send(new AM.TagResourceCommand({ resourceArn: arn, tags })))).toMatchObject({ name: 'TooManyTagsException', status: 400 });
    expect((await api.send(new AM.ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([]);
    // Authentication: unknown key, wrong secret, unsigned.
    expect(await failure(cp.client({ accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' }).send(new AM.DeleteRouteCommand({ ...m, virtualRouterName: 'r', routeName: 'to-a' })))).toMatchObject({
      name: 'UnrecognizedClientException',
      status: 403,
    });
    expect(await failure(cp.client({ accessKeyId: OPERATOR.accessKeyId, secretAccessKey: 'wrong' }).send(new AM.DeleteRouteCommand({ ...m, virtualRouterName: 'r', routeName: 'to-a' })))).toMatchObject({
      name: 'InvalidSignatureException',
      status: 403,
    });
    const unsigned = await fetch(`${cp.endpoint}/v20190125/meshes/errs/virtualRouter/r/routes/to-a`, { method: 'DELETE' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect((await api.send(new AM.DescribeRouteCommand({ ...m, virtualRouterName: 'r', routeName: 'to-a' }))).route?.metadata?.version).toBe(1);
    expect(await snapshot()).toEqual(before);
    // No secret reaches the log.
    expect(cp.proc.lines.map((l) => JSON.stringify(l)).join('\n') + cp.proc.stderr).not.toContain(OPERATOR.secretAccessKey);
    // The metrics count every call by operation and outcome.
    const metrics = await (await fetch(`${cp.endpoint}/metrics`)).text();
    expect(metrics).toMatch(/appnet_mgmt_api_requests_total\{operation="CreateVirtualNode",code="OK"\} [1-9]/);
    expect(metrics).toMatch(/appnet_mgmt_api_requests_total\{operation="CreateVirtualNode",code="BadRequestException"\} [1-9]/);
    expect(metrics).toMatch(/appnet_mgmt_api_requests_total\{operation="DeleteRoute",code="MissingAuthenticationTokenException"\} 1/);
    expect(metrics).toMatch(/appnet_mgmt_api_requests_total\{operation="DeleteRoute",code="InvalidSignatureException"\} 1/);
    expect(metrics).toContain('appnet_mgmt_store_reachable{kind="file"} 1');
  });
});

describe('the App Mesh API under pressure and faults (a running appnet-mgmt)', () => {
  it('throttles past --api-rate-limit with TooManyRequestsException', async () => {
    const cp = await ControlPlaneProcess.start({ durable: false, args: ['--api-rate-limit', '0.001/2'] });
    try {
      const api = cp.client();
      await api.send(new AM.ListMeshesCommand({}));
      await api.send(new AM.ListMeshesCommand({}));
      expect(await failure(api.send(new AM.CreateMeshCommand({ meshName: 'x' })))).toMatchObject({ name: 'TooManyRequestsException', status: 429 });
    } finally {
      await cp.close();
    }
  });

  it('answers ServiceUnavailableException when the change cannot be stored, and keeps serving the last model', async () => {
    const cp = await ControlPlaneProcess.start();
    try {
      const api = cp.client();
      await api.send(new AM.CreateMeshCommand({ meshName: 'apps' }));
      fs.rmSync(cp.dataDir, { recursive: true, force: true });
      const e = await failure(api.send(new AM.UpdateMeshCommand({ meshName: 'apps', spec: { egressFilter: { type: 'ALLOW_ALL' } } })));
      expect(e).toMatchObject({ name: 'ServiceUnavailableException', status: 503, message: expect.stringMatching(/could not be stored, so nothing changed/) });
      expect((await api.send(new AM.DescribeMeshCommand({ meshName: 'apps' }))).mesh).toMatchObject({ spec: { egressFilter: { type: 'DROP_ALL' } }, metadata: { version: 1 } });
      fs.mkdirSync(cp.dataDir);
      expect((await api.send(new AM.UpdateMeshCommand({ meshName: 'apps', spec: { egressFilter: { type: 'ALLOW_ALL' } } }))).mesh?.metadata?.version).toBe(2);
      expect(JSON.parse(fs.readFileSync(path.join(cp.dataDir, 'appmesh-state.json'), 'utf8')).resources.meshes[0].version).toBe(2);
    } finally {
      await cp.close();
    }
  });
});
