import { ok, problem, type Problem } from '../../../common/problem';
import { createHash } from 'node:crypto';
import { describe, isObject } from '../json-reader';
import { KIND_INFO, type ResourceId, type ResourceKind } from '../resource-kinds';
import type { Tag } from '../state/state';
import { readTags } from '../state/tags';
import { ApiError, badRequest } from './errors';
import type { Operation, ResourceAction } from './operations';

/**
 * One API request's input, read from its path labels, query and JSON body the
 * way the operation's input shape binds them, with every problem reported at
 * once (BadRequestException). Pure.
 */

export interface ResourceInput {
  action: ResourceAction;
  kind: ResourceKind;
  /** For list: the mesh (and parent) listed; `name` is then empty. */
  id: ResourceId;
  spec: unknown;
  tags: Tag[];
  clientToken: string | undefined;
  /** A digest of the operation and what it asks for (the client token left out): a retried request has the same. */
  fingerprint: string;
  limit: string | null;
  nextToken: string | null;
}

export type TagInput =
  | { action: 'listTags'; resourceArn: string; limit: string | null; nextToken: string | null }
  | { action: 'tag'; resourceArn: string; tags: Tag[] }
  | { action: 'untag'; resourceArn: string; tagKeys: string[] };

const ACCOUNT_ID = /^\d{12}$/;
const CLIENT_TOKEN_MAX = 64;

/** JSON with object keys sorted, so equal inputs give equal digests. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function fingerprintOf(op: string, labels: Record<string, string>, body: Record<string, unknown>): string {
  const { clientToken: _token, ...rest } = body;
  return createHash('sha256').update(canonical({ op, labels, body: rest })).digest('base64url');
}

/** The body members an operation takes (its input shape minus path labels and query). */
function bodyMembers(action: ResourceAction, kind: ResourceKind): { allowed: string[]; required: string[] } {
  const nameField = KIND_INFO[kind].nameField;
  if (action === 'create') return { allowed: [nameField, 'spec', 'tags', 'clientToken'], required: kind === 'mesh' ? [nameField] : [nameField, 'spec'] };
  if (action === 'update') return { allowed: ['spec', 'clientToken'], required: kind === 'mesh' ? [] : ['spec'] };
  return { allowed: [], required: [] };
}

function readBody(body: unknown, allowed: readonly string[], required: readonly string[], problems: Problem[]): Record<string, unknown> {
  if (allowed.length === 0) return {};
  if (body === undefined) body = {};
  if (!isObject(body)) {
    problems.push(problem('body', `expected a JSON object, got ${describe(body)}`));
    return {};
  }
  for (const k of Object.keys(body)) if (!allowed.includes(k)) problems.push(problem(k, `unknown member (this operation takes ${allowed.join(', ')})`));
  for (const k of required) if (body[k] === undefined || body[k] === null) problems.push(problem(k, 'required'));
  return body;
}

function readMeshOwner(query: URLSearchParams, problems: Problem[]): void {
  const owner = query.get('meshOwner');
  if (owner !== null && !ACCOUNT_ID.test(owner)) problems.push(problem('meshOwner', `expected a 12-digit AWS account id, got ${JSON.stringify(owner.slice(0, 40))}`));
}

function readClientToken(body: Record<string, unknown>, problems: Problem[]): string | undefined {
  const t = body['clientToken'];
  if (t === undefined || t === null) return undefined;
  if (typeof t !== 'string' || t.length < 1 || t.length > CLIENT_TOKEN_MAX) {
    problems.push(problem('clientToken', `expected a string of 1-${CLIENT_TOKEN_MAX} characters, got ${describe(t)}`));
    return undefined;
  }
  return t;
}

export function readResourceInput(op: Extract<Operation, { kind: ResourceKind }>, labels: Record<string, string>, query: URLSearchParams, body: unknown): ResourceInput {
  const { action, kind } = op;
  const info = KIND_INFO[kind];
  const problems: Problem[] = [];
  readMeshOwner(query, problems);
  const members = bodyMembers(action, kind);
  const b = readBody(body, members.allowed, members.required, problems);
  const clientToken = readClientToken(b, problems);
  const tags = action === 'create' ? readTags(b['tags']) : ok([]);
  if (!tags.ok) problems.push(...tags.problems);
  const nameFromBody = action === 'create' ? b[info.nameField] : undefined;
  if (nameFromBody !== undefined && nameFromBody !== null && (typeof nameFromBody !== 'string' || nameFromBody === '')) {
    problems.push(problem(info.nameField, `expected a non-empty string, got ${describe(nameFromBody)}`));
  }
  if (problems.length > 0) throw badRequest(problems);
  const mesh = kind === 'mesh' && action === 'create' ? String(nameFromBody) : (labels['meshName'] ?? '');
  const parent = info.parent ? labels[KIND_INFO[info.parent].nameField] : undefined;
  const name = kind === 'mesh' ? mesh : action === 'create' ? String(nameFromBody) : action === 'list' ? '' : (labels[info.nameField] ?? '');
  return {
    action,
    kind,
    id: parent === undefined ? { mesh, name } : { mesh, parent, name },
    spec: b['spec'],
    tags: tags.ok ? tags.value : [],
    clientToken,
    fingerprint: fingerprintOf(op.name, labels, b),
    limit: query.get('limit'),
    nextToken: query.get('nextToken'),
  };
}

export function readTagInput(op: Extract<Operation, { action: 'listTags' | 'tag' | 'untag' }>, query: URLSearchParams, body: unknown): TagInput {
  const problems: Problem[] = [];
  const resourceArn = query.get('resourceArn');
  if (resourceArn === null || resourceArn === '') problems.push(problem('resourceArn', 'required (a query parameter)'));
  if (op.action === 'listTags') {
    if (problems.length > 0) throw badRequest(problems);
    return { action: 'listTags', resourceArn: resourceArn!, limit: query.get('limit'), nextToken: query.get('nextToken') };
  }
  const member = op.action === 'tag' ? 'tags' : 'tagKeys';
  const b = readBody(body, [member], [member], problems);
  if (op.action === 'tag') {
    const tags = b['tags'] === undefined ? ok([]) : readTags(b['tags']);
    if (!tags.ok) problems.push(...tags.problems);
    if (problems.length > 0) throw badRequest(problems);
    return { action: 'tag', resourceArn: resourceArn!, tags: tags.ok ? tags.value : [] };
  }
  const keys = b['tagKeys'];
  if (keys !== undefined && (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string' && k.length >= 1 && k.length <= 128))) {
    problems.push(problem('tagKeys', `expected a list of tag keys (strings of 1-128 characters), got ${describe(keys)}`));
  } else if (Array.isArray(keys) && keys.length > 50) problems.push(problem('tagKeys', `at most 50 keys, got ${keys.length}`));
  if (problems.length > 0) throw badRequest(problems);
  return { action: 'untag', resourceArn: resourceArn!, tagKeys: (keys as string[] | undefined) ?? [] };
}

/** The error for a meshOwner that is not this control plane's account. */
export function checkMeshOwner(query: URLSearchParams, account: string): void {
  const owner = query.get('meshOwner');
  if (owner !== null && owner !== account) {
    throw new ApiError('ForbiddenException', `meshOwner ${owner} is not this control plane's account (${account}); meshes shared from other accounts are not supported`);
  }
}
