import { fail, ok, problem, type Result } from '../../common/problem';
/**
 * The seven App Mesh resource kinds as the control-plane API addresses them:
 * which document list holds each, its name field, its parent (routes live in a
 * virtual router, gateway routes in a virtual gateway), how its ARN and its
 * API outputs name it. One table, used by the store, the API and the views.
 */

export type ResourceKind = 'mesh' | 'virtualNode' | 'virtualService' | 'virtualRouter' | 'route' | 'virtualGateway' | 'gatewayRoute';

export const RESOURCE_KINDS: readonly ResourceKind[] = ['mesh', 'virtualNode', 'virtualService', 'virtualRouter', 'route', 'virtualGateway', 'gatewayRoute'];

/** The document list of each kind (the key in an App Mesh model file). */
export type KindList = 'meshes' | 'virtualNodes' | 'virtualServices' | 'virtualRouters' | 'routes' | 'virtualGateways' | 'gatewayRoutes';

export interface KindInfo {
  kind: ResourceKind;
  list: KindList;
  /** "virtual node": for messages. */
  text: string;
  /** "VirtualNode": operation names are Create<op>, Describe<op>, ... */
  op: string;
  /** The body field holding the resource's own name. */
  nameField: string;
  /** The kind a route or gateway route belongs to (its parent in paths and ARNs). */
  parent?: 'virtualRouter' | 'virtualGateway';
  /** The ARN segment before the name: mesh/<m>/<arnSegment>/<name>; for children, under the parent's. */
  arnSegment: string;
}

export const KIND_INFO: Readonly<Record<ResourceKind, KindInfo>> = {
  mesh: { kind: 'mesh', list: 'meshes', text: 'mesh', op: 'Mesh', nameField: 'meshName', arnSegment: 'mesh' },
  virtualNode: { kind: 'virtualNode', list: 'virtualNodes', text: 'virtual node', op: 'VirtualNode', nameField: 'virtualNodeName', arnSegment: 'virtualNode' },
  virtualService: { kind: 'virtualService', list: 'virtualServices', text: 'virtual service', op: 'VirtualService', nameField: 'virtualServiceName', arnSegment: 'virtualService' },
  virtualRouter: { kind: 'virtualRouter', list: 'virtualRouters', text: 'virtual router', op: 'VirtualRouter', nameField: 'virtualRouterName', arnSegment: 'virtualRouter' },
  route: { kind: 'route', list: 'routes', text: 'route', op: 'Route', nameField: 'routeName', parent: 'virtualRouter', arnSegment: 'route' },
  virtualGateway: { kind: 'virtualGateway', list: 'virtualGateways', text: 'virtual gateway', op: 'VirtualGateway', nameField: 'virtualGatewayName', arnSegment: 'virtualGateway' },
  gatewayRoute: { kind: 'gatewayRoute', list: 'gatewayRoutes', text: 'gateway route', op: 'GatewayRoute', nameField: 'gatewayRouteName', parent: 'virtualGateway', arnSegment: 'gatewayRoute' },
};

/** A resource's address: its mesh, its parent (routes and gateway routes), its name (a mesh's name is its mesh). */
export interface ResourceId {
  mesh: string;
  parent?: string;
  name: string;
}

export function sameId(a: ResourceId, b: ResourceId): boolean {
  return a.mesh === b.mesh && a.name === b.name && (a.parent ?? '') === (b.parent ?? '');
}

/** `virtual node "serviceB" in mesh "apps"`, `route "r" of virtual router "vr" in mesh "apps"`. */
export function describeResource(kind: ResourceKind, id: ResourceId): string {
  const info = KIND_INFO[kind];
  if (kind === 'mesh') return `mesh "${id.mesh}"`;
  const parent = info.parent ? ` of ${KIND_INFO[info.parent].text} "${id.parent ?? ''}"` : '';
  return `${info.text} "${id.name}"${parent} in mesh "${id.mesh}"`;
}

/** The name fields of a resource body, with the values its address gives them (meshName, parent name, own name). */
export function idFields(kind: ResourceKind, id: ResourceId): Record<string, string> {
  const info = KIND_INFO[kind];
  const fields: Record<string, string> = { meshName: id.mesh };
  if (info.parent) fields[KIND_INFO[info.parent].nameField] = id.parent ?? '';
  if (kind !== 'mesh') fields[info.nameField] = id.name;
  return fields;
}

/** The address a body's name fields give, or undefined when one is missing or not a string. */
export function idOfBody(kind: ResourceKind, body: Readonly<Record<string, unknown>>): ResourceId | undefined {
  const info = KIND_INFO[kind];
  const str = (k: string) => (typeof body[k] === 'string' && body[k] !== '' ? (body[k] as string) : undefined);
  const mesh = str('meshName');
  const name = kind === 'mesh' ? mesh : str(info.nameField);
  const parent = info.parent ? str(KIND_INFO[info.parent].nameField) : undefined;
  if (mesh === undefined || name === undefined || (info.parent && parent === undefined)) return undefined;
  return parent === undefined ? { mesh, name } : { mesh, parent, name };
}

/** The resource part of an ARN: `mesh/apps/virtualRouter/serviceB/route/serviceB`. */
export function arnResource(kind: ResourceKind, id: ResourceId): string {
  const info = KIND_INFO[kind];
  if (kind === 'mesh') return `mesh/${id.mesh}`;
  if (info.parent) return `mesh/${id.mesh}/${KIND_INFO[info.parent].arnSegment}/${id.parent ?? ''}/${info.arnSegment}/${id.name}`;
  return `mesh/${id.mesh}/${info.arnSegment}/${id.name}`;
}

export interface ArnContext {
  partition: string;
  region: string;
  account: string;
}

export function resourceArn(ctx: ArnContext, kind: ResourceKind, id: ResourceId): string {
  return `arn:${ctx.partition}:appmesh:${ctx.region}:${ctx.account}:${arnResource(kind, id)}`;
}

/** What an ARN names, or why it names nothing this control plane could hold. */
export type ParsedArn = Result<{ kind: ResourceKind; id: ResourceId; region: string; account: string }>;

const CHILD_SEGMENTS: Record<string, { parent: 'virtualRouter' | 'virtualGateway'; kind: ResourceKind }> = {
  route: { parent: 'virtualRouter', kind: 'route' },
  gatewayRoute: { parent: 'virtualGateway', kind: 'gatewayRoute' },
};

export function parseArn(arn: string): ParsedArn {
  const m = /^arn:([a-z-]+):appmesh:([^:]*):([^:]*):(.+)$/.exec(arn);
  if (!m) return fail(problem('', `"${arn.slice(0, 200)}" is not an App Mesh ARN`, 'arn:aws:appmesh:<region>:<account>:mesh/...'));
  const [, , region, account, resource] = m as unknown as [string, string, string, string, string];
  const parts = resource.split('/');
  const bad: ParsedArn = fail(problem('', `"${resource.slice(0, 200)}" is not an App Mesh resource`, 'mesh/<mesh>[/<kind>/<name>...] after the account'));
  if (parts[0] !== 'mesh' || !parts[1] || parts.some((p) => p === '')) return bad;
  const mesh = parts[1];
  if (parts.length === 2) return ok({ kind: 'mesh', id: { mesh, name: mesh }, region, account });
  const segment = parts[2]!;
  const kind = (Object.keys(KIND_INFO) as ResourceKind[]).find((k) => k !== 'mesh' && !KIND_INFO[k].parent && KIND_INFO[k].arnSegment === segment);
  if (!kind) return bad;
  if (parts.length === 4) return ok({ kind, id: { mesh, name: parts[3]! }, region, account });
  const child = CHILD_SEGMENTS[parts[4] ?? ''];
  if (parts.length === 6 && child && child.parent === kind) return ok({ kind: child.kind, id: { mesh, parent: parts[3]!, name: parts[5]! }, region, account });
  return bad;
}
