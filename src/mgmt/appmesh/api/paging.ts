import { ApiError } from './errors';

/**
 * List paging as App Mesh does it: at most `limit` items per page (1-100 for
 * resources, 1-50 for tags; 100 and 50 when absent), and a `nextToken` when
 * more follow. Items are listed in name order and the token carries the last
 * name returned, so a page boundary stays right while resources come and go.
 * Pure.
 */

export interface Page<T> {
  items: T[];
  nextToken: string | undefined;
}

export function parseLimit(raw: string | null, max: number): number {
  if (raw === null) return max;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new ApiError('BadRequestException', `limit: expected an integer 1-${max}, got ${JSON.stringify(raw.slice(0, 40))}`);
  return n;
}

function encodeToken(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (typeof v === 'object' && v !== null && typeof (v as { after?: unknown }).after === 'string') return (v as { after: string }).after;
  } catch {
    // fall through
  }
  throw new ApiError('BadRequestException', 'nextToken: not a token this API returned');
}

/** One page of `items` (any order in; sorted by `key`). */
export function pageOf<T>(items: readonly T[], key: (item: T) => string, limit: number, nextToken: string | null): Page<T> {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const after = nextToken === null || nextToken === '' ? undefined : decodeToken(nextToken);
  const rest = after === undefined ? sorted : sorted.filter((i) => key(i) > after);
  const page = rest.slice(0, limit);
  return { items: page, nextToken: rest.length > limit ? encodeToken(key(page[page.length - 1]!)) : undefined };
}
