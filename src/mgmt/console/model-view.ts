import type { ResourceData, ResourceNames } from '../../common/contracts/appmesh-api';
import { dataView, type ViewContext } from '../appmesh/api/views';
import { KIND_INFO, type ResourceKind } from '../appmesh/resource-kinds';
import type { ControlPlaneState } from '../appmesh/state/state';

/**
 * The model as the console draws it: each mesh with its resources, in the
 * App Mesh API's own shapes (the Describe outputs: names, spec, metadata,
 * status), routes under their router and gateway routes under their gateway.
 * Pure.
 */

type Data = ResourceData;

export type { ConsoleMesh, ConsoleModel } from '../../common/contracts/mgmt-console';
import type { ConsoleModel } from '../../common/contracts/mgmt-console';

const byName = (field: keyof ResourceNames) => (a: Data, b: Data) => String(a[field]).localeCompare(String(b[field]));

export function consoleModel(state: ControlPlaneState, ctx: ViewContext): ConsoleModel {
  const all = (kind: ResourceKind, mesh: string) =>
    state.resources[KIND_INFO[kind].list].filter((r) => r.body['meshName'] === mesh).map((r) => dataView(ctx, kind, r));
  const meshes = state.resources.meshes.map((m) => {
    const name = String(m.body['meshName']);
    const routes = all('route', name);
    const gatewayRoutes = all('gatewayRoute', name);
    return {
      mesh: dataView(ctx, 'mesh', m),
      virtualNodes: all('virtualNode', name).sort(byName('virtualNodeName')),
      virtualServices: all('virtualService', name).sort(byName('virtualServiceName')),
      virtualRouters: all('virtualRouter', name)
        .sort(byName('virtualRouterName'))
        .map((router) => ({ router, routes: routes.filter((r) => r['virtualRouterName'] === router['virtualRouterName']).sort(byName('routeName')) })),
      virtualGateways: all('virtualGateway', name)
        .sort(byName('virtualGatewayName'))
        .map((gateway) => ({ gateway, gatewayRoutes: gatewayRoutes.filter((r) => r['virtualGatewayName'] === gateway['virtualGatewayName']).sort(byName('gatewayRouteName')) })),
    };
  });
  return { revision: state.revision, account: ctx.account, region: ctx.region, meshes: meshes.sort((a, b) => String(a.mesh['meshName']).localeCompare(String(b.mesh['meshName']))), endpoints: state.endpoints };
}
