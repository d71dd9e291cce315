import { type Problem, renderProblem } from '../../../common/problem';
import { StateBackendError, StateConflictError } from '../state/backend';
import type { ModelStore, MutationOutcome } from '../state/model-store';
import { deleteEndpoints, getEndpoints, putEndpoints, type EndpointsTarget } from './endpoints-ext';
import { ApiError, badRequest } from './errors';
import type { Operation } from './operations';
import { apiProblems } from './problems';
import { checkMeshOwner, readResourceInput, readTagInput, type ResourceInput } from './request';
import { createResource, deleteResource, describeResourceAnswer, listResources, updateResource, type Answer, type ApiContext, type ResourceMutation } from './resource-ops';
import { listTags, tagResource, untagResource } from './tag-ops';

/**
 * Runs one App Mesh operation against the store: reads from the committed
 * state, changes through `store.mutate` (one at a time, validated as a whole,
 * stored before the answer). Every refusal is an ApiError.
 */

async function change(store: ModelStore, mutation: ResourceMutation, invalid: (problems: readonly Problem[]) => ApiError): Promise<Answer> {
  let outcome: MutationOutcome<Answer, ApiError>;
  try {
    outcome = await store.mutate(mutation);
  } catch (e) {
    if (e instanceof StateBackendError) throw new ApiError('ServiceUnavailableException', `The change could not be stored, so nothing changed: ${e.message}`);
    if (e instanceof StateConflictError) throw new ApiError('ConflictException', 'The mesh kept changing under concurrent writers and this change could not be applied; nothing changed: retry it');
    throw e;
  }
  if (outcome.ok) return outcome.value;
  if ('error' in outcome) throw outcome.error;
  throw invalid(outcome.invalid);
}

function resourceChange(ctx: ApiContext, input: ResourceInput): { mutation: ResourceMutation; invalid: (problems: readonly Problem[]) => ApiError } {
  const problems = (p: readonly Problem[]) => apiProblems(p, input.kind, input.id);
  if (input.action === 'delete') {
    // Only a reference can make a model invalid by removing something: what still refers to it is in use.
    return { mutation: deleteResource(ctx, input), invalid: (p) => new ApiError('ResourceInUseException', `The resource is still referred to:\n${problems(p).map((x) => `  - ${renderProblem(x)}`).join('\n')}`) };
  }
  const mutation = input.action === 'create' ? createResource(ctx, input) : updateResource(ctx, input);
  return { mutation, invalid: (p) => badRequest(problems(p), 'The change would make the mesh invalid, so nothing changed') };
}

export async function runOperation(store: ModelStore, ctx: ApiContext, op: Operation, labels: Record<string, string>, query: URLSearchParams, body: unknown): Promise<Answer> {
  checkMeshOwner(query, ctx.view.account);
  if ('kind' in op) {
    const input = readResourceInput(op, labels, query, body);
    if (input.action === 'describe') return describeResourceAnswer(ctx, store.state, input);
    if (input.action === 'list') return listResources(ctx, store.state, input);
    const { mutation, invalid } = resourceChange(ctx, input);
    return change(store, mutation, invalid);
  }
  const input = readTagInput(op, query, body);
  if (input.action === 'listTags') return listTags(ctx, store.state, input);
  const mutation = input.action === 'tag' ? tagResource(ctx, input) : untagResource(ctx, input);
  return change(store, mutation, (p) => badRequest(p));
}

/** The local endpoints extension (endpoints-ext.ts). */
export async function runEndpoints(store: ModelStore, method: string, target: EndpointsTarget, body: unknown): Promise<Answer> {
  if (method === 'GET') return getEndpoints(store.state, target);
  const invalid = (p: readonly Problem[]) => badRequest(p, 'The endpoints are not valid, so nothing changed');
  if (method === 'PUT') return change(store, putEndpoints(target, body), invalid);
  if (method === 'DELETE') return change(store, deleteEndpoints(target), invalid);
  throw new ApiError('UnknownOperationException', `${method} is not an operation on local endpoints (GET, PUT, DELETE)`);
}
