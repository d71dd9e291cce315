import { describe, isObject } from '../json-reader';
import { KIND_INFO, RESOURCE_KINDS } from '../resource-kinds';
import { emptyLists, type ControlPlaneState, type ResourceRecord, type TokenRecord } from './state';
import { errorMessage, fail, ok, problem, type Problem, type Result } from '../../../common/problem';

/**
 * The stored form of the control plane's state (the data directory's state
 * file, and later any other store): one JSON document with a format marker.
 * `encodeState` and `decodeState` are the only writer and reader; the reader
 * checks every record so a damaged or foreign file is refused with what is
 * wrong, never half-loaded. Pure.
 */

export const STATE_FORMAT = 'appnet-mgmt/appmesh-state';
export const STATE_FORMAT_VERSION = 1;

export function encodeState(state: ControlPlaneState): string {
  return JSON.stringify({ format: STATE_FORMAT, formatVersion: STATE_FORMAT_VERSION, ...state }, null, 1) + '\n';
}

export type DecodedState = Result<ControlPlaneState>;

const isCount = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function readRecord(v: unknown, at: string, problems: Problem[]): ResourceRecord | undefined {
  if (!isObject(v)) {
    problems.push(problem(at, `expected a resource record, got ${describe(v)}`));
    return undefined;
  }
  const before = problems.length;
  if (!isObject(v['body'])) problems.push(problem(`${at}.body`, 'expected an object'));
  if (!Array.isArray(v['tags']) || !v['tags'].every((t) => isObject(t) && typeof t['key'] === 'string' && typeof t['value'] === 'string')) {
    problems.push(problem(`${at}.tags`, 'expected a list of {"key", "value"} strings'));
  }
  if (typeof v['uid'] !== 'string' || v['uid'] === '') problems.push(problem(`${at}.uid`, 'expected a non-empty string'));
  if (!isCount(v['version'], 1)) problems.push(problem(`${at}.version`, 'expected an integer >= 1'));
  if (!isTime(v['createdAt']) || !isTime(v['lastUpdatedAt'])) problems.push(problem(at, 'createdAt and lastUpdatedAt must be times in ms'));
  if (problems.length > before) return undefined;
  return {
    body: v['body'] as ResourceRecord['body'],
    tags: (v['tags'] as Array<{ key: string; value: string }>).map((t) => ({ key: t.key, value: t.value })),
    uid: v['uid'] as string,
    version: v['version'] as number,
    createdAt: v['createdAt'] as number,
    lastUpdatedAt: v['lastUpdatedAt'] as number,
  };
}

export function decodeState(text: string): DecodedState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(problem('', `not JSON: ${errorMessage(e)}`));
  }
  if (!isObject(doc) || doc['format'] !== STATE_FORMAT) return fail(problem('format', `not an appnet-mgmt state document (no "format": "${STATE_FORMAT}")`));
  if (doc['formatVersion'] !== STATE_FORMAT_VERSION) {
    return fail(problem('formatVersion', `${describe(doc['formatVersion'])} is not one this version reads (${STATE_FORMAT_VERSION})`));
  }
  const problems: Problem[] = [];
  if (!isCount(doc['revision'], 0)) problems.push(problem('revision', 'expected an integer >= 0'));
  const resources = emptyLists();
  const raw = isObject(doc['resources']) ? doc['resources'] : {};
  if (!isObject(doc['resources'])) problems.push(problem('resources', 'expected an object of resource lists'));
  for (const kind of RESOURCE_KINDS) {
    const list = KIND_INFO[kind].list;
    const items = raw[list] ?? [];
    if (!Array.isArray(items)) {
      problems.push(problem(`resources.${list}`, 'expected a list'));
      continue;
    }
    items.forEach((item, i) => {
      const r = readRecord(item, `resources.${list}[${i}]`, problems);
      if (r) resources[list].push(r);
    });
  }
  const endpoints = doc['endpoints'] ?? {};
  if (!isObject(endpoints) || !Object.values(endpoints).every((l) => Array.isArray(l) && l.every((e) => typeof e === 'string'))) {
    problems.push(problem('endpoints', 'expected an object of string lists'));
  }
  const tokens = doc['tokens'] ?? [];
  if (!Array.isArray(tokens) || !tokens.every((t) => isObject(t) && typeof t['token'] === 'string' && typeof t['fingerprint'] === 'string')) {
    problems.push(problem('tokens', 'expected a list of {"token", "fingerprint"}'));
  }
  if (problems.length > 0) return fail(problems);
  return ok({
      revision: doc['revision'] as number,
      resources,
      endpoints: endpoints as Record<string, string[]>,
      tokens: (tokens as TokenRecord[]).map((t) => ({ token: t.token, fingerprint: t.fingerprint })),
  });
}
