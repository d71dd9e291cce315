import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import type { Logger } from '../common/logger';
import { Backoff, type BackoffOptions, jitterDown } from '../common/backoff';
import { MAX_WINDOW, type UpstreamConfig } from './config';
import { AddressRotation, hostPort, type Lookup } from './upstream-addresses';
import { UpstreamUnavailableError, describeConnectError } from './upstream-errors';
import { errorMessage } from '../common/problem';

export type { UpstreamState, UpstreamStatus } from '../common/contracts/relay-status';
import type { UpstreamState, UpstreamStatus } from '../common/contracts/relay-status';
import { startKeepalive } from './upstream-keepalive';
import { type CapState, UpstreamBufferCap, connectionWindowFor } from './upstream-buffer-cap';

export interface UpstreamHooks {
  onConnectAttempt?(): void;
  onConnected?(): void;
  onConnectFailed?(message: string): void;
  onStateChange?(state: UpstreamState): void;
  /** A connection's streams went over (or back under) the upstream buffer limit. */
  onBufferCap?(state: CapState, heldBytes: number): void;
}

export interface UpstreamOptions {
  /** HTTP/2 stream window the relay advertises upstream: the per-stream buffer bound. */
  streamWindowBytes: number;
  /** What the relay may hold of one connection's data, over its streams (upstream-buffer-cap.ts); 0 = no bound. */
  connectionBufferBytes: number;
  log: Logger;
  hooks?: UpstreamHooks;
  backoff?: BackoffOptions;
  random?: () => number;
  /** DNS lookup of the configured host names (tests inject one). */
  lookup?: Lookup;
}

/** What the manager knows of one of its connections, for messages about it once it is gone. */
interface SessionInfo {
  address: string;
  /** Why it ended, when the manager itself saw why (a GOAWAY with an error code, a keepalive timeout). */
  why?: string;
}

const RECYCLE_JITTER = 0.1;
const RECONNECT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000, multiplier: 1.6, jitter: 0.2 };

/**
 * The relay's HTTP/2 connection to the management server. Connects at start
 * and keeps one connection up (reconnecting with jittered exponential backoff),
 * pings it every keepalive interval, and recycles it after the max connection
 * duration (jittered) by draining: new streams go to a fresh connection while
 * the old one lives until its streams end. While it cannot connect, `acquire()`
 * fails at once with the reason, so clients are never left hanging.
 *
 * With several addresses (APPNET_MANAGEMENT_ADDRESS listing hosts, or a name
 * resolving to several: replicas), an attempt tries each in turn, starting
 * after the one that failed or was lost (upstream-addresses.ts); only when
 * none answers does the backoff apply.
 */
export class UpstreamManager {
  private readonly configured: string;
  private readonly rotation: AddressRotation;
  private activeAddress: string | undefined;
  private active: http2.ClientHttp2Session | undefined;
  private activeSince = 0;
  private connecting: Promise<http2.ClientHttp2Session> | undefined;
  private readonly draining = new Set<http2.ClientHttp2Session>();
  private readonly sessionInfo = new WeakMap<http2.ClientHttp2Session, SessionInfo>();
  private readonly caps = new WeakMap<http2.ClientHttp2Session, UpstreamBufferCap>();
  private readonly timers = new Set<NodeJS.Timeout>();
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
  }

  get state(): UpstreamState {
    return this.stateValue;
  }

  /** The address:port in use, or the configured hosts while not connected. */
  get target(): string {
    return this.activeAddress !== undefined && this.active ? hostPort(this.activeAddress, this.cfg.port) : this.configured;
  }

  /** Connect now, and keep connected from then on. */
  start(): void {
    this.connect().catch(() => undefined);
  }

  /** A connected session for a new stream, or UpstreamUnavailableError saying why not. */
  async acquire(): Promise<http2.ClientHttp2Session> {
    if (this.closing) throw new UpstreamUnavailableError('relay: shutting down');
    const s = this.active;
    if (s && !s.closed && !s.destroyed) return s;
    if (this.connecting) return this.connecting;
    if (this.retryTimer) throw new UpstreamUnavailableError(this.unavailableMessage());
    return this.connect();
  }

  /**
   * Why `session` went away, for a stream it carried: what the manager saw (a
   * GOAWAY with an error code, a keepalive timeout), else the error the stream
   * was destroyed with (the connection's own), else a plain close. Not
   * `lastError`: streams hear of a lost connection before the manager's own
   * 'close' handler runs, when lastError is not about it yet (or is about an
   * older connection).
   */
  lossReason(session: http2.ClientHttp2Session, streamError: Error | undefined): string {
    const info = this.sessionInfo.get(session);
    if (info?.why !== undefined) return info.why;
    if (!streamError) return 'connection closed';
    return describeConnectError(streamError, info ? hostPort(info.address, this.cfg.port) : this.configured);
  }

  /** The buffer cap of `session` (a connection this manager made), for its streams to report what they hold. */
  bufferCap(session: http2.ClientHttp2Session): UpstreamBufferCap | undefined {
    return this.caps.get(session);
  }

  /** What the relay holds of its connections' data now (at the caps' last samples). */
  bufferedBytes(): number {
    return [...this.draining, ...(this.active ? [this.active] : [])].reduce((n, s) => n + (this.caps.get(s)?.heldBytes ?? 0), 0);
  }

  status(): UpstreamStatus {
    return {
      target: this.target,
      address: this.active ? (this.activeAddress ?? null) : null,
      addresses: [...this.rotation.addresses],
      domain: this.cfg.domain,
      tls: this.cfg.tls,
      state: this.stateValue,
      since: new Date(this.since).toISOString(),
      lastError: this.lastError ? { message: this.lastError.message, at: new Date(this.lastError.at).toISOString() } : null,
      nextAttemptAt: this.nextAttemptAt !== undefined ? new Date(this.nextAttemptAt).toISOString() : null,
      connects: this.connects,
      failures: this.failures,
      connectionAgeSeconds: this.active ? Math.round((Date.now() - this.activeSince) / 1000) : null,
      drainingConnections: this.draining.size,
    };
  }

  /** Stop reconnecting and close every connection (streams should be ended first). */
  async close(graceMs = 1000): Promise<void> {
    this.closing = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const sessions = [...this.draining, ...(this.active ? [this.active] : [])];
    this.active = undefined;
    await Promise.all(
      sessions.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.destroyed) return resolve();
            const t = setTimeout(() => s.destroy(), graceMs);
            s.once('close', () => {
              clearTimeout(t);
              resolve();
            });
            s.close();
          }),
      ),
    );
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.setState('NOT_CONNECTED');
  }

  /** Why a new stream gets no connection while NOT_CONNECTED (what acquire() says); side-effect free, for admission. */
  unavailableMessage(): string {
    const wait = this.nextAttemptAt !== undefined ? Math.max(0, Math.ceil((this.nextAttemptAt - Date.now()) / 1000)) : 0;
    return `relay: management server ${this.cfg.domain} (${this.target}) unavailable: ${this.lastError?.message ?? 'not connected'}; next attempt in ${wait}s`;
  }

  private setState(s: UpstreamState): void {
    if (s === this.stateValue) return;
    this.stateValue = s;
    this.since = Date.now();
    this.opts.hooks?.onStateChange?.(s);
  }

  private connect(): Promise<http2.ClientHttp2Session> {
    if (this.connecting) return this.connecting;
    this.retryTimer = undefined;
    this.nextAttemptAt = undefined;
    this.setState('CONNECTING');
    this.opts.hooks?.onConnectAttempt?.();
    this.connecting = this.openAny().then(
      ({ session, address }) => {
        this.connecting = undefined;
        if (this.closing) {
          session.destroy();
          throw new UpstreamUnavailableError('relay: shutting down');
        }
        this.adopt(session, address);
        return session;
      },
      (err: unknown) => {
        this.connecting = undefined;
        const message = errorMessage(err);
        this.recordFailure(message);
        throw new UpstreamUnavailableError(`relay: cannot reach management server ${this.cfg.domain} (${this.configured}): ${message}`);
      },
    );
    return this.connecting;
  }

  /** A session to the first address that answers, trying each in turn; the error names every address tried. */
  private async openAny(): Promise<{ session: http2.ClientHttp2Session; address: string }> {
    let order: string[];
    try {
      order = await this.rotation.resolve();
    } catch (e) {
      throw new Error((e as Error).message);
    }
    const failures: string[] = [];
    for (const address of order) {
      try {
        return { session: await this.openSession(address), address };
      } catch (e) {
        const target = hostPort(address, this.cfg.port);
        failures.push(order.length > 1 ? `${target}: ${describeConnectError(e, target)}` : describeConnectError(e, target));
        this.rotation.passOver(address);
        if (this.closing) break;
      }
    }
    throw new Error(failures.join('; '));
  }

  /** TLS options for a new connection; the CA file is read each time, so a rotated bundle is picked up. */
  private async tlsOptions(): Promise<Record<string, unknown>> {
    const cfg = this.cfg;
    if (!cfg.tls) return {};
    let ca: Buffer | undefined;
    try {
      ca = cfg.caFile ? await fs.promises.readFile(cfg.caFile) : undefined;
    } catch (e) {
      throw new Error(`cannot read CA file ${cfg.caFile}: ${(e as Error).message}`);
    }
    return { servername: cfg.domain, minVersion: 'TLSv1.2', ...(ca ? { ca } : {}), ...(cfg.ecdhCurve ? { ecdhCurve: cfg.ecdhCurve } : {}) };
  }

  private async openSession(address: string): Promise<http2.ClientHttp2Session> {
    const tlsOptions = await this.tlsOptions();
    return new Promise((resolve, reject) => {
      const cfg = this.cfg;
      const session = http2.connect(`${cfg.tls ? 'https' : 'http'}://${hostPort(address, cfg.port)}`, {
        ...tlsOptions,
        settings: { enablePush: false, initialWindowSize: this.opts.streamWindowBytes },
        // The shared upstream session must never refuse new streams for memory:
        // per-stream flow-control windows are what bound buffering.
        maxSessionMemory: 1 << 20,
      });
      const timer = setTimeout(() => session.destroy(new Error(`connect timed out after ${cfg.connectTimeoutMs}ms`)), cfg.connectTimeoutMs);
      const onError = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      const onEarlyClose = () => onError(new Error('connection closed during setup'));
      session.once('error', onError);
      session.once('close', onEarlyClose);
      session.once('connect', () => {
        clearTimeout(timer);
        session.removeListener('error', onError);
        session.removeListener('close', onEarlyClose);
        try {
          session.setLocalWindowSize(connectionWindowFor(this.opts.connectionBufferBytes, MAX_WINDOW));
        } catch {
          /* the stream windows still apply */
        }
        resolve(session);
      });
    });
  }

  private adopt(session: http2.ClientHttp2Session, address: string): void {
    const info: SessionInfo = { address };
    this.sessionInfo.set(session, info);
    const cap = new UpstreamBufferCap(session, {
      limitBytes: this.opts.connectionBufferBytes,
      windowBytes: this.opts.streamWindowBytes,
      log: this.opts.log.child({ target: hostPort(address, this.cfg.port) }),
      onChange: this.opts.hooks?.onBufferCap,
    });
    this.caps.set(session, cap);
    this.active = session;
    this.activeAddress = address;
    this.activeSince = Date.now();
    this.connects++;
    this.backoff.reset();
    this.setState('CONNECTED');
    this.opts.hooks?.onConnected?.();
    this.opts.log.info({ target: this.target, domain: this.cfg.domain }, 'connected to management server');
    const stopKeepalive = this.keepalive(session, info);
    let recycle: NodeJS.Timeout | undefined;
    if (this.cfg.maxConnectionDurationMs > 0) {
      recycle = this.timer(jitterDown(this.cfg.maxConnectionDurationMs, RECYCLE_JITTER, this.random), () => {
        this.opts.log.info({ target: this.target }, 'max connection duration reached: draining the connection and opening a new one');
        this.retire(session);
      });
    }
    session.on('error', (err) => {
      this.lastError = { message: describeConnectError(err, hostPort(address, this.cfg.port)), at: Date.now() };
    });
    session.on('goaway', (code: number) => {
      this.opts.log.info({ target: this.target, code }, 'management server sent GOAWAY');
      if (code !== http2.constants.NGHTTP2_NO_ERROR) {
        info.why = `GOAWAY with error code ${code}`;
        this.lastError = { message: info.why, at: Date.now() };
      }
      this.retire(session, code === http2.constants.NGHTTP2_NO_ERROR);
    });
    session.on('close', () => {
      stopKeepalive();
      cap.stop();
      if (recycle) this.clearTimer(recycle);
      this.draining.delete(session);
      if (this.active !== session) return;
      this.active = undefined;
      if (this.closing) return;
      const why = this.lastError && this.lastError.at >= this.activeSince ? this.lastError.message : 'connection closed';
      this.opts.log.warn({ target: hostPort(address, this.cfg.port), reason: why }, 'lost connection to management server');
      // The next attempt starts with another address: a replica that died is not asked first.
      this.rotation.passOver(address);
      this.recordFailure(why, false);
    });
  }

  /** Stop giving `session` new streams; let its streams finish; keep a connection up. */
  private retire(session: http2.ClientHttp2Session, reconnectNow = true): void {
    if (this.active !== session) return;
    this.active = undefined;
    this.draining.add(session);
    if (!session.closed && !session.destroyed) session.close();
    if (this.closing) return;
    if (reconnectNow) this.connect().catch(() => undefined);
    else this.scheduleRetry();
  }

  private recordFailure(message: string, countFailure = true): void {
    this.lastError = { message, at: Date.now() };
    if (countFailure) {
      this.failures++;
      this.opts.hooks?.onConnectFailed?.(message);
      this.opts.log.warn({ target: this.target, reason: message }, 'cannot connect to management server');
    }
    if (!this.closing) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.connecting || this.closing) return;
    this.setState('NOT_CONNECTED');
    const delay = this.backoff.next();
    this.nextAttemptAt = Date.now() + delay;
    this.retryTimer = this.timer(delay, () => {
      this.retryTimer = undefined;
      this.connect().catch(() => undefined);
    });
  }

  private keepalive(session: http2.ClientHttp2Session, info: SessionInfo): () => void {
    return startKeepalive(session, this.cfg.keepaliveIntervalMs, this.cfg.keepaliveTimeoutMs, (why) => {
      info.why = why;
      this.lastError = { message: why, at: Date.now() };
    });
  }

  private timer(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
    return t;
  }

  private clearTimer(t: NodeJS.Timeout): void {
    clearTimeout(t);
    this.timers.delete(t);
  }
}
