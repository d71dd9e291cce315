import { KIND_INFO, describeResource, idFields, type ResourceId, type ResourceKind } from '../resource-kinds';
import { withSpecDefaults } from '../state/defaults';
import type { Mutation } from '../state/model-store';
import type { Clock } from '../state/open-store';
import { findRecord, withList, withToken, type ControlPlaneState, type ResourceRecord, type TokenRecord } from '../state/state';
import { ApiError } from './errors';
import { usersOf } from './in-use';
import { pageOf, parseLimit } from './paging';
import { backendQuotaProblem, createQuotaProblem, type Quotas } from './quotas';
import type { ResourceInput } from './request';
import { dataView, refView, type ViewContext } from './views';

/**
 * Create, Describe, Update, Delete and List of every resource kind, as pure
 * functions of the state: reads answer from it, changes return the state to
 * commit (model-store.ts validates the whole model, stores it, and only then
 * answers). Creates and updates are idempotent per client token.
 */

export interface ApiContext {
  view: ViewContext;
  quotas: Quotas;
  clock: Clock;
}

export interface Answer {
  status: number;
  body: unknown;
}

export type ResourceMutation = (state: ControlPlaneState) => Mutation<Answer, ApiError>;

const MAX_PAGE = 100;

function notFound(kind: ResourceKind, id: ResourceId): ApiError {
  return new ApiError('NotFoundException', `No ${describeResource(kind, id)}`);
}

/** The mesh, and the router or gateway, a resource lives in must exist. */
function containerError(state: ControlPlaneState, kind: ResourceKind, id: ResourceId): ApiError | undefined {
  if (kind === 'mesh') return undefined;
  if (!findRecord(state, 'mesh', { mesh: id.mesh, name: id.mesh })) return notFound('mesh', { mesh: id.mesh, name: id.mesh });
  const parent = KIND_INFO[kind].parent;
  if (parent && !findRecord(state, parent, { mesh: id.mesh, name: id.parent ?? '' })) return notFound(parent, { mesh: id.mesh, name: id.parent ?? '' });
  return undefined;
}

/** What a client token says about this request: new, a retry of the same request, or reused for another. */
function tokenVerdict(state: ControlPlaneState, input: ResourceInput): 'new' | 'retry' | 'conflict' {
  if (input.clientToken === undefined) return 'new';
  const seen = state.tokens.find((t) => t.token === input.clientToken);
  if (!seen) return 'new';
  return seen.fingerprint === input.fingerprint ? 'retry' : 'conflict';
}

function tokenConflict(input: ResourceInput): ApiError {
  return new ApiError('ConflictException', `clientToken "${input.clientToken}" was already used for a different request; use a new client token`);
}

function tokenRecord(input: ResourceInput): TokenRecord | undefined {
  return input.clientToken === undefined ? undefined : { token: input.clientToken, fingerprint: input.fingerprint };
}

function replace(state: ControlPlaneState, kind: ResourceKind, old: ResourceRecord, next: ResourceRecord | undefined): ResourceRecord[] {
  const list = state.resources[KIND_INFO[kind].list];
  return next ? list.map((r) => (r === old ? next : r)) : list.filter((r) => r !== old);
}

export function createResource(ctx: ApiContext, input: ResourceInput): ResourceMutation {
  const { kind, id } = input;
  return (state) => {
    const verdict = tokenVerdict(state, input);
    if (verdict === 'conflict') return { kind: 'fail', error: tokenConflict(input) };
    const existing = findRecord(state, kind, id);
    if (existing && verdict === 'retry') return { kind: 'answer', value: { status: 200, body: dataView(ctx.view, kind, existing) } };
    if (existing) return { kind: 'fail', error: new ApiError('ConflictException', `A ${describeResource(kind, id)} already exists`) };
    const missing = containerError(state, kind, id);
    if (missing) return { kind: 'fail', error: missing };
    const quota = createQuotaProblem(state, ctx.quotas, kind, id) ?? (kind === 'virtualNode' ? backendQuotaProblem(input.spec, ctx.quotas) : undefined);
    if (quota) return { kind: 'fail', error: new ApiError('LimitExceededException', quota) };
    const now = ctx.clock.now();
    const record: ResourceRecord = {
      body: withSpecDefaults(kind, { ...idFields(kind, id), spec: input.spec }),
      tags: input.tags,
      uid: ctx.clock.uid(),
      version: 1,
      createdAt: now,
      lastUpdatedAt: now,
    };
    const next = withToken(withList(state, KIND_INFO[kind].list, [...state.resources[KIND_INFO[kind].list], record]), tokenRecord(input));
    return { kind: 'commit', state: next, value: { status: 200, body: dataView(ctx.view, kind, record) } };
  };
}

export function updateResource(ctx: ApiContext, input: ResourceInput): ResourceMutation {
  const { kind, id } = input;
  return (state) => {
    const existing = findRecord(state, kind, id);
    if (!existing) return { kind: 'fail', error: containerError(state, kind, id) ?? notFound(kind, id) };
    const verdict = tokenVerdict(state, input);
    if (verdict === 'conflict') return { kind: 'fail', error: tokenConflict(input) };
    if (verdict === 'retry') return { kind: 'answer', value: { status: 200, body: dataView(ctx.view, kind, existing) } };
    const quota = kind === 'virtualNode' ? backendQuotaProblem(input.spec, ctx.quotas) : undefined;
    if (quota) return { kind: 'fail', error: new ApiError('LimitExceededException', quota) };
    // UpdateMesh may leave the spec out: the mesh keeps its spec.
    const spec = input.spec === undefined || input.spec === null ? existing.body['spec'] : input.spec;
    const record: ResourceRecord = {
      ...existing,
      body: withSpecDefaults(kind, { ...idFields(kind, id), spec }),
      version: existing.version + 1,
      lastUpdatedAt: Math.max(ctx.clock.now(), existing.lastUpdatedAt),
    };
    const next = withToken(withList(state, KIND_INFO[kind].list, replace(state, kind, existing, record)), tokenRecord(input));
    return { kind: 'commit', state: next, value: { status: 200, body: dataView(ctx.view, kind, record) } };
  };
}

export function deleteResource(ctx: ApiContext, input: ResourceInput): ResourceMutation {
  const { kind, id } = input;
  return (state) => {
    const existing = findRecord(state, kind, id);
    if (!existing) return { kind: 'fail', error: containerError(state, kind, id) ?? notFound(kind, id) };
    const users = usersOf(state, kind, id);
    if (users.length > 0) {
      return { kind: 'fail', error: new ApiError('ResourceInUseException', `The ${describeResource(kind, id)} is still used by ${users.join(', ')}; delete or change them first`) };
    }
    let next = withList(state, KIND_INFO[kind].list, replace(state, kind, existing, undefined));
    const endpointKey = `${id.mesh}/${id.name}`;
    if (kind === 'virtualNode' && next.endpoints[endpointKey] !== undefined) {
      // A virtual node's local endpoints (an extension, not an App Mesh resource) go with it.
      const { [endpointKey]: _gone, ...rest } = next.endpoints;
      next = { ...next, endpoints: rest };
    }
    return { kind: 'commit', state: next, value: { status: 200, body: dataView(ctx.view, kind, existing, 'DELETED') } };
  };
}

export function describeResourceAnswer(ctx: ApiContext, state: ControlPlaneState, input: ResourceInput): Answer {
  const found = findRecord(state, input.kind, input.id);
  if (!found) throw containerError(state, input.kind, input.id) ?? notFound(input.kind, input.id);
  return { status: 200, body: dataView(ctx.view, input.kind, found) };
}

export function listResources(ctx: ApiContext, state: ControlPlaneState, input: ResourceInput): Answer {
  const { kind, id } = input;
  const limit = parseLimit(input.limit, MAX_PAGE);
  const missing = containerError(state, kind, id);
  if (missing) throw missing;
  const info = KIND_INFO[kind];
  const parentField = info.parent ? KIND_INFO[info.parent].nameField : undefined;
  const mine = state.resources[info.list].filter((r) => kind === 'mesh' || (r.body['meshName'] === id.mesh && (!parentField || r.body[parentField] === id.parent)));
  const page = pageOf(mine, (r) => String(r.body[info.nameField]), limit, input.nextToken);
  return { status: 200, body: { [info.list]: page.items.map((r) => refView(ctx.view, kind, r)), ...(page.nextToken ? { nextToken: page.nextToken } : {}) } };
}
