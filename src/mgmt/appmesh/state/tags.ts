import { fail, ok, problem, type Problem, type Result } from '../../../common/problem';
import { describe, isObject } from '../json-reader';
import type { Tag } from './state';

/**
 * Resource tags as App Mesh takes them: `[{key, value}]`, keys of 1-128
 * characters (not starting with "aws:", which AWS reserves), values of 0-256,
 * at most 50 per resource. Pure.
 */

export const MAX_TAGS = 50;

export type TagsRead = Result<Tag[]>;

/** A tag list from a request (`tags` of a create or tag-resource body). */
export function readTags(value: unknown, path = 'tags'): TagsRead {
  if (value === undefined || value === null) return ok([]);
  if (!Array.isArray(value)) return fail(problem(path, `expected a list of {"key", "value"}, got ${describe(value)}`));
  const problems: Problem[] = [];
  const tags: Tag[] = [];
  value.forEach((t, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(t)) {
      problems.push(problem(at, `expected {"key", "value"}, got ${describe(t)}`));
      return;
    }
    for (const k of Object.keys(t)) if (k !== 'key' && k !== 'value') problems.push(problem(`${at}.${k}`, 'unknown field (expected key, value)'));
    const key = t['key'];
    const val = t['value'] ?? '';
    if (typeof key !== 'string' || key.length < 1 || key.length > 128) problems.push(problem(`${at}.key`, `expected a string of 1-128 characters, got ${describe(key)}`));
    else if (key.toLowerCase().startsWith('aws:')) problems.push(problem(`${at}.key`, `"${key}" starts with "aws:", which is reserved`));
    if (typeof val !== 'string' || val.length > 256) problems.push(problem(`${at}.value`, `expected a string of 0-256 characters, got ${describe(val)}`));
    if (typeof key === 'string' && typeof val === 'string') {
      if (tags.some((x) => x.key === key)) problems.push(problem(`${at}.key`, `"${key}" is given twice`));
      else tags.push({ key, value: val });
    }
  });
  return problems.length > 0 ? fail(problems) : ok(tags);
}

/** `current` with `added` laid over it (same key: the new value). */
export function mergeTags(current: readonly Tag[], added: readonly Tag[]): Tag[] {
  const out = current.filter((t) => !added.some((a) => a.key === t.key));
  return [...out, ...added];
}
