/**
 * The App Mesh model over HTTP/1.1 JSON, on the management server's admin port
 * (`--admin-port`, with `--appmesh`). Every change is validated against the
 * whole model; a rejected change changes nothing.
 *
 *   GET    /appmesh                                                   the whole model document
 *   PUT    /appmesh                                                   replace it (body: a model document)
 *   GET    /appmesh/meshes                                            every create-mesh body
 *   GET|PUT|DELETE /appmesh/meshes/{mesh}                             one mesh
 *   GET    /appmesh/meshes/{mesh}/{virtualNodes|virtualServices|virtualRouters}
 *   GET|PUT|DELETE /appmesh/meshes/{mesh}/virtualNodes/{name}
 *   GET|PUT|DELETE /appmesh/meshes/{mesh}/virtualServices/{name}
 *   GET|PUT|DELETE /appmesh/meshes/{mesh}/virtualRouters/{name}
 *   GET    /appmesh/meshes/{mesh}/virtualRouters/{router}/routes
 *   GET|PUT|DELETE /appmesh/meshes/{mesh}/virtualRouters/{router}/routes/{name}
 *   GET|PUT|DELETE /appmesh/meshes/{mesh}/virtualNodes/{name}/endpoints   (extension: ["127.0.0.1:50051"])
 *
 * PUT bodies are the `aws appmesh create-*` / `update-*` JSON bodies; name
 * fields may be left out (the path gives them) but must match the path when
 * present. Answers: 200 (GET, update, DELETE), 201 (created) with
 * {"revision", "created", "resource"} ({"revision", "deleted"} for DELETE);
 * errors {"error", "problems": [...]} with 400 (invalid body or model), 404
 * (unknown resource or path), 405 (method), 413 (body over 1 MiB, admin-http.ts).
 * Every answer carries `x-appmesh-revision`. Pure apart from the store.
 */
import { KINDS, describeId, findResource, type Change, type ResourceKind } from './changes';
import type { AppMeshStore } from './store';

export const APPMESH_PREFIX = '/appmesh';

export interface ApiAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

const LIST_KINDS: Record<string, ResourceKind> = { virtualNodes: 'virtualNode', virtualServices: 'virtualService', virtualRouters: 'virtualRouter' };

export const API_PATHS = [
  '/appmesh',
  '/appmesh/meshes/{mesh}',
  '/appmesh/meshes/{mesh}/virtualNodes/{name}',
  '/appmesh/meshes/{mesh}/virtualNodes/{name}/endpoints',
  '/appmesh/meshes/{mesh}/virtualServices/{name}',
  '/appmesh/meshes/{mesh}/virtualRouters/{name}',
  '/appmesh/meshes/{mesh}/virtualRouters/{router}/routes/{name}',
];

type Target =
  | { what: 'document' }
  | { what: 'list'; kind: ResourceKind; mesh?: string; router?: string }
  | { what: 'resource'; kind: ResourceKind; mesh: string; name: string; router?: string }
  | { what: 'endpoints'; mesh: string; node: string };

/** The resource a path names, or undefined for an unknown path. */
function target(segments: string[]): Target | undefined {
  const [root, meshes, mesh, list, name, sub, subName, ...rest] = segments;
  if (root !== 'appmesh' || rest.length > 0) return undefined;
  if (meshes === undefined) return { what: 'document' };
  if (meshes !== 'meshes') return undefined;
  if (mesh === undefined) return { what: 'list', kind: 'mesh' };
  if (list === undefined) return { what: 'resource', kind: 'mesh', mesh, name: mesh };
  const kind = LIST_KINDS[list];
  if (!kind) return undefined;
  if (name === undefined) return { what: 'list', kind, mesh };
  if (sub === undefined) return { what: 'resource', kind, mesh, name };
  if (kind === 'virtualNode' && sub === 'endpoints' && subName === undefined) return { what: 'endpoints', mesh, node: name };
  if (kind !== 'virtualRouter' || sub !== 'routes') return undefined;
  if (subName === undefined) return { what: 'list', kind: 'route', mesh, router: name };
  return { what: 'resource', kind: 'route', mesh, router: name, name: subName };
}

function error(status: number, message: string, problems: string[]): { status: number; body: unknown } {
  return { status, body: { error: message, problems } };
}

function parseBody(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function applyAnswer(store: AppMeshStore, change: Change, deleting: boolean): { status: number; body: unknown } {
  const r = store.apply(change);
  if (!r.ok) return error(r.status, r.status === 404 ? 'not found' : 'change rejected: the model would not be valid; nothing changed', r.problems);
  if (deleting) return { status: 200, body: { revision: r.revision, deleted: r.resource } };
  return { status: r.created ? 201 : 200, body: { revision: r.revision, created: r.created, resource: r.resource } };
}

function get(store: AppMeshStore, t: Target): { status: number; body: unknown } {
  const doc = store.document;
  if (t.what === 'document') return { status: 200, body: doc };
  if (t.what === 'endpoints') {
    const e = doc.endpoints?.[`${t.mesh}/${t.node}`];
    return e ? { status: 200, body: e } : error(404, 'not found', [`no local endpoints for virtual node "${t.node}" in mesh "${t.mesh}"`]);
  }
  if (t.what === 'resource') {
    const found = findResource(doc, t.kind, { mesh: t.mesh, name: t.name, ...(t.router !== undefined ? { router: t.router } : {}) });
    return found ? { status: 200, body: found } : error(404, 'not found', [`no ${describeId(t.kind, { mesh: t.mesh, name: t.name, ...(t.router !== undefined ? { router: t.router } : {}) })}`]);
  }
  if (t.kind === 'mesh') return { status: 200, body: doc.meshes };
  if (t.mesh !== undefined && !findResource(doc, 'mesh', { mesh: t.mesh, name: t.mesh })) return error(404, 'not found', [`no mesh "${t.mesh}"`]);
  if (t.kind === 'route' && !findResource(doc, 'virtualRouter', { mesh: t.mesh!, name: t.router! })) return error(404, 'not found', [`no virtual router "${t.router}" in mesh "${t.mesh}"`]);
  const items = doc[KINDS[t.kind].list].filter((b) => b['meshName'] === t.mesh && (t.kind !== 'route' || b['virtualRouterName'] === t.router));
  return { status: 200, body: items };
}

function answer(store: AppMeshStore, method: string, pathname: string, bodyText: string): { status: number; body: unknown } {
  let segments: string[];
  try {
    segments = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch {
    return error(400, 'bad path', [`cannot decode ${pathname}`]);
  }
  const t = target(segments);
  if (!t) return error(404, 'no such path', [`${pathname} is not an App Mesh API path; paths: ${API_PATHS.join(', ')}`]);
  const writable = t.what !== 'list';
  if (method === 'GET' || method === 'HEAD') return get(store, t);
  if (!writable || (method !== 'PUT' && method !== 'DELETE') || (t.what === 'document' && method === 'DELETE')) {
    return error(405, `method ${method} not allowed here`, [`allowed: ${!writable ? 'GET' : t.what === 'document' ? 'GET, PUT' : 'GET, PUT, DELETE'}`]);
  }
  if (method === 'DELETE') {
    if (t.what === 'endpoints') return applyAnswer(store, { op: 'deleteEndpoints', mesh: t.mesh, node: t.node }, true);
    if (t.what !== 'resource') return error(405, 'method DELETE not allowed here', []);
    return applyAnswer(store, { op: 'delete', kind: t.kind, id: { mesh: t.mesh, name: t.name, ...(t.router !== undefined ? { router: t.router } : {}) } }, true);
  }
  const body = parseBody(bodyText);
  if (!body.ok) return error(400, 'invalid JSON body', ['the request body must be JSON']);
  if (t.what === 'document') return applyAnswer(store, { op: 'replace', document: body.value }, false);
  if (t.what === 'endpoints') return applyAnswer(store, { op: 'putEndpoints', mesh: t.mesh, node: t.node, endpoints: body.value }, false);
  if (t.what !== 'resource') return error(405, 'method PUT not allowed here', []);
  return applyAnswer(store, { op: 'put', kind: t.kind, id: { mesh: t.mesh, name: t.name, ...(t.router !== undefined ? { router: t.router } : {}) }, body: body.value }, false);
}

/** Answer one request under /appmesh. */
export function appMeshApi(store: AppMeshStore, method: string, pathname: string, bodyText: string): ApiAnswer {
  const a = answer(store, method, pathname, bodyText);
  return { ...a, headers: { 'x-appmesh-revision': String(store.revision) } };
}
