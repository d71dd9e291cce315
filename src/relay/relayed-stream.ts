import * as http2 from 'node:http2';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { GrpcMessageScanner, type ScanSink, type ScannedMessage } from './grpc-scanner';
import type { Direction } from './metrics';
import { INITIAL, type LifecycleAction, type LifecycleEvent, type LifecycleState, transition } from './stream-lifecycle';
import { type StreamKind, envelopePlan, streamKindForPath } from './xds-envelope';
import type { RelayedStreamDeps, StreamView } from './relayed-stream-types';
export type { RelayedStreamDeps, StreamView } from './relayed-stream-types';
import { XdsStreamTracker } from './xds-tracker';
import { forgetSentHeaders, passHeaders } from './http2-headers';
import { failDownstream, respondDownstream, upstreamLossMessage } from './downstream-reply';
import * as L from './stream-listeners';
import { type IdleClock, idleExpired, newIdleClock } from './idle-sweep';

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, NGHTTP2_FLAG_END_STREAM } = http2.constants;
/** Request bytes kept for a transparent retry of a refused stream, until the response starts. */
const REPLAY_LIMIT = 256 * 1024;

/**
 * One downstream gRPC stream relayed to one upstream stream. Bytes pass through
 * untouched (HTTP/2 flow control end to end); a scanner reads the xDS envelope
 * on the side. Everything that can go wrong ends in a gRPC status for the client.
 * Socket events are translated into lifecycle events; the lifecycle's actions
 * are carried out here (stream-lifecycle.ts decides, this file does).
 */
export class RelayedStream implements ScanSink<Direction> {
  readonly path: string;
  readonly kind: StreamKind;
  readonly tracker = new XdsStreamTracker();
  private readonly startedAt = Date.now();
  private state: LifecycleState = INITIAL;
  private session: http2.ClientHttp2Session | undefined;
  /** Needed to sign (and re-sign for a retry); dropped once the response starts. */
  private requestHeaders: IncomingHttpHeaders | undefined;
  private signed: OutgoingHttpHeaders | undefined;
  private up: http2.ClientHttp2Stream | undefined;
  private responseHeaders: IncomingHttpHeaders | undefined;
  private upTrailers: IncomingHttpHeaders | undefined;
  private upError: Error | undefined;
  private pendingTrailers: OutgoingHttpHeaders | undefined;
  private replay: Buffer[] | null = [];
  private replayBytes = 0;
  private downEnded = false;
  private waitingUpDrain = false;
  private waitingDownDrain = false;
  private admitTimer: NodeJS.Timeout | undefined;
  /** Admitted, and no upstream stream opened yet: the admission is given back if it ends so. */
  private holdsAdmission = false;
  private readonly reqScanner: GrpcMessageScanner<Direction>;
  private readonly resScanner: GrpcMessageScanner<Direction>;
  private bytesIn = 0;
  /** Set when RELAY_STREAM_IDLE_TIMEOUT is on. */
  private idleClock: IdleClock | undefined;
  private bytesOut = 0;
  private msgsIn = 0;
  private msgsOut = 0;

  constructor(
    readonly id: number,
    private readonly down: http2.ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    private readonly deps: RelayedStreamDeps,
  ) {
    this.requestHeaders = headers;
    this.path = String(headers[':path'] ?? '/');
    this.kind = streamKindForPath(this.path);
    this.reqScanner = new GrpcMessageScanner(envelopePlan(this.kind, 'request'), this, 'downstream_to_upstream', deps.capturePool);
    this.resScanner = new GrpcMessageScanner(envelopePlan(this.kind, 'response'), this, 'upstream_to_downstream', deps.capturePool);
  }

  /** Relay from now on; `delayMs`: when its admission token is its own (stream-admission.ts decided before it was built). */
  start(delayMs: number): void {
    const { down, deps } = this;
    (down as L.Owned)[L.OWNER] = this;
    down.on('error', L.onDownError);
    down.on('close', L.onDownClose);
    down.on('wantTrailers', L.onDownWantTrailers);
    down.on('end', L.onDownEnd);
    // No 'data' listener until an upstream stream exists: HTTP/2 flow control holds the client.
    if (deps.idleTimeoutMs > 0) this.idleClock = newIdleClock(0, performance.now()); // the relay's idle sweep reads it
    this.holdsAdmission = true;
    if (delayMs === 0) return this.dispatch({ type: 'admitted' });
    this.admitTimer = setTimeout(() => this.dispatch({ type: 'admitted' }), delayMs);
  }

  /** End the stream because the relay is shutting down. */
  shutdown(message: string): void {
    this.dispatch({ type: 'shutdown', message });
  }

  get closed(): boolean {
    return this.state.phase === 'closed';
  }

  view(now = Date.now()): StreamView {
    return {
      id: this.id,
      path: this.path,
      kind: this.kind,
      phase: this.state.phase,
      node: this.tracker.node ?? null,
      startedAt: new Date(this.startedAt).toISOString(),
      ageSeconds: Math.round((now - this.startedAt) / 1000),
      bytes: { fromClient: this.bytesIn, toClient: this.bytesOut },
      messages: { fromClient: this.msgsIn, toClient: this.msgsOut },
      types: this.tracker.types(),
      status: this.state.status ?? null,
    };
  }

  private dispatch(event: LifecycleEvent): void {
    const wasClosed = this.state.phase === 'closed';
    const t = transition(this.state, event);
    this.state = t.state;
    for (const a of t.actions) this.perform(a);
    if (!wasClosed && this.state.phase === 'closed') this.finished();
  }

  private perform(a: LifecycleAction): void {
    switch (a.type) {
      case 'connect': // again for a refused stream: the slot on its old connection is given back
        if (this.session) this.deps.upstream.release(this.session, this);
        this.session = undefined;
        this.deps.upstream.acquire().then(
          (session) => {
            if (this.closed) return this.deps.upstream.release(session, this);
            this.session = session;
            this.dispatch({ type: 'connected' });
          },
          (err: Error) => this.dispatch({ type: 'upstream_unavailable', message: err.message }),
        );
        return;
      case 'sign': // an xDS stream has its envelope codec before it reads a message (loaded by the first one)
        (this.kind === 'opaque' ? Promise.resolve() : this.deps.codec.load()).then(() => this.deps.signer.sign(this.path, this.requestHeaders ?? {})).then(
          (h) => {
            this.signed = h;
            this.dispatch({ type: 'signed' });
          },
          (err: Error) => this.dispatch({ type: 'credentials_failed', message: `relay: ${err.message}` }),
        );
        return;
      case 'open_upstream':
        return this.openUpstream();
      case 'forward_headers':
        return this.forwardHeaders(a.endStream);
      case 'forward_trailers':
        this.pendingTrailers = passHeaders(this.upTrailers ?? {}, false);
        if (!this.down.destroyed && !this.down.writableEnded) this.down.end();
        return;
      case 'fail_downstream':
        return this.failDownstream(a.code, a.message, a.trailersOnly);
      case 'cancel_upstream':
        this.stopUpToDown();
        if (this.up && !this.up.destroyed) this.up.close(NGHTTP2_CANCEL);
        return;
    }
  }

  private openUpstream(): void {
    const headers = { ...this.signed, ':method': 'POST', ':path': this.path, ':authority': this.deps.authority, ':scheme': this.deps.scheme };
    this.signed = undefined; // Node keeps the object it sends; no second copy here
    let up: http2.ClientHttp2Stream;
    try {
      up = this.session!.request(headers);
    } catch (err) {
      // The session started closing between acquire() and now: nothing was sent.
      return this.dispatch({ type: 'upstream_refused', message: `relay: ${(err as Error).message}`, replayable: this.replay !== null });
    }
    this.up = up;
    this.holdsAdmission = false;
    this.upTrailers = undefined;
    this.upError = undefined;
    (up as L.Owned)[L.OWNER] = this;
    up.on('response', L.onUpResponse);
    up.on('trailers', L.onUpTrailers);
    up.on('end', L.onUpEnd);
    up.on('error', L.onUpError);
    up.on('close', L.onUpClose);
    // Replay what the client sent before a refused attempt, then let it flow. A
    // 'drain' the refused stream was awaited for never comes: forget it, or no
    // write would ever pause the client again. If the replay alone fills the
    // new stream's buffer, the client stays paused until that stream drains.
    this.waitingUpDrain = false;
    let full = false;
    for (const chunk of this.replay ?? []) full = !up.write(chunk);
    if (this.downEnded) up.end();
    else if (full) {
      this.waitingUpDrain = true;
      up.once('drain', L.onUpDrain);
    } else if (this.down.listenerCount('data') === 0) this.down.on('data', L.onDownData);
    else this.down.resume();
  }

  private lossMessage(rst: number): string {
    const lost = this.session?.destroyed ? this.deps.upstream.lossReason(this.session, this.upError) : undefined;
    return upstreamLossMessage(lost, this.upError, rst);
  }

  private forwardHeaders(endStream: boolean): void {
    const h = this.responseHeaders ?? {};
    this.responseHeaders = undefined;
    if (!respondDownstream(this.down, h, endStream, this.debugLog()) || endStream) return;
    this.up!.on('data', L.onUpData);
    this.down.on('drain', L.onDownDrain);
  }

  private failDownstream(code: number, message: string, trailersOnly: boolean): void {
    this.stopUpToDown();
    const trailers = failDownstream(this.down, code, message, trailersOnly, this.debugLog());
    if (trailers) this.pendingTrailers = trailers;
  }

  /** Passed to the reply helpers; built only when a reply is made, so an idle stream holds no closure for it. */
  private debugLog(): (obj: object, msg: string) => void {
    return (obj, msg) => this.deps.log.debug({ stream: this.id, ...obj }, msg);
  }

  /** What this stream holds of the management server's data (BufferHolder, upstream-buffer-cap.ts). */
  heldBytes(): number {
    return (this.up?.readableLength ?? 0) + this.down.writableLength;
  }

  private stopUpToDown(): void {
    this.up?.removeListener('data', L.onUpData);
    this.down.removeListener('drain', L.onDownDrain);
  }

  private finished(): void {
    const s = this.state;
    this.requestHeaders = undefined;
    this.replay = null;
    if (this.session) this.deps.upstream.release(this.session, this);
    if (this.holdsAdmission) this.deps.release();
    this.holdsAdmission = false;
    this.deps.metrics.streamEnded(s.outcome!, (Date.now() - this.startedAt) / 1000);
    const level = s.outcome === 'ok' || s.outcome === 'cancelled' || s.outcome === 'shutdown' ? 'debug' : 'info';
    this.deps.log[level]({ stream: this.id, path: this.path, node: this.tracker.node?.id, outcome: s.outcome, status: s.status }, 'stream ended');
  }

  // ---- socket events (called by the shared listeners above) ----

  handleDownClose(): void {
    this.dispatch({ type: 'downstream_cancelled' });
    if (this.admitTimer) clearTimeout(this.admitTimer);
    this.deps.onClosed(this);
  }

  handleStreamError(side: string, err: Error): void {
    this.deps.log.debug({ stream: this.id, err: err.message }, `${side} stream error`);
  }

  handleWantTrailers(): void {
    try {
      this.down.sendTrailers(this.pendingTrailers ?? {});
    } catch (err) {
      this.deps.log.debug({ stream: this.id, err: (err as Error).message }, 'could not send trailers');
    }
  }

  handleDownEnd(): void {
    this.downEnded = true;
    if (this.up && !this.up.destroyed) this.up.end();
  }

  /** The relay's idle sweep (idle-sweep.ts): end the stream once no byte moved either way for RELAY_STREAM_IDLE_TIMEOUT. */
  checkIdle(now: number): void {
    const c = this.idleClock;
    if (!c || this.state.phase === 'closed') return;
    if (!idleExpired(c, this.bytesIn + this.bytesOut, now, this.deps.idleTimeoutMs)) return;
    this.dispatch({
      type: 'idle_timeout',
      message: `relay: no data in either direction for ${this.deps.idleTimeoutMs / 1000}s (RELAY_STREAM_IDLE_TIMEOUT); reconnect`,
    });
  }


  handleDownData(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    this.deps.metrics.hot.bytes.downstream_to_upstream += chunk.length;
    this.reqScanner.push(chunk);
    if (this.replay) {
      this.replay.push(chunk);
      this.replayBytes += chunk.length;
      if (this.replayBytes > REPLAY_LIMIT) this.replay = null;
    }
    const up = this.up;
    if (!up || up.destroyed) {
      this.down.pause();
      return;
    }
    if (!up.write(chunk) && !this.waitingUpDrain) {
      this.waitingUpDrain = true;
      this.down.pause();
      up.once('drain', L.onUpDrain);
    }
  }

  handleUpDrain(up: http2.ClientHttp2Stream): void {
    this.waitingUpDrain = false;
    if (this.up === up) this.down.resume();
  }

  handleDownDrain(): void {
    if (!this.waitingDownDrain) return;
    this.waitingDownDrain = false;
    this.up?.resume();
  }

  handleUpResponse(up: http2.ClientHttp2Stream, h: IncomingHttpHeaders, flags: number): void {
    if (this.up !== up) return;
    this.responseHeaders = h;
    this.replay = null; // the server has the request now: no more retries
    this.requestHeaders = undefined;
    forgetSentHeaders(up);
    const code = h['grpc-status'];
    this.dispatch({
      type: 'response_headers',
      endStream: (flags & NGHTTP2_FLAG_END_STREAM) !== 0,
      ...(code !== undefined ? { grpcStatus: Number(code) } : {}),
      ...(h['grpc-message'] !== undefined ? { grpcMessage: String(h['grpc-message']) } : {}),
    });
  }

  handleUpTrailers(up: http2.ClientHttp2Stream, h: IncomingHttpHeaders): void {
    if (this.up === up) this.upTrailers = h;
  }

  handleUpEnd(up: http2.ClientHttp2Stream): void {
    if (this.up !== up) return;
    const t = this.upTrailers;
    if (t?.['grpc-status'] === undefined) {
      // Without trailers, 'end' may just mean the stream was reset or the connection died: 'close' decides.
      // But a stream still open here ended cleanly (END_STREAM on DATA, no status), and its 'close' would
      // wait for the client to finish its side too, which an xDS client never does: decide now.
      if (!up.closed && !up.destroyed && !this.session?.destroyed) this.dispatch({ type: 'upstream_finished' });
      return;
    }
    this.dispatch({
      type: 'upstream_finished',
      grpcStatus: Number(t['grpc-status']),
      ...(t['grpc-message'] !== undefined ? { grpcMessage: String(t['grpc-message']) } : {}),
    });
  }

  handleUpError(up: http2.ClientHttp2Stream, err: Error): void {
    if (this.up === up) this.upError = err;
  }

  handleUpClose(up: http2.ClientHttp2Stream): void {
    if (this.up !== up || this.state.phase === 'closed') return;
    const rst = up.rstCode ?? 0;
    const refused = rst === NGHTTP2_REFUSED_STREAM || (this.upError as NodeJS.ErrnoException | undefined)?.code === 'ERR_HTTP2_GOAWAY_SESSION';
    if (refused && this.state.phase === 'awaiting_response') {
      this.up = undefined;
      this.down.pause();
      return this.dispatch({ type: 'upstream_refused', message: 'relay: the management server refused the stream', replayable: this.replay !== null });
    }
    if (rst === 0 && !this.upError && !this.session?.destroyed && this.state.phase === 'streaming') {
      return this.dispatch({ type: 'upstream_finished' }); // a clean end without grpc-status
    }
    this.dispatch({ type: 'upstream_failed', message: this.lossMessage(rst) });
  }

  handleUpData(chunk: Buffer): void {
    this.bytesOut += chunk.length;
    this.deps.metrics.hot.bytes.upstream_to_downstream += chunk.length;
    this.resScanner.push(chunk);
    if (!this.down.write(chunk) && !this.waitingDownDrain) {
      this.waitingDownDrain = true;
      this.up?.pause();
      this.deps.upstream.bufferCap(this.session!)?.add(this); // its client is behind: counted against the connection's cap
    }
  }

  /** A whole gRPC message went by (ScanSink). */
  onScanned(direction: Direction, m: ScannedMessage): void {
    const { metrics, log, codec: { current: codec } } = this.deps;
    metrics.hot.messages[direction]++;
    metrics.messageSize.observe(direction, m.size);
    if (direction === 'upstream_to_downstream') {
      this.msgsOut++;
      const r = codec?.decodeResponse(this.kind, m);
      if (r) this.tracker.onResponse(r);
      return;
    }
    this.msgsIn++;
    const r = codec?.decodeRequest(this.kind, m);
    if (!r) return;
    if (this.tracker.onRequest(r) === 'nack') {
      metrics.nacks.inc(r.typeUrl);
      log.info({ stream: this.id, node: this.tracker.node?.id, typeUrl: r.typeUrl, nonce: r.responseNonce, error: r.errorDetail?.message }, 'client NACKed a config');
    }
  }
}
