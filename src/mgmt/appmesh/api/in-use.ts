import { isObject } from '../json-reader';
import { KIND_INFO, RESOURCE_KINDS, type ResourceId, type ResourceKind } from '../resource-kinds';
import type { ControlPlaneState } from '../state/state';
import type { JsonObject } from '../types';

/**
 * What still uses a resource that is to be deleted (ResourceInUseException):
 * a mesh's resources, a router's routes, a gateway's gateway routes, the
 * routes and virtual services that name a virtual node or router, the virtual
 * nodes and gateway routes that name a virtual service. Read from the stored
 * bodies. Pure.
 */

const ROUTE_KEYS = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'];

function obj(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}

function list(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

/** The route-type member of a route or gateway route spec ({httpRoute: {...}} -> {...}). */
function routeBody(spec: unknown): JsonObject {
  const s = obj(spec);
  for (const k of ROUTE_KEYS) if (isObject(s[k])) return s[k];
  return {};
}

function inMesh(state: ControlPlaneState, kind: ResourceKind, mesh: string): JsonObject[] {
  return state.resources[KIND_INFO[kind].list].map((r) => r.body).filter((b) => b['meshName'] === mesh);
}

function named(bodies: JsonObject[], kind: ResourceKind): string[] {
  const info = KIND_INFO[kind];
  return bodies.map((b) => {
    const parent = info.parent ? `${String(b[KIND_INFO[info.parent].nameField])}/` : '';
    return `${info.text} "${parent}${String(b[info.nameField])}"`;
  });
}

export function usersOf(state: ControlPlaneState, kind: ResourceKind, id: ResourceId): string[] {
  const m = id.mesh;
  switch (kind) {
    case 'mesh':
      return RESOURCE_KINDS.filter((k) => k !== 'mesh').flatMap((k) => named(inMesh(state, k, m), k));
    case 'virtualNode':
      return [
        ...named(inMesh(state, 'route', m).filter((b) => list(obj(routeBody(b['spec'])['action'])['weightedTargets']).some((t) => t['virtualNode'] === id.name)), 'route'),
        ...named(inMesh(state, 'virtualService', m).filter((b) => obj(obj(obj(b['spec'])['provider'])['virtualNode'])['virtualNodeName'] === id.name), 'virtualService'),
      ];
    case 'virtualRouter':
      return [
        ...named(inMesh(state, 'route', m).filter((b) => b['virtualRouterName'] === id.name), 'route'),
        ...named(inMesh(state, 'virtualService', m).filter((b) => obj(obj(obj(b['spec'])['provider'])['virtualRouter'])['virtualRouterName'] === id.name), 'virtualService'),
      ];
    case 'virtualService':
      return [
        ...named(inMesh(state, 'virtualNode', m).filter((b) => list(obj(b['spec'])['backends']).some((x) => obj(x['virtualService'])['virtualServiceName'] === id.name)), 'virtualNode'),
        ...named(inMesh(state, 'gatewayRoute', m).filter((b) => obj(obj(obj(routeBody(b['spec'])['action'])['target'])['virtualService'])['virtualServiceName'] === id.name), 'gatewayRoute'),
      ];
    case 'virtualGateway':
      return named(inMesh(state, 'gatewayRoute', m).filter((b) => b['virtualGatewayName'] === id.name), 'gatewayRoute');
    case 'route':
    case 'gatewayRoute':
      return [];
  }
}
