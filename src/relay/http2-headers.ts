import type * as http2 from 'node:http2';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';

/** HTTP/2 RST_STREAM / GOAWAY error code names, by number. */
export const RST_NAMES = ['NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED', 'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED'];

/**
 * Let go of Node's copy of the headers a stream has sent. Node 20 keeps it (a
 * null-prototype object in V8's dictionary mode, about 1 KiB with the SigV4
 * headers) only for the informational `sentHeaders` getter, for the stream's
 * whole life; for hours-long xDS streams that is the largest per-stream cost.
 * Newer Node builds that object lazily instead. If the internal field is ever
 * renamed, this does nothing.
 */
export function forgetSentHeaders(stream: http2.Http2Stream): void {
  const key = Object.getOwnPropertySymbols(stream).find((k) => k.description === 'sent-headers');
  if (key) (stream as unknown as Record<symbol, unknown>)[key] = undefined;
}

/** Response/trailer headers that must not cross the relay. */
export function passHeaders(h: IncomingHttpHeaders, keepStatus: boolean): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || (k.startsWith(':') && !(keepStatus && k === ':status'))) continue;
    if (k === 'connection' || k === 'keep-alive' || k === 'transfer-encoding') continue;
    out[k] = v;
  }
  return out;
}

