import type * as grpc from '@grpc/grpc-js';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type * as http2 from 'node:http2';
import type { VerifyFailure, VerifyResult } from '../sigv4/verify';
import { errorMessage } from '../common/problem';

/**
 * HACK, on grpc-js internals (checked against @grpc/grpc-js 1.14.7).
 *
 * A SigV4 signature covers headers that grpc-js strips before a handler sees the
 * call metadata (content-type, te, grpc-timeout, grpc-accept-encoding...), so the
 * signature must be checked on the raw HTTP/2 headers. grpc-js has no public
 * hook for them. Server#createHttp2Server (a method, called for every bound
 * port) creates the node:http2 server and registers grpc-js' own 'stream'
 * listener; wrapping it lets us prepend a listener that runs first on every
 * stream. That listener verifies the raw headers and writes the verdict into a
 * private header of the same headers object, which grpc-js then turns into call
 * metadata. Any client-sent value of that header is deleted first, and the
 * verdict carries a random per-server token, so a forged header is worthless
 * even if the deletion stopped working.
 *
 * If grpc-js changes so that the hook no longer runs, the handler finds no
 * verdict (or no valid token) and the reader reports a failure: never a success.
 * test/integration/mgmt-server.test.ts covers both the signed and the forged case.
 */
export const VERDICT_HEADER = 'appnet-sigv4-verdict';

interface PatchableServer {
  createHttp2Server?: (this: unknown, credentials: unknown) => http2.Http2Server | http2.Http2SecureServer;
}

export type VerdictReader = (metadata: grpc.Metadata) => VerifyResult;

/**
 * Install before bindAsync. A throw from `inspect` becomes a failed verdict.
 * Returns the function that reads a call's verdict from its metadata.
 */
export function installRawHeaderVerifier(server: grpc.Server, inspect: (headers: http2.IncomingHttpHeaders) => VerifyResult): VerdictReader {
  const token = randomBytes(16).toString('hex');
  const patchable = server as unknown as PatchableServer;
  const original = patchable.createHttp2Server;
  if (typeof original !== 'function') {
    throw new Error('@grpc/grpc-js no longer has Server#createHttp2Server: SigV4 verification on raw headers cannot be installed');
  }
  patchable.createHttp2Server = function (this: unknown, credentials: unknown) {
    const h2 = original.call(this, credentials);
    h2.prependListener('stream', (_stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
      delete headers[VERDICT_HEADER];
      let verdict: VerifyResult;
      try {
        verdict = inspect(headers);
      } catch (e) {
        verdict = { ok: false, failure: 'rejected', reason: `internal error while verifying SigV4: ${errorMessage(e)}` };
      }
      headers[VERDICT_HEADER] = Buffer.from(JSON.stringify({ token, verdict }), 'utf8').toString('base64');
    });
    return h2;
  };
  return (metadata) => readVerdict(metadata, token);
}

const MISSING: VerifyResult = {
  ok: false,
  failure: 'rejected',
  reason: 'no SigV4 verdict for this stream (the raw-header hook did not run; has @grpc/grpc-js changed?)',
};

const FAILURES: readonly VerifyFailure[] = ['missing', 'malformed', 'unknown-key', 'rejected'];

function sameToken(a: unknown, b: string): boolean {
  if (typeof a !== 'string') return false;
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** The verdict the hook left in the call metadata; anything odd counts as a failure. */
export function readVerdict(metadata: grpc.Metadata, token: string): VerifyResult {
  const values = metadata.get(VERDICT_HEADER);
  if (values.length !== 1 || typeof values[0] !== 'string') return MISSING;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(values[0], 'base64').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return MISSING;
    const outer = parsed as Record<string, unknown>;
    if (!sameToken(outer['token'], token) || typeof outer['verdict'] !== 'object' || outer['verdict'] === null) return MISSING;
    const v = outer['verdict'] as Record<string, unknown>;
    if (v['ok'] === true && typeof v['accessKeyId'] === 'string') return { ok: true, accessKeyId: v['accessKeyId'] };
    if (v['ok'] === false && typeof v['reason'] === 'string') {
      const failure = FAILURES.find((f) => f === v['failure']) ?? 'rejected';
      return typeof v['accessKeyId'] === 'string'
        ? { ok: false, reason: v['reason'], failure, accessKeyId: v['accessKeyId'] }
        : { ok: false, reason: v['reason'], failure };
    }
    return MISSING;
  } catch {
    return MISSING;
  }
}
