import * as http2 from 'node:http2';
import * as net from 'node:net';
import type { Logger } from '../common/logger';
import { listenUnix, prepareSocketPath } from '../common/unix-socket';
import { HANDSHAKE_TIMEOUT_MS, guardClientSession } from './client-guard';
import { MAX_WINDOW } from './config';
import type { RelayMetrics } from './metrics';
import { HTTP1_REPLY, sniffPreface } from './preface-sniffer';
import { type SocketIdentity, type SocketPresence, identityOf, socketPresence } from './socket-presence';

/** How often the socket file is checked, to re-create it once it can be. */
const SOCKET_CHECK_MS = 1000;

export interface ListenerOptions {
  path: string;
  /** HTTP/2 stream window advertised to clients: the per-stream request buffer bound. */
  streamWindowBytes: number;
  /** HTTP/2 PING to each client this often (0 = never), and how long it has to answer. */
  keepaliveIntervalMs: number;
  keepaliveTimeoutMs: number;
  /** Default HANDSHAKE_TIMEOUT_MS (for the preface, then for the SETTINGS acknowledgement). */
  handshakeTimeoutMs?: number;
  log: Logger;
  metrics: RelayMetrics;
  onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void;
}

/**
 * The relay's Unix socket: mode 0600 from creation, h2c with prior knowledge.
 * Each connection is sniffed first; HTTP/1 gets a one-line 505 and garbage is
 * dropped, before an HTTP/2 session exists, so neither can hurt other streams.
 * A connection that does not finish its handshake in time, or stops answering
 * PINGs (which is also how a connection node:http2 gave up on after a protocol
 * error shows), is closed by the client guard.
 *
 * The socket file can vanish under a running relay (its directory removed):
 * existing connections live on, but no new client can connect. The listener
 * says so (`presence`) and binds a new socket once the path can take one.
 */
export class RelayListener {
  private server: net.Server | undefined;
  private bound: SocketIdentity | undefined;
  private checker: NodeJS.Timeout | undefined;
  private lastPresence: SocketPresence = 'PRESENT';
  private rebinding = false;
  private readonly h2: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private listening = false;

  constructor(private readonly opts: ListenerOptions) {
    this.h2 = http2.createServer({
      settings: { initialWindowSize: opts.streamWindowBytes, enablePush: false },
      maxSessionMemory: Math.ceil((4 * opts.streamWindowBytes) / 2 ** 20) + 64,
    });
    this.h2.on('session', (session) => this.adopt(session));
    this.h2.on('sessionError', (err) => opts.log.debug({ err: err.message }, 'client session error'));
    this.h2.on('stream', (stream, headers) => opts.onStream(stream, headers));
    this.h2.setTimeout(0);
  }

  async listen(): Promise<void> {
    await this.bind();
    this.listening = true;
    this.checker = setInterval(() => void this.recheck(), SOCKET_CHECK_MS);
    this.checker.unref();
  }

  /** Accepting, and the socket file is still ours: new clients can connect. */
  get isListening(): boolean {
    return this.listening && this.presence === 'PRESENT';
  }

  /** The socket file right now (asked of the file system: truthful whenever it is asked). */
  get presence(): SocketPresence {
    return this.bound ? socketPresence(this.opts.path, this.bound) : 'MISSING';
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /**
   * Stop accepting connections: the listening handle closes (and the socket
   * file goes) at once; open connections live on until drained.
   */
  stopAccepting(): void {
    if (!this.listening) return;
    this.listening = false;
    clearInterval(this.checker);
    // Closing a listening Unix socket unlinks its path: never do that to someone else's file.
    if (this.presence !== 'REPLACED') this.server?.close();
  }

  /** Tell every client to go elsewhere (GOAWAY); their open streams may finish. */
  goawayAll(): void {
    for (const s of this.sessions) {
      if (s.closed || s.destroyed) continue;
      try {
        s.goaway(http2.constants.NGHTTP2_NO_ERROR);
        s.close();
      } catch {
        /* already closing */
      }
    }
  }

  destroyAll(): void {
    for (const s of this.sessions) s.destroy();
  }

  private async bind(): Promise<void> {
    await prepareSocketPath(this.opts.path, 'APPNET_RELAY_LISTENER_UDS_PATH');
    const server = net.createServer((socket) => this.accept(socket));
    server.on('error', (err) => this.opts.log.error({ err: err.message }, 'listener error'));
    await listenUnix(server, this.opts.path, 0o600);
    this.server = server;
    this.bound = identityOf(this.opts.path);
  }

  /** Notice a socket file that went away or was replaced; bind a new one when the path is free again. */
  private async recheck(): Promise<void> {
    if (!this.listening) return;
    const now = this.presence;
    if (now !== this.lastPresence) {
      if (now !== 'PRESENT') this.opts.log.error({ socket: this.opts.path, presence: now }, 'the listening socket is gone: new clients cannot connect');
      this.lastPresence = now;
    }
    if (now !== 'MISSING' || this.rebinding) return;
    this.rebinding = true;
    try {
      this.server?.close(); // its path is gone already: nothing of anyone else's is unlinked
      this.server = undefined;
      await this.bind();
      this.lastPresence = 'PRESENT';
      this.opts.log.info({ socket: this.opts.path }, 'listening socket re-created');
    } catch (err) {
      this.opts.log.debug({ err: (err as Error).message }, 'cannot re-create the listening socket yet');
    } finally {
      this.rebinding = false;
    }
  }

  private get handshakeTimeoutMs(): number {
    return this.opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => undefined);
    sniffPreface(socket, this.handshakeTimeoutMs, (result) => {
      if (result === 'h2') {
        this.h2.emit('connection', socket);
        return;
      }
      this.opts.metrics.rejected.inc(result === 'http1' ? 'http1' : result === 'timeout' ? 'handshake_timeout' : 'bad_preface');
      this.opts.log.warn({ kind: result }, 'rejected a connection that does not speak HTTP/2 with prior knowledge');
      if (result === 'http1') socket.end(HTTP1_REPLY);
      else socket.destroy();
    });
  }

  private adopt(session: http2.ServerHttp2Session): void {
    this.sessions.add(session);
    session.on('error', (err) => this.opts.log.debug({ err: err.message }, 'client session error'));
    session.once('close', () => this.sessions.delete(session));
    guardClientSession(session, {
      handshakeTimeoutMs: this.handshakeTimeoutMs,
      keepaliveIntervalMs: this.opts.keepaliveIntervalMs,
      keepaliveTimeoutMs: this.opts.keepaliveTimeoutMs,
      onClose: (verdict, detail) => {
        this.opts.metrics.rejected.inc(verdict);
        this.opts.log.warn({ reason: detail }, 'closing a client connection');
      },
    });
    session.once('connect', () => {
      try {
        session.setLocalWindowSize(MAX_WINDOW);
      } catch {
        /* stream windows still apply */
      }
    });
  }
}
