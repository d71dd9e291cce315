import { describe, expect, it } from 'vitest';
import { APP_MESH_ENV, gen } from '../../../test/fixtures/bootstrap-env';
import { parseMeshResource } from './node-id';

/** A virtual gateway's Envoy: App Mesh starts it with APPMESH_RESOURCE_ARN naming the gateway. */
describe('a virtual gateway node id', () => {
  it('is a mesh resource in both forms', () => {
    const gw = { mesh: 'apps', type: 'virtualGateway', name: 'gw', snakeType: 'virtual_gateway', upperCamelType: 'VirtualGateway' };
    expect(parseMeshResource('mesh/apps/virtualGateway/gw')).toEqual(gw);
    expect(parseMeshResource('arn:aws:appmesh:us-west-2:123456789012:mesh/apps/virtualGateway/gw')).toEqual(gw);
  });

  it('generates a bootstrap whose node is the gateway, with the gateway stats tags and no warning', () => {
    const { bootstrap, warnings } = gen({ ...APP_MESH_ENV, APPMESH_RESOURCE_ARN: 'mesh/apps/virtualGateway/gw', ENABLE_ENVOY_STATS_TAGS: '1' });
    expect(bootstrap.node).toMatchObject({ id: 'mesh/apps/virtualGateway/gw', cluster: 'mesh/apps/virtualGateway/gw' });
    expect(bootstrap.statsConfig!.statsTags.slice(0, 2)).toEqual([
      { tagName: 'appmesh.mesh', fixedValue: 'apps' },
      { tagName: 'appmesh.virtual_gateway', fixedValue: 'gw' },
    ]);
    expect(warnings).toEqual([]);
  });
});
