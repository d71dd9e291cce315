import { describe, isObject } from '../json-reader';
import { findRecord, type ControlPlaneState } from '../state/state';
import { API_VERSION_PREFIX } from './operations';
import { ApiError } from './errors';
import type { Answer, ResourceMutation } from './resource-ops';

/**
 * An appnet extension beside the App Mesh operations, under the same
 * authentication and error format: where a virtual node's instances listen
 * when its service discovery cannot be resolved here (the `endpoints` of a
 * model file).
 *
 *   GET|PUT|DELETE /v20190125/meshes/{meshName}/virtualNodes/{virtualNodeName}/endpoints
 *   PUT body and GET answer: {"endpoints": ["127.0.0.1:50051", "[::1]:50052"]}
 *
 * The addresses are checked by the model validation (IP literals, optional
 * port). Deleting the virtual node deletes its endpoints. Pure.
 */

export interface EndpointsTarget {
  mesh: string;
  node: string;
}

/** The mesh and virtual node an extension path names, or undefined for any other path. */
export function matchEndpointsPath(segments: readonly string[]): EndpointsTarget | undefined {
  const [version, meshes, mesh, nodes, node, endpoints, ...rest] = segments;
  if (`/${version}` !== API_VERSION_PREFIX || meshes !== 'meshes' || nodes !== 'virtualNodes' || endpoints !== 'endpoints' || rest.length > 0) return undefined;
  return mesh && node ? { mesh, node } : undefined;
}

const key = (t: EndpointsTarget) => `${t.mesh}/${t.node}`;

function requireNode(state: ControlPlaneState, t: EndpointsTarget): void {
  if (!findRecord(state, 'virtualNode', { mesh: t.mesh, name: t.node })) throw new ApiError('NotFoundException', `No virtual node "${t.node}" in mesh "${t.mesh}"`);
}

export function getEndpoints(state: ControlPlaneState, t: EndpointsTarget): Answer {
  requireNode(state, t);
  const list = state.endpoints[key(t)];
  if (!list) throw new ApiError('NotFoundException', `Virtual node "${t.node}" in mesh "${t.mesh}" has no local endpoints`);
  return { status: 200, body: { endpoints: list } };
}

export function putEndpoints(t: EndpointsTarget, body: unknown): ResourceMutation {
  return (state) => {
    try {
      requireNode(state, t);
    } catch (e) {
      return { kind: 'fail', error: e as ApiError };
    }
    const list = isObject(body) ? body['endpoints'] : undefined;
    if (!isObject(body) || Object.keys(body).some((k) => k !== 'endpoints') || !Array.isArray(list) || !list.every((e) => typeof e === 'string')) {
      return { kind: 'fail', error: new ApiError('BadRequestException', `The body must be {"endpoints": ["127.0.0.1:50051", ...]}, got ${describe(body)}`) };
    }
    const next = { ...state, revision: state.revision + 1, endpoints: { ...state.endpoints, [key(t)]: list as string[] } };
    return { kind: 'commit', state: next, value: { status: 200, body: { endpoints: list } } };
  };
}

export function deleteEndpoints(t: EndpointsTarget): ResourceMutation {
  return (state) => {
    const { [key(t)]: gone, ...rest } = state.endpoints;
    if (!gone) return { kind: 'fail', error: new ApiError('NotFoundException', `Virtual node "${t.node}" in mesh "${t.mesh}" has no local endpoints`) };
    return { kind: 'commit', state: { ...state, revision: state.revision + 1, endpoints: rest }, value: { status: 200, body: { endpoints: gone } } };
  };
}
