import type * as http2 from 'node:http2';
import type { IncomingHttpHeaders } from 'node:http2';
import type { RelayedStream } from './relayed-stream';

// Listeners are shared module functions (no closure per stream: thousands of idle
// streams each save a dozen). `this` is the HTTP/2 stream; OWNER leads back.
export const OWNER = Symbol('appnet.relayedStream');
export type Owned = { [OWNER]?: RelayedStream };
const owner = (s: unknown): RelayedStream => (s as Owned)[OWNER]!;
export function onDownClose(this: http2.ServerHttp2Stream): void {
  owner(this).handleDownClose();
}
export function onDownError(this: http2.ServerHttp2Stream, err: Error): void {
  owner(this).handleStreamError('downstream', err);
}
export function onDownWantTrailers(this: http2.ServerHttp2Stream): void {
  owner(this).handleWantTrailers();
}
export function onDownEnd(this: http2.ServerHttp2Stream): void {
  owner(this).handleDownEnd();
}
export function onDownData(this: http2.ServerHttp2Stream, chunk: Buffer): void {
  owner(this).handleDownData(chunk);
}
export function onDownDrain(this: http2.ServerHttp2Stream): void {
  owner(this).handleDownDrain();
}
export function onUpResponse(this: http2.ClientHttp2Stream, h: IncomingHttpHeaders, flags: number): void {
  owner(this).handleUpResponse(this, h, flags);
}
export function onUpTrailers(this: http2.ClientHttp2Stream, h: IncomingHttpHeaders): void {
  owner(this).handleUpTrailers(this, h);
}
export function onUpEnd(this: http2.ClientHttp2Stream): void {
  owner(this).handleUpEnd(this);
}
export function onUpError(this: http2.ClientHttp2Stream, err: Error): void {
  owner(this).handleUpError(this, err);
}
export function onUpClose(this: http2.ClientHttp2Stream): void {
  owner(this).handleUpClose(this);
}
export function onUpData(this: http2.ClientHttp2Stream, chunk: Buffer): void {
  owner(this).handleUpData(chunk);
}
export function onUpDrain(this: http2.ClientHttp2Stream): void {
  owner(this).handleUpDrain(this);
}

