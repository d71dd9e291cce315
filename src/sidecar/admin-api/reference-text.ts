import type * as http from 'node:http';
import { sendText } from '../../admin/server';

/**
 * An error answer whose first line is the reference agent's message, exactly
 * (scripts and runbooks match on it); what appnet can add about the cause
 * comes on the following lines.
 */
export function sendReferenceError(res: http.ServerResponse, status: number, referenceLine: string, detail?: string, headers: http.OutgoingHttpHeaders = {}): void {
  sendText(res, status, `${referenceLine}\n${detail ? `${detail}\n` : ''}`, headers);
}

/**
 * A query as Go prints url.Values with %v: `map[a:[1 3] b:[2]]`, keys sorted,
 * a key without a value shown as `[]`. The reference puts this in its
 * "Unexpected query parameters" message.
 */
export function goQueryValues(q: URLSearchParams): string {
  const keys = [...new Set(q.keys())].sort();
  return `map[${keys.map((k) => `${k}:[${q.getAll(k).join(' ')}]`).join(' ')}]`;
}
