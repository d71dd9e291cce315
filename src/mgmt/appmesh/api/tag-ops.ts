import { KIND_INFO, describeResource, parseArn, type ResourceId, type ResourceKind } from '../resource-kinds';
import { findRecord, withList, type ControlPlaneState, type ResourceRecord } from '../state/state';
import { MAX_TAGS, mergeTags } from '../state/tags';
import { ApiError, badRequest } from './errors';
import { pageOf, parseLimit } from './paging';
import type { TagInput } from './request';
import type { Answer, ApiContext, ResourceMutation } from './resource-ops';

/**
 * TagResource, UntagResource and ListTagsForResource, by resource ARN. Tags
 * are stored with the resource (and persisted like any change) but are not
 * part of its spec: they change neither its version nor what Envoy gets.
 * Pure.
 */

const MAX_TAG_PAGE = 50;

function locate(ctx: ApiContext, state: ControlPlaneState, arn: string): { kind: ResourceKind; id: ResourceId; record: ResourceRecord } {
  const result = parseArn(arn);
  if (!result.ok) throw badRequest(result.problems.map((p) => ({ ...p, where: 'resourceArn' })));
  const parsed = result.value;
  const here = parsed.region === ctx.view.region && parsed.account === ctx.view.account;
  const record = here ? findRecord(state, parsed.kind, parsed.id) : undefined;
  if (!record) {
    const where = here ? '' : ` (this control plane holds region ${ctx.view.region}, account ${ctx.view.account})`;
    throw new ApiError('NotFoundException', `No ${describeResource(parsed.kind, parsed.id)} with ARN ${arn}${where}`);
  }
  return { kind: parsed.kind, id: parsed.id, record };
}

function withTags(state: ControlPlaneState, kind: ResourceKind, record: ResourceRecord, tags: ResourceRecord['tags']): ControlPlaneState {
  const list = KIND_INFO[kind].list;
  return withList(state, list, state.resources[list].map((r) => (r === record ? { ...r, tags } : r)));
}

export function listTags(ctx: ApiContext, state: ControlPlaneState, input: Extract<TagInput, { action: 'listTags' }>): Answer {
  const limit = parseLimit(input.limit, MAX_TAG_PAGE);
  const { record } = locate(ctx, state, input.resourceArn);
  const page = pageOf(record.tags, (t) => t.key, limit, input.nextToken);
  return { status: 200, body: { tags: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) } };
}

export function tagResource(ctx: ApiContext, input: Extract<TagInput, { action: 'tag' }>): ResourceMutation {
  return (state) => {
    try {
      const { kind, record } = locate(ctx, state, input.resourceArn);
      const tags = mergeTags(record.tags, input.tags);
      if (tags.length > MAX_TAGS) {
        return { kind: 'fail', error: new ApiError('TooManyTagsException', `The resource would have ${tags.length} tags; at most ${MAX_TAGS} are allowed`) };
      }
      return { kind: 'commit', state: withTags(state, kind, record, tags), value: { status: 200, body: {} } };
    } catch (e) {
      if (e instanceof ApiError) return { kind: 'fail', error: e };
      throw e;
    }
  };
}

export function untagResource(ctx: ApiContext, input: Extract<TagInput, { action: 'untag' }>): ResourceMutation {
  return (state) => {
    try {
      const { kind, record } = locate(ctx, state, input.resourceArn);
      const tags = record.tags.filter((t) => !input.tagKeys.includes(t.key));
      if (tags.length === record.tags.length) return { kind: 'answer', value: { status: 200, body: {} } };
      return { kind: 'commit', state: withTags(state, kind, record, tags), value: { status: 200, body: {} } };
    } catch (e) {
      if (e instanceof ApiError) return { kind: 'fail', error: e };
      throw e;
    }
  };
}
