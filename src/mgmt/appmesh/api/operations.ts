import { KIND_INFO, RESOURCE_KINDS, type ResourceKind } from '../resource-kinds';

/**
 * The 38 operations of the App Mesh API (version 2019-01-25) at their real
 * HTTP bindings, as the AWS SDKs and CLI call them: Create/Describe/Update/
 * Delete/List of the seven resource kinds, and the three tag operations.
 * Mind the singular parent segment of routes and gateway routes
 * (`/virtualRouter/{virtualRouterName}/routes`). Derived from the kind table;
 * `matchOperation` finds the operation and its path labels. Pure.
 */

export const API_VERSION_PREFIX = '/v20190125';

export type ResourceAction = 'create' | 'describe' | 'update' | 'delete' | 'list';
export type TagAction = 'listTags' | 'tag' | 'untag';

export type Operation =
  | { name: string; method: 'GET' | 'PUT' | 'DELETE'; template: string; action: ResourceAction; kind: ResourceKind }
  | { name: string; method: 'GET' | 'PUT'; template: string; action: TagAction };

const PLURAL_OP: Record<ResourceKind, string> = {
  mesh: 'Meshes',
  virtualNode: 'VirtualNodes',
  virtualService: 'VirtualServices',
  virtualRouter: 'VirtualRouters',
  route: 'Routes',
  virtualGateway: 'VirtualGateways',
  gatewayRoute: 'GatewayRoutes',
};

/** The collection path of a kind (where Create PUTs and List GETs) and its item path. */
function paths(kind: ResourceKind): { collection: string; item: string } {
  const info = KIND_INFO[kind];
  if (kind === 'mesh') return { collection: `${API_VERSION_PREFIX}/meshes`, item: `${API_VERSION_PREFIX}/meshes/{meshName}` };
  const base = info.parent ? `${API_VERSION_PREFIX}/meshes/{meshName}/${info.parent}/{${KIND_INFO[info.parent].nameField}}` : `${API_VERSION_PREFIX}/meshes/{meshName}`;
  const collection = `${base}/${info.list}`;
  return { collection, item: `${collection}/{${info.nameField}}` };
}

function resourceOperations(kind: ResourceKind): Operation[] {
  const { collection, item } = paths(kind);
  const op = KIND_INFO[kind].op;
  return [
    { name: `Create${op}`, method: 'PUT', template: collection, action: 'create', kind },
    { name: `Describe${op}`, method: 'GET', template: item, action: 'describe', kind },
    { name: `Update${op}`, method: 'PUT', template: item, action: 'update', kind },
    { name: `Delete${op}`, method: 'DELETE', template: item, action: 'delete', kind },
    { name: `List${PLURAL_OP[kind]}`, method: 'GET', template: collection, action: 'list', kind },
  ];
}

export const OPERATIONS: readonly Operation[] = [
  ...RESOURCE_KINDS.flatMap(resourceOperations),
  { name: 'ListTagsForResource', method: 'GET', template: `${API_VERSION_PREFIX}/tags`, action: 'listTags' },
  { name: 'TagResource', method: 'PUT', template: `${API_VERSION_PREFIX}/tag`, action: 'tag' },
  { name: 'UntagResource', method: 'PUT', template: `${API_VERSION_PREFIX}/untag`, action: 'untag' },
];

export type OperationMatch =
  | { ok: true; op: Operation; labels: Record<string, string> }
  /** The path is an operation's, but not with this method. */
  | { ok: false; reason: 'method'; allowed: string[] }
  | { ok: false; reason: 'path' }
  | { ok: false; reason: 'encoding' };

function matchTemplate(template: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = template.split('/').filter((s) => s !== '');
  if (parts.length !== segments.length) return undefined;
  const labels: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const s = segments[i]!;
    if (p.startsWith('{') && p.endsWith('}')) {
      if (s === '') return undefined;
      labels[p.slice(1, -1)] = s;
    } else if (p !== s) return undefined;
  }
  return labels;
}

/** The operation a request names by its method and (still percent-encoded) path. */
export function matchOperation(method: string, pathname: string): OperationMatch {
  let segments: string[];
  try {
    segments = pathname.split('/').filter((s, i) => i > 0 || s !== '').map(decodeURIComponent);
  } catch {
    return { ok: false, reason: 'encoding' };
  }
  if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  const allowed: string[] = [];
  for (const op of OPERATIONS) {
    const labels = matchTemplate(op.template, segments);
    if (!labels) continue;
    if (op.method === method) return { ok: true, op, labels };
    allowed.push(op.method);
  }
  return allowed.length > 0 ? { ok: false, reason: 'method', allowed } : { ok: false, reason: 'path' };
}
