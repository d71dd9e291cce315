import type * as http2 from 'node:http2';
import type { UpstreamState } from '../common/contracts/relay-status';
import { GrpcStatus } from '../common/grpc-status';
import { failDownstream } from './downstream-reply';
import type { Outcome } from './stream-lifecycle';

/**
 * Whether a new downstream stream is relayed, decided when it arrives and
 * before any per-stream state (RelayedStream, scanners, tracker) is built: a
 * refused stream costs its HTTP/2 stream and one answer, nothing more. After an
 * outage thousands of streams a second can arrive and be refused.
 *
 * Two reasons to refuse, in this order:
 *  - the upstream connection is down (NOT_CONNECTED: waiting to reconnect):
 *    refused at once with the reason, and without spending an admission token;
 *  - the admission rate (RELAY_MAX_NEW_STREAMS_PER_SECOND, a token bucket)
 *    would make the stream wait longer than the relay allows.
 * Otherwise the stream is admitted after `delayMs` (0: now) and holds its token
 * until it opens an upstream stream (given back if it ends before).
 */
export type Admission =
  | { admit: true; delayMs: number }
  | { admit: false; outcome: Extract<Outcome, 'rejected' | 'upstream_unavailable'>; message: string };

/** What admission asks of the upstream connection; both are side-effect free. */
export interface UpstreamAvailability {
  readonly state: UpstreamState;
  /** Why a new stream cannot have a connection now, in words for the client. */
  unavailableMessage(): string;
}

/**
 * The decision. Apart from `reserve` (taking the token is the admission) it
 * reads and changes nothing; `reserve` is not called when the upstream is down.
 * `reserve`: the delay in ms until a token is the stream's, or undefined when
 * that delay would be too long (TokenBucket.reserve).
 */
export function decideAdmission(upstream: UpstreamAvailability, reserve: () => number | undefined, limitText: string): Admission {
  if (upstream.state === 'NOT_CONNECTED') return { admit: false, outcome: 'upstream_unavailable', message: upstream.unavailableMessage() };
  const delayMs = reserve();
  if (delayMs === undefined) return { admit: false, outcome: 'rejected', message: `relay: too many new streams (${limitText}); retry later` };
  return { admit: true, delayMs };
}

const ignore = (): void => undefined;

/**
 * Answer a refused stream: trailers-only UNAVAILABLE with `message` (what a
 * relayed stream that fails before it opens upstream gets, so clients see no
 * difference). Its only state is downstream-reply's grace timer, which cuts a
 * client that never closes its side.
 */
export function refuseStream(down: http2.ServerHttp2Stream, message: string, debug: (obj: object, msg: string) => void): void {
  down.on('error', ignore);
  failDownstream(down, GrpcStatus.UNAVAILABLE, message, true, debug);
}
