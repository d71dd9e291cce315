import type { z } from 'zod';
import {
  RelayStatusSchema,
  type CredentialStatus,
  type NackInfo,
  type NodeSummary,
  type RelayStatus,
  type StreamView,
  type TypeView,
  type UpstreamStatus,
} from '../common/contracts/relay-status';
import { isObject as isObj } from '../common/json-object';

/**
 * The relay's /status as the CLI reads it: parsed with the document's one
 * definition (src/common/contracts/relay-status.ts), so what the relay builds
 * and what the CLI expects cannot drift apart.
 */

export type RelayDoc = RelayStatus;
export type StreamDoc = StreamView;
export type TypeDoc = TypeView;
export type NackDoc = NackInfo;
export type NodeDoc = NodeSummary;
export type UpstreamDoc = UpstreamStatus;
export type CredentialsDoc = CredentialStatus;

/** The answer is JSON but not the document asked for. */
export class NotThatDocumentError extends Error {
  override readonly name = 'NotThatDocumentError';
}

/** "activeStreams[0].types[1].state: Invalid option ..." for the first few problems. */
export function issuesText(error: z.ZodError, most = 3): string {
  const shown = error.issues.slice(0, most).map((i) => `${i.path.map(String).join('.') || '(document)'}: ${i.message}`);
  const more = error.issues.length > most ? ` (and ${error.issues.length - most} more)` : '';
  return shown.join('; ') + more;
}

/** Parsed JSON -> RelayDoc; NotThatDocumentError when it is not a relay's /status (e.g. an agent's). */
export function readRelayDocument(v: unknown): RelayDoc {
  if (!isObj(v)) throw new NotThatDocumentError('the answer is not a JSON object');
  if (!Array.isArray(v['activeStreams']) || !isObj(v['upstream']) || typeof v['healthStatus'] !== 'string') {
    if ('envoyState' in v) throw new NotThatDocumentError("this is an appnet-agent's /status, not a relay's: use --agent");
    throw new NotThatDocumentError('the answer is not an appnet-relay /status document (no healthStatus, upstream and activeStreams)');
  }
  const parsed = RelayStatusSchema.safeParse(v);
  if (!parsed.success) throw new NotThatDocumentError(`the relay's /status is not what this version reads: ${issuesText(parsed.error)}`);
  return parsed.data;
}
