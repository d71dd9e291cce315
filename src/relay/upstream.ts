import * as http2 from 'node:http2';
import type { Logger } from '../common/logger';
import { Backoff, type BackoffOptions } from '../common/backoff';
import type { UpstreamConfig } from './config';
import { AddressRotation, hostPort, type Lookup } from './upstream-addresses';
import { UpstreamUnavailableError, describeConnectError } from './upstream-errors';
import { errorMessage } from '../common/problem';

export type { UpstreamState, UpstreamStatus } from '../common/contracts/relay-status';
import type { UpstreamState, UpstreamStatus } from '../common/contracts/relay-status';
import type { BufferHolder, CapState, UpstreamBufferCap } from './upstream-buffer-cap';
import { type ConnectionEvents, UpstreamConnection } from './upstream-connection';
import { dialAny } from './upstream-dial';
import { chooseConnection } from './upstream-pool-policy';

export interface UpstreamHooks {
  onConnectAttempt?(): void;
  onConnected?(): void;
  onConnectFailed?(message: string): void;
  onStateChange?(state: UpstreamState): void;
  /** A connection's streams went over (or back under) the upstream buffer limit. */
  onBufferCap?(state: CapState, heldBytes: number): void;
  /** The number of open connections (draining ones included) changed. */
  onConnections?(open: number): void;
}

export interface UpstreamOptions {
  /** HTTP/2 stream window the relay advertises upstream: the per-stream buffer bound. */
  streamWindowBytes: number;
  /** What the relay may hold of its connections' data (upstream-buffer-cap.ts), shared out over the pool's size; 0 = no bound. */
  connectionBufferBytes: number;
  log: Logger;
  hooks?: UpstreamHooks;
  backoff?: BackoffOptions;
  random?: () => number;
  /** DNS lookup of the configured host names (tests inject one). */
  lookup?: Lookup;
}

const RECONNECT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000, multiplier: 1.6, jitter: 0.2 };
/** A stream that finds its connection gone or full once it is set up chooses again, this many times at most. */
const MAX_CHOICES = 4;

/**
 * The relay's HTTP/2 connections to the management server: a small pool
 * (upstream-pool-policy.ts decides which connection a new stream goes to; each
 * connection's keepalive, buffer cap and recycling are upstream-connection.ts).
 * One connection is opened at start; the pool grows as streams come, up to
 * RELAY_UPSTREAM_CONNECTIONS, and beyond it (up to RELAY_UPSTREAM_MAX_CONNECTIONS)
 * only when the server's SETTINGS_MAX_CONCURRENT_STREAMS leaves no slot; a
 * stream that finds no slot is refused with the reason, never left waiting.
 *
 * While no connection is up it reconnects with jittered exponential backoff,
 * and `acquire()` fails at once with the reason, so clients are never left
 * hanging. A connection past its max duration (jittered per connection) or
 * sent GOAWAY is drained: new streams go to the others (or a new one) while it
 * lives until its streams end. A lost connection takes only its own streams.
 *
 * With several addresses (APPNET_MANAGEMENT_ADDRESS listing hosts, or a name
 * resolving to several: replicas), an attempt tries each in turn, starting
 * after the one that failed, was lost or took the last connection
 * (upstream-addresses.ts), so the pool's connections spread over replicas;
 * only when none answers does the backoff apply.
 */
export class UpstreamManager {
  private readonly configured: string;
  private readonly rotation: AddressRotation;
  /** Every connection not closed yet (being set up, open, draining), oldest first. */
  private readonly conns = new Set<UpstreamConnection>();
  private readonly bySession = new WeakMap<http2.ClientHttp2Session, UpstreamConnection>();
  private readonly events: ConnectionEvents;
  private nextId = 1;
  private retryTimer: NodeJS.Timeout | undefined;
  private nextAttemptAt: number | undefined;
  private stateValue: UpstreamState = 'NOT_CONNECTED';
  private since = Date.now();
  private lastError: { message: string; at: number } | undefined;
  private connects = 0;
  private failures = 0;
  private closing = false;
  private readonly backoff: Backoff;
  private readonly random: () => number;

  constructor(
    private readonly cfg: UpstreamConfig,
    private readonly opts: UpstreamOptions,
  ) {
    this.configured = cfg.connectHosts.map((h) => hostPort(h, cfg.port)).join(',');
    this.rotation = new AddressRotation(cfg.connectHosts, opts.lookup);
    this.random = opts.random ?? Math.random;
    this.backoff = new Backoff(opts.backoff ?? RECONNECT_BACKOFF, this.random);
    this.events = {
      trouble: (_c, message) => (this.lastError = { message, at: Date.now() }),
      goaway: (c, code) => {
        this.opts.log.info({ target: c.target, connection: c.id, code }, 'management server sent GOAWAY');
        this.retire(c, code === http2.constants.NGHTTP2_NO_ERROR);
      },
      aged: (c) => {
        this.opts.log.info({ target: c.target, connection: c.id }, 'max connection duration reached: draining the connection');
        this.retire(c, true);
      },
      closed: (c, lost) => this.onClosed(c, lost),
      bufferCap: opts.hooks?.onBufferCap,
    };
  }

  get state(): UpstreamState {
    return this.stateValue;
  }

  /** The address:port of the oldest open connection, or the configured hosts while none is open. */
  get target(): string {
    return this.oldestOpen()?.target ?? this.configured;
  }

  /** Connect now, and keep connected from then on. */
  start(): void {
    this.open();
  }

  /**
   * A connected session for a new stream (counted against its connection until
   * `release`), or UpstreamUnavailableError saying why not.
   */
  async acquire(): Promise<http2.ClientHttp2Session> {
    for (let choice = 1; ; choice++) {
      if (this.closing) throw new UpstreamUnavailableError('relay: shutting down');
      const live = this.usable();
      const pick = chooseConnection(live, { size: this.cfg.connections, max: this.cfg.maxConnections, mayOpen: !this.retryTimer });
      if (pick.kind === 'full') throw new UpstreamUnavailableError(live.length === 0 ? this.unavailableMessage() : this.fullMessage(live));
      const c = pick.kind === 'use' ? live[pick.index]! : this.open();
      c.streams++;
      let session: http2.ClientHttp2Session;
      try {
        session = await c.ready;
      } catch (e) {
        c.streams--;
        // A connection added to the pool failed: the others may still take the stream.
        if (choice < MAX_CHOICES && this.oldestOpen()) continue;
        throw e;
      }
      // Set up meanwhile: its server's limit is known now, and it may have been drained or lost.
      if (c.usable && c.streams <= c.limit) return session;
      c.streams--;
      if (choice >= MAX_CHOICES) throw new UpstreamUnavailableError(this.fullMessage(this.usable()));
    }
  }

  /** The stream given `session` by acquire() is done with it (and no longer holds any of its data). */
  release(session: http2.ClientHttp2Session, holder?: BufferHolder): void {
    const c = this.bySession.get(session);
    if (holder) c?.cap?.remove(holder);
    if (c && c.streams > 0) c.streams--;
  }

  /**
   * Why `session` went away, for a stream it carried: what its connection saw
   * (a GOAWAY with an error code, a keepalive timeout), else the error the
   * stream was destroyed with (the connection's own), else a plain close.
   * Not the pool's lastError: streams hear of a lost connection before the
   * connection's own 'close' handler runs, and lastError may be another's.
   */
  lossReason(session: http2.ClientHttp2Session, streamError: Error | undefined): string {
    const c = this.bySession.get(session);
    if (c?.why !== undefined) return c.why;
    if (!streamError) return 'connection closed';
    return describeConnectError(streamError, c?.target ?? this.configured);
  }

  /** The buffer cap of `session` (a connection this manager made), for its streams to report what they hold. */
  bufferCap(session: http2.ClientHttp2Session): UpstreamBufferCap | undefined {
    return this.bySession.get(session)?.cap;
  }

  /** What the relay holds of its connections' data now (at the caps' last samples). */
  bufferedBytes(): number {
    let n = 0;
    for (const c of this.conns) n += c.cap?.heldBytes ?? 0;
    return n;
  }

  status(): UpstreamStatus {
    const now = Date.now();
    const oldest = this.oldestOpen();
    const set = [...this.conns].filter((c) => c.phase === 'open' || c.phase === 'draining');
    return {
      target: this.target,
      address: oldest?.address ?? null,
      addresses: [...this.rotation.addresses],
      domain: this.cfg.domain,
      tls: this.cfg.tls,
      state: this.stateValue,
      since: new Date(this.since).toISOString(),
      lastError: this.lastError ? { message: this.lastError.message, at: new Date(this.lastError.at).toISOString() } : null,
      nextAttemptAt: this.nextAttemptAt !== undefined ? new Date(this.nextAttemptAt).toISOString() : null,
      connects: this.connects,
      failures: this.failures,
      connectionAgeSeconds: oldest ? Math.round((now - oldest.openedAt) / 1000) : null,
      drainingConnections: set.filter((c) => c.phase === 'draining').length,
      pool: { size: this.cfg.connections, max: this.cfg.maxConnections },
      connections: set.map((c) => ({
        address: c.address!,
        streams: c.streams,
        maxConcurrentStreams: Number.isFinite(c.limit) && c.limit < 2 ** 32 - 1 ? c.limit : null,
        ageSeconds: Math.round((now - c.openedAt) / 1000),
        draining: c.phase === 'draining',
      })),
    };
  }

  /** Stop reconnecting and close every connection (streams should be ended first). */
  async close(graceMs = 1000): Promise<void> {
    this.closing = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await Promise.all([...this.conns].map((c) => c.close(graceMs)));
    this.setState('NOT_CONNECTED');
  }

  /** The connections that take new streams (being set up or open, not draining), oldest first. */
  private usable(): UpstreamConnection[] {
    return [...this.conns].filter((c) => c.usable);
  }

  private oldestOpen(): UpstreamConnection | undefined {
    for (const c of this.conns) if (c.phase === 'open' && c.usable) return c;
    return undefined;
  }

  private openCount(): number {
    let n = 0;
    for (const c of this.conns) if (c.phase === 'open' || c.phase === 'draining') n++;
    return n;
  }

  /** Why a new stream gets no connection while NOT_CONNECTED (what acquire() says); side-effect free, for admission. */
  unavailableMessage(): string {
    const wait = this.nextAttemptAt !== undefined ? Math.max(0, Math.ceil((this.nextAttemptAt - Date.now()) / 1000)) : 0;
    return `relay: management server ${this.cfg.domain} (${this.target}) unavailable: ${this.lastError?.message ?? 'not connected'}; next attempt in ${wait}s`;
  }

  /** Why a stream found no slot while connections are up: the servers' limit, and why no connection may be added. */
  private fullMessage(live: UpstreamConnection[]): string {
    const limits = [...new Set(live.map((c) => c.limit))].join(', ');
    const more =
      live.length >= this.cfg.maxConnections
        ? `the relay keeps at most ${this.cfg.maxConnections} connections (RELAY_UPSTREAM_MAX_CONNECTIONS=${this.cfg.maxConnections})`
        : `a new connection cannot be opened now (${this.unavailableMessage().replace(/^relay: /, '')})`;
    return `relay: all ${live.length} connections to management server ${this.cfg.domain} are at the server's limit of ${limits} concurrent streams (SETTINGS_MAX_CONCURRENT_STREAMS) and ${more}; retry later`;
  }

  private setState(s: UpstreamState): void {
    if (s === this.stateValue) return;
    this.stateValue = s;
    this.since = Date.now();
    this.opts.hooks?.onStateChange?.(s);
  }

  /** CONNECTED while any connection takes streams; CONNECTING while one is being set up; else NOT_CONNECTED. */
  private refreshState(): void {
    const live = this.usable();
    this.setState(live.some((c) => c.phase === 'open') ? 'CONNECTED' : live.length > 0 ? 'CONNECTING' : 'NOT_CONNECTED');
  }

  /**
   * Each connection's buffer cap: its share of RELAY_UPSTREAM_BUFFER_LIMIT_BYTES over the pool's size,
   * so that what the relay holds does not grow with RELAY_UPSTREAM_CONNECTIONS (0: no cap).
   */
  private bufferShare(): number {
    const limit = this.opts.connectionBufferBytes;
    return limit > 0 ? Math.max(1, Math.floor(limit / this.cfg.connections)) : 0;
  }

  /** Start a connection attempt; the new connection is in the pool (taking streams that wait for it) at once. */
  private open(): UpstreamConnection {
    const { cfg, opts } = this;
    const dial = { streamWindowBytes: opts.streamWindowBytes, connectionBufferBytes: this.bufferShare() };
    const c = new UpstreamConnection(this.nextId++, { cfg, ...dial, log: opts.log, random: this.random, events: this.events });
    this.conns.add(c);
    this.nextAttemptAt = undefined;
    this.refreshState();
    opts.hooks?.onConnectAttempt?.();
    c.ready = dialAny(cfg, dial, this.rotation, () => this.closing).then(
      ({ session, address }) => {
        if (this.closing) {
          session.destroy();
          this.conns.delete(c);
          throw new UpstreamUnavailableError('relay: shutting down');
        }
        this.bySession.set(session, c);
        c.adopt(session, address);
        this.rotation.passOver(address); // the pool's next connection goes to the next replica, if there is one
        this.connects++;
        this.backoff.reset();
        this.refreshState();
        opts.hooks?.onConnected?.();
        opts.hooks?.onConnections?.(this.openCount());
        opts.log.info({ target: c.target, domain: cfg.domain, connection: c.id, open: this.openCount() }, 'connected to management server');
        return session;
      },
      (err: unknown) => {
        this.conns.delete(c);
        c.phase = 'closed';
        const message = errorMessage(err);
        this.recordFailure(message);
        throw new UpstreamUnavailableError(`relay: cannot reach management server ${cfg.domain} (${this.configured}): ${message}`);
      },
    );
    c.ready.catch(() => undefined); // the streams waiting for it see the error; with none, nothing to report
    return c;
  }

  private onClosed(c: UpstreamConnection, lost: boolean): void {
    this.conns.delete(c);
    this.opts.hooks?.onConnections?.(this.openCount());
    if (this.closing) return;
    if (!lost) return this.refreshState();
    const why = c.lossReason();
    this.opts.log.warn({ target: c.target, connection: c.id, reason: why, streams: c.streams }, 'lost connection to management server');
    // The next attempt starts with another address: a replica that died is not asked first.
    this.rotation.passOver(c.address!);
    this.lastError = { message: why, at: Date.now() };
    // The others carry on; the pool grows again as streams come. With none left: reconnect after a backoff.
    if (this.usable().length === 0) this.scheduleRetry();
    else this.refreshState();
  }

  /** Stop giving `c` new streams and let its streams finish; with no other connection left, open one. */
  private retire(c: UpstreamConnection, reconnectNow: boolean): void {
    if (c.phase !== 'open') return;
    c.drain();
    if (this.closing) return;
    if (this.usable().length > 0) return this.refreshState();
    if (reconnectNow) this.open();
    else this.scheduleRetry();
  }

  private recordFailure(message: string): void {
    this.lastError = { message, at: Date.now() };
    this.failures++;
    this.opts.hooks?.onConnectFailed?.(message);
    this.opts.log.warn({ target: this.target, reason: message }, 'cannot connect to management server');
    if (!this.closing) this.scheduleRetry();
  }

  /**
   * No new connection before a backoff: with none left, the next attempt then;
   * with others up, the pool may grow again then.
   */
  private scheduleRetry(): void {
    if (this.retryTimer || this.closing) return;
    this.refreshState();
    const delay = this.backoff.next();
    this.nextAttemptAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.nextAttemptAt = undefined;
      if (!this.closing && this.usable().length === 0) this.open();
    }, delay);
    this.retryTimer.unref();
  }
}
