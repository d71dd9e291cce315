import { describe, isObject } from './json-reader';
import type { AppMeshDocument, JsonObject, ResourceList } from './types';

/**
 * Changes to a model document, as the HTTP API and the model file make them.
 * Pure: `applyChange` returns the candidate document (the store then validates
 * the whole of it) or why the change cannot even be formed (404, 400).
 */

export type ResourceKind = 'mesh' | 'virtualNode' | 'virtualService' | 'virtualRouter' | 'route';

/** A resource's address: its mesh, its name, and for a route its virtual router. */
export interface ResourceId {
  mesh: string;
  name: string;
  router?: string;
}

export type Change =
  | { op: 'replace'; document: unknown }
  | { op: 'put'; kind: ResourceKind; id: ResourceId; body: unknown }
  | { op: 'delete'; kind: ResourceKind; id: ResourceId }
  | { op: 'putEndpoints'; mesh: string; node: string; endpoints: unknown }
  | { op: 'deleteEndpoints'; mesh: string; node: string };

export type ChangeResult =
  | { ok: true; candidate: unknown; created: boolean; resource: unknown }
  | { ok: false; status: 400 | 404; problems: string[] };

interface KindInfo {
  list: ResourceList;
  nameField: string;
  text: string;
}

export const KINDS: Record<ResourceKind, KindInfo> = {
  mesh: { list: 'meshes', nameField: 'meshName', text: 'mesh' },
  virtualNode: { list: 'virtualNodes', nameField: 'virtualNodeName', text: 'virtual node' },
  virtualService: { list: 'virtualServices', nameField: 'virtualServiceName', text: 'virtual service' },
  virtualRouter: { list: 'virtualRouters', nameField: 'virtualRouterName', text: 'virtual router' },
  route: { list: 'routes', nameField: 'routeName', text: 'route' },
};

/** The name fields a resource's body must carry, with the values its address gives them. */
function idFields(kind: ResourceKind, id: ResourceId): Record<string, string> {
  const fields: Record<string, string> = { meshName: id.mesh };
  if (kind === 'route') fields['virtualRouterName'] = id.router ?? '';
  if (kind !== 'mesh') fields[KINDS[kind].nameField] = id.name;
  return fields;
}

export function describeId(kind: ResourceKind, id: ResourceId): string {
  if (kind === 'mesh') return `mesh "${id.mesh}"`;
  if (kind === 'route') return `route "${id.name}" of virtual router "${id.router}" in mesh "${id.mesh}"`;
  return `${KINDS[kind].text} "${id.name}" in mesh "${id.mesh}"`;
}

function matches(kind: ResourceKind, id: ResourceId, body: JsonObject): boolean {
  return Object.entries(idFields(kind, id)).every(([k, v]) => body[k] === v);
}

/** Find a resource body by address. */
export function findResource(doc: AppMeshDocument, kind: ResourceKind, id: ResourceId): JsonObject | undefined {
  return doc[KINDS[kind].list].find((b) => matches(kind, id, b));
}

function withList(doc: AppMeshDocument, list: ResourceList, items: JsonObject[]): AppMeshDocument {
  return { ...doc, [list]: items };
}

function put(doc: AppMeshDocument, kind: ResourceKind, id: ResourceId, body: unknown): ChangeResult {
  if (!isObject(body)) return { ok: false, status: 400, problems: [`the body must be a create-${KINDS[kind].text.replace(' ', '-')} JSON object, got ${describe(body)}`] };
  const fields = idFields(kind, id);
  const problems: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (body[k] !== undefined && body[k] !== v) problems.push(`${k}: the body says ${JSON.stringify(body[k])} but the path says "${v}"`);
  }
  if (problems.length > 0) return { ok: false, status: 400, problems };
  const resource: JsonObject = { ...fields, ...(structuredClone(body) as JsonObject) };
  const { list } = KINDS[kind];
  const i = doc[list].findIndex((b) => matches(kind, id, b));
  const items = [...doc[list]];
  if (i < 0) items.push(resource);
  else items[i] = resource;
  return { ok: true, candidate: withList(doc, list, items), created: i < 0, resource };
}

function remove(doc: AppMeshDocument, kind: ResourceKind, id: ResourceId): ChangeResult {
  const { list } = KINDS[kind];
  const i = doc[list].findIndex((b) => matches(kind, id, b));
  if (i < 0) return { ok: false, status: 404, problems: [`no ${describeId(kind, id)}`] };
  const resource = doc[list][i];
  let next = withList(doc, list, doc[list].filter((_, j) => j !== i));
  if (kind === 'virtualNode' && doc.endpoints?.[`${id.mesh}/${id.name}`] !== undefined) {
    // A virtual node's local endpoints go with it (they are an extension, not an App Mesh resource).
    const { [`${id.mesh}/${id.name}`]: _gone, ...rest } = doc.endpoints;
    next = { ...next, endpoints: rest };
  }
  return { ok: true, candidate: next, created: false, resource };
}

function nodeExists(doc: AppMeshDocument, mesh: string, node: string): boolean {
  return findResource(doc, 'virtualNode', { mesh, name: node }) !== undefined;
}

export function applyChange(doc: AppMeshDocument, change: Change): ChangeResult {
  switch (change.op) {
    case 'replace':
      return { ok: true, candidate: change.document, created: false, resource: change.document };
    case 'put':
      return put(doc, change.kind, change.id, change.body);
    case 'delete':
      return remove(doc, change.kind, change.id);
    case 'putEndpoints': {
      if (!nodeExists(doc, change.mesh, change.node)) return { ok: false, status: 404, problems: [`no virtual node "${change.node}" in mesh "${change.mesh}"`] };
      const key = `${change.mesh}/${change.node}`;
      const rest = Object.fromEntries(Object.entries(doc.endpoints ?? {}).filter(([k]) => k !== key && k !== change.node));
      return { ok: true, candidate: { ...doc, endpoints: { ...rest, [key]: change.endpoints } }, created: doc.endpoints?.[key] === undefined, resource: change.endpoints };
    }
    case 'deleteEndpoints': {
      const key = `${change.mesh}/${change.node}`;
      if (doc.endpoints?.[key] === undefined) return { ok: false, status: 404, problems: [`no local endpoints for virtual node "${change.node}" in mesh "${change.mesh}"`] };
      const { [key]: gone, ...rest } = doc.endpoints;
      return { ok: true, candidate: { ...doc, endpoints: rest }, created: false, resource: gone };
    }
  }
}

