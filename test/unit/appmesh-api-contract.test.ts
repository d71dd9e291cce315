import { describe, expect, it } from 'vitest';
import { ResourceDataSchema, ResourceRefSchema, TagPageSchema, listPageSchema } from '../../src/common/contracts/appmesh-api';
import { ConsoleModelSchema } from '../../src/common/contracts/mgmt-console';
import { translationCheck } from '../../src/mgmt/appmesh/source';
import { consoleModel } from '../../src/mgmt/console/model-view';
import { ResourceCodec } from '../../src/mgmt/resource-codec';
import { seedDocument } from '../fixtures/appmesh-seed';
import { TEST_ACCOUNT, apiContext, callOperation, storeOf } from '../fixtures/control-plane';

/** The App Mesh API's outputs (src/common/contracts/appmesh-api.ts): what the API answers parses; what does not fit is refused by name. */
describe('the App Mesh API outputs contract', () => {
  const store = storeOf(seedDocument(), translationCheck(new ResourceCodec()));

  const answer = async (name: string, labels: Record<string, string>, body?: unknown, query: Record<string, string> = {}) => {
    const r = await callOperation(store, name, labels, body, query);
    if (!r.ok) throw r.error;
    expect(r.answer.status).toBe(200);
    return r.answer.body;
  };

  it('parses Describe, Create, List and ListTags answers and the console model', async () => {
    const route = ResourceDataSchema.parse(await answer('DescribeRoute', { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' }));
    expect(route).toMatchObject({ meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB', status: { status: 'ACTIVE' }, metadata: { version: 1, meshOwner: TEST_ACCOUNT } });
    const created = ResourceDataSchema.parse(await answer('CreateVirtualNode', { meshName: 'apps' }, { virtualNodeName: 'contract-vn', spec: {} }));
    expect(created).toMatchObject({ virtualNodeName: 'contract-vn', spec: {}, metadata: { version: 1 } });

    const nodes = listPageSchema('virtualNodes').parse(await answer('ListVirtualNodes', { meshName: 'apps' }));
    expect(nodes.virtualNodes.map((n) => n.virtualNodeName)).toContain('contract-vn');
    expect(nodes.nextToken).toBeUndefined();
    const meshes = listPageSchema('meshes').parse(await answer('ListMeshes', {}));
    expect(meshes.meshes.map((m) => m.meshName)).toContain('apps');
    expect(TagPageSchema.parse(await answer('ListTagsForResource', {}, undefined, { resourceArn: route.metadata.arn }))).toEqual({ tags: [] });

    const model = ConsoleModelSchema.parse(JSON.parse(JSON.stringify(consoleModel(store.state, apiContext().view))));
    expect(model.meshes.find((m) => m.mesh.meshName === 'apps')!.virtualNodes.map((n) => n.virtualNodeName)).toContain('contract-vn');
  });

  it('refuses an output that does not fit, naming the field', () => {
    const ref = { meshName: 'apps', virtualNodeName: 'a', arn: 'arn:x', version: 1, createdAt: 1, lastUpdatedAt: 1, meshOwner: TEST_ACCOUNT, resourceOwner: TEST_ACCOUNT };
    expect(ResourceRefSchema.parse(ref)).toEqual(ref);
    const isoTime = ResourceRefSchema.safeParse({ ...ref, createdAt: '2026-01-01T00:00:00Z' });
    expect(isoTime.success).toBe(false);
    expect(isoTime.error!.issues[0]!.path).toEqual(['createdAt']);
    const page = listPageSchema('virtualNodes').safeParse({ virtualNodes: [{ ...ref, version: 0 }] });
    expect(page.success).toBe(false);
    expect(page.error!.issues[0]!.path).toEqual(['virtualNodes', 0, 'version']);
    expect(ResourceDataSchema.safeParse({ meshName: 'apps', spec: {}, metadata: { ...ref, uid: 'u' }, status: { status: 'GONE' } }).error!.issues[0]!.path).toEqual(['status', 'status']);
  });
});
