import * as http2 from 'node:http2';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { grpcStatusHeaders } from '../common/grpc-status';
import { RST_NAMES, forgetSentHeaders, passHeaders } from './http2-headers';

/**
 * What a relayed stream tells its client: the management server's response
 * headers passed on, or a gRPC status of the relay's own (and the words for it).
 * Each function touches only the downstream stream it is given.
 */

const { NGHTTP2_CANCEL } = http2.constants;
/** How long a failed stream may take to deliver its trailers to a client that does not read. */
const TRAILER_GRACE_MS = 5000;

type DebugLog = (obj: object, msg: string) => void;

/** Pass the management server's response headers on; false if the client stream can no longer take them. */
export function respondDownstream(down: http2.ServerHttp2Stream, h: IncomingHttpHeaders, endStream: boolean, debug: DebugLog): boolean {
  if (down.destroyed || down.closed) return false;
  try {
    down.respond(passHeaders(h, true), endStream ? { endStream: true } : { waitForTrailers: true });
    forgetSentHeaders(down);
    return true;
  } catch (err) {
    debug({ err: (err as Error).message }, 'could not respond downstream');
    return false;
  }
}

/**
 * End the client's stream with a gRPC status: trailers-only when nothing was
 * sent yet, else as trailers (returned, for the 'wantTrailers' event) after the
 * data already written. A client that never reads is cut after a grace period.
 */
export function failDownstream(
  down: http2.ServerHttp2Stream,
  code: number,
  message: string,
  trailersOnly: boolean,
  debug: DebugLog,
): OutgoingHttpHeaders | undefined {
  down.setTimeout(0);
  if (down.destroyed || down.closed) return undefined;
  const status = grpcStatusHeaders(code, message);
  let pending: OutgoingHttpHeaders | undefined;
  try {
    if (trailersOnly && !down.headersSent) down.respond({ ':status': 200, 'content-type': 'application/grpc', ...status }, { endStream: true });
    else {
      pending = status;
      if (!down.writableEnded) down.end();
    }
  } catch (err) {
    debug({ err: (err as Error).message }, 'could not send status downstream');
  }
  const t = setTimeout(() => {
    if (!down.closed && !down.destroyed) down.close(NGHTTP2_CANCEL);
  }, TRAILER_GRACE_MS);
  t.unref();
  down.once('close', () => clearTimeout(t));
  return pending;
}

/** Why an upstream stream ended badly, in words for the client's grpc-message. */
export function upstreamLossMessage(sessionLost: string | undefined, upError: Error | undefined, rst: number): string {
  if (sessionLost !== undefined) return `relay: connection to the management server was lost (${sessionLost})`;
  // Node turns a reset with any code but NO_ERROR or CANCEL into ERR_HTTP2_STREAM_ERROR: the code itself says it plainly.
  const resetError = (upError as NodeJS.ErrnoException | undefined)?.code === 'ERR_HTTP2_STREAM_ERROR';
  if (upError && !(resetError && rst !== 0)) return `relay: upstream stream failed: ${upError.message}`;
  return `relay: the management server reset the stream (${RST_NAMES[rst] ?? rst})`;
}
