import * as http2 from 'node:http2';
import { jitterDown } from '../common/backoff';
import type { Logger } from '../common/logger';
import type { UpstreamConfig } from './config';
import { hostPort } from './upstream-addresses';
import { type CapState, UpstreamBufferCap } from './upstream-buffer-cap';
import { describeConnectError } from './upstream-errors';
import { startKeepalive } from './upstream-keepalive';

const RECYCLE_JITTER = 0.1;

/** What one connection tells the pool (upstream.ts) about itself. */
export interface ConnectionEvents {
  /** Something went wrong on it (an error, a GOAWAY with an error code, a keepalive timeout): the pool's lastError. */
  trouble(c: UpstreamConnection, message: string): void;
  /** The server sent GOAWAY: no new streams on it. */
  goaway(c: UpstreamConnection, code: number): void;
  /** RELAY_MAX_CONNECTION_DURATION (jittered) has passed: time to drain it. */
  aged(c: UpstreamConnection): void;
  /** It closed (after it was set up); `lost`: not while draining, so its streams were cut. */
  closed(c: UpstreamConnection, lost: boolean): void;
  bufferCap?(state: CapState, heldBytes: number): void;
}

export interface ConnectionSettings {
  cfg: UpstreamConfig;
  streamWindowBytes: number;
  connectionBufferBytes: number;
  log: Logger;
  random: () => number;
  events: ConnectionEvents;
}

export type ConnectionPhase = 'connecting' | 'open' | 'draining' | 'closed';

/**
 * One of the relay's HTTP/2 connections to the management server, from the
 * attempt to its close: the streams the pool gave it, its keepalive, its
 * buffer cap (upstream-buffer-cap.ts), its recycle timer (the max connection
 * duration minus up to 10 % jitter, drawn per connection so that connections
 * opened together do not all recycle at once), and why it ended when it was
 * seen (a GOAWAY with an error code, a keepalive timeout, a socket error).
 */
export class UpstreamConnection {
  /** Streams given to it by the pool that have not been released (upstream.ts acquire/release). */
  streams = 0;
  phase: ConnectionPhase = 'connecting';
  session: http2.ClientHttp2Session | undefined;
  address: string | undefined;
  openedAt = 0;
  /** Why it ended, when it was seen (a GOAWAY with an error code, a keepalive timeout). */
  why: string | undefined;
  /** The last error the session reported. */
  lastError: string | undefined;
  cap: UpstreamBufferCap | undefined;
  /** Resolves with the session once set up (set by the pool when it starts the attempt). */
  ready!: Promise<http2.ClientHttp2Session>;

  constructor(
    readonly id: number,
    private readonly o: ConnectionSettings,
  ) {}

  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS (Infinity while not known). */
  get limit(): number {
    const n = this.session?.remoteSettings?.maxConcurrentStreams;
    return n === undefined ? Infinity : n;
  }

  /** Usable for new streams: set up (or being set up), not draining, not closed. */
  get usable(): boolean {
    if (this.phase === 'connecting') return true;
    return this.phase === 'open' && !!this.session && !this.session.closed && !this.session.destroyed;
  }

  get target(): string | undefined {
    return this.address === undefined ? undefined : hostPort(this.address, this.o.cfg.port);
  }

  /** Take over a session just set up to `address`. */
  adopt(session: http2.ClientHttp2Session, address: string): void {
    const { cfg, log, events } = this.o;
    this.session = session;
    this.address = address;
    this.openedAt = Date.now();
    this.phase = 'open';
    const target = hostPort(address, cfg.port);
    const cap = new UpstreamBufferCap(session, {
      limitBytes: this.o.connectionBufferBytes,
      windowBytes: this.o.streamWindowBytes,
      log: log.child({ target }),
      onChange: events.bufferCap,
    });
    this.cap = cap;
    const stopKeepalive = startKeepalive(session, cfg.keepaliveIntervalMs, cfg.keepaliveTimeoutMs, (why) => {
      this.why = why;
      events.trouble(this, why);
    });
    let recycle: NodeJS.Timeout | undefined;
    if (cfg.maxConnectionDurationMs > 0) {
      recycle = setTimeout(() => events.aged(this), jitterDown(cfg.maxConnectionDurationMs, RECYCLE_JITTER, this.o.random));
      recycle.unref();
    }
    session.on('error', (err) => {
      this.lastError = describeConnectError(err, target);
      events.trouble(this, this.lastError);
    });
    session.on('goaway', (code: number) => {
      if (code !== http2.constants.NGHTTP2_NO_ERROR) {
        this.why = `GOAWAY with error code ${code}`;
        events.trouble(this, this.why);
      }
      events.goaway(this, code);
    });
    session.on('close', () => {
      stopKeepalive();
      cap.stop();
      clearTimeout(recycle);
      const lost = this.phase !== 'draining';
      this.phase = 'closed';
      events.closed(this, lost);
    });
  }

  /** Stop taking new streams; its streams finish; it closes after the last one. */
  drain(): void {
    if (this.phase !== 'open') return;
    this.phase = 'draining';
    const s = this.session!;
    if (!s.closed && !s.destroyed) s.close();
  }

  /** Why it went away, in one line (for the log and /status). */
  lossReason(): string {
    return this.why ?? this.lastError ?? 'connection closed';
  }

  /** Close it, waiting up to `graceMs` for its streams (shutdown). */
  close(graceMs: number): Promise<void> {
    const s = this.session;
    if (!s || s.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => s.destroy(), graceMs);
      s.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      s.close();
    });
  }
}
