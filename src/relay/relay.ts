import type * as http2 from 'node:http2';
import { AdminServer, sendJson, sendText } from '../admin/server';
import { GrpcStatus } from '../common/grpc-status';
import type { Logger } from '../common/logger';
import { TokenBucket } from '../common/token-bucket';
import { ADS_SERVICE } from '../common/xds/vocabulary';
import { CredentialManager, type RefreshableProvider } from '../sigv4/credentials';
import { XdsRequestSigner } from '../sigv4/signer';
import type { RelayConfig } from './config';
import { RelayHealthService, type ServingStatus, trailersOnly } from './health-service';
import { RelayListener } from './listener';
import { RelayMetrics } from './metrics';
import { CaptureBufferPool } from './capture-pool';
import { RelayedStream, type RelayedStreamDeps } from './relayed-stream';
import { type Admission, decideAdmission, refuseStream } from './stream-admission';
import { type RelayStatus, buildRelayStatus } from './status';
import { UpstreamManager, type UpstreamOptions } from './upstream';
import { LazyXdsCodec } from './xds-envelope';
import { errorStack } from '../common/problem';
import { type MemoryTrimmer, startMemoryTrimmer } from '../common/memory-trim';
import { type MarkingSwitch, startMarkingSwitch } from './incremental-marking';
import { startIdleSweep } from './idle-sweep';

const ignore = (): void => undefined;
const mib = (bytes: number): number => +(bytes / 1048576).toFixed(1);

/** A stream may wait this long for an admission token before it is refused. */
const MAX_ADMISSION_WAIT_MS = 10_000;
const SHUTDOWN_FLUSH_MS = 1000;

export interface RelayDeps {
  log: Logger;
  /** AWS credential provider chain (fromNodeProviderChain in production). */
  credentials: RefreshableProvider;
  /**
   * How the upstream connection resolves names and paces reconnections
   * (default: the system resolver, the reconnect backoff, Math.random). Tests
   * that run a relay in process inject a lookup and a short backoff here.
   */
  upstream?: Pick<UpstreamOptions, 'lookup' | 'backoff' | 'random'>;
}

/**
 * The relay daemon: the Unix-socket listener, the upstream connection, SigV4
 * signing, per-stream relaying, the health service, metrics and the admin API.
 */
export class Relay {
  readonly metrics = new RelayMetrics();
  private readonly log: Logger;
  private readonly creds: CredentialManager;
  private readonly upstream: UpstreamManager;
  private readonly signer: XdsRequestSigner;
  private readonly codec = new LazyXdsCodec((err) => this.recordInternalError(err));
  private readonly health: RelayHealthService;
  private readonly listener: RelayListener;
  private readonly admission: TokenBucket;
  private readonly reserveAdmission = (): number | undefined => this.admission.reserve(MAX_ADMISSION_WAIT_MS);
  private readonly admissionLimitText: string;
  private readonly debugLog = (obj: object, msg: string): void => this.log.debug(obj, msg);
  private readonly streams = new Map<number, RelayedStream>();
  private readonly startedAt = Date.now();
  private admin: AdminServer | undefined;
  private trimmer: MemoryTrimmer | undefined;
  private marking: MarkingSwitch | undefined;
  private idleSweep: { stop(): void } | undefined;
  /** gRPC streams since start, relayed or refused at admission; also the last stream id given out. */
  private totalStreams = 0;
  private internalErrors = 0;
  private draining = false;
  private drained: (() => void) | undefined;
  private readonly streamDeps: RelayedStreamDeps;

  constructor(
    readonly cfg: RelayConfig,
    deps: RelayDeps,
  ) {
    this.log = deps.log;
    const m = this.metrics;
    this.creds = new CredentialManager(deps.credentials, {
      onRefresh: (ok, err) => {
        m.totals[ok ? 'credentialRefreshes' : 'credentialFailures']++;
        if (!ok) this.log.error({ reason: err?.message }, 'AWS credentials unavailable');
        this.health.notify();
      },
    });
    this.upstream = new UpstreamManager(cfg.upstream, {
      ...deps.upstream,
      streamWindowBytes: cfg.bufferLimitBytes,
      connectionBufferBytes: cfg.upstreamBufferLimitBytes,
      log: this.log,
      hooks: {
        onConnected: () => m.totals.upstreamConnects++,
        onConnectFailed: () => m.totals.upstreamConnectFailures++,
        onBufferCap: (state) => {
          if (state === 'throttled') m.totals.upstreamThrottles++;
        },
        onStateChange: (s) => {
          m.upstreamConnected = s === 'CONNECTED' ? 1 : 0;
          this.health.notify();
        },
        onConnections: (n) => (m.upstreamConnections = n),
      },
    });
    this.signer = new XdsRequestSigner({ service: cfg.signingName, region: cfg.region, host: cfg.upstream.domain }, this.creds.get);
    this.health = new RelayHealthService((service) => this.serving(service));
    this.admission = new TokenBucket(cfg.maxNewStreamsPerSecond, Math.max(1, Math.ceil(2 * cfg.maxNewStreamsPerSecond)));
    this.admissionLimitText = `RELAY_MAX_NEW_STREAMS_PER_SECOND=${cfg.maxNewStreamsPerSecond}`;
    this.listener = new RelayListener({
      path: cfg.listenerPath,
      streamWindowBytes: cfg.bufferLimitBytes,
      // The same PING cadence as upstream: a client that cannot answer for that long is as dead as a server that cannot.
      keepaliveIntervalMs: cfg.upstream.keepaliveIntervalMs,
      keepaliveTimeoutMs: cfg.upstream.keepaliveTimeoutMs,
      log: this.log,
      metrics: m,
      onStream: (stream, headers) => this.onStream(stream, headers),
    });
    m.watchUpstreamBuffer(() => this.upstream.bufferedBytes());
    this.streamDeps = {
      upstream: this.upstream,
      signer: this.signer,
      codec: this.codec,
      // A stream that never reached the server (its connection attempt failed, its client left while it
      // waited) did not use its token: after an outage, wasted tokens would hold back the streams that can.
      release: () => this.admission.refund(),
      // Like the reference's host_rewrite: the bare domain, which is also the signed `host`.
      authority: cfg.upstream.domain,
      scheme: cfg.upstream.tls ? 'https' : 'http',
      idleTimeoutMs: cfg.streamIdleTimeoutMs,
      metrics: m,
      capturePool: new CaptureBufferPool(),
      log: this.log,
      onClosed: (s) => {
        this.streams.delete(s.id);
        m.streamsActive = this.streams.size;
        if (this.streams.size === 0) this.drained?.();
      },
    };
  }

  async start(): Promise<void> {
    await this.listener.listen();
    this.upstream.start();
    this.creds.start(); // fetch now: credential trouble shows in /status before the first stream
    const hot = this.metrics.hot.bytes;
    this.trimmer = startMemoryTrimmer({
      quietMs: this.cfg.memoryTrimAfterQuietMs,
      // streams opened (relayed or refused) and bytes either way: keepalive PINGs do not count
      activity: () => this.totalStreams + hot.downstream_to_upstream + hot.upstream_to_downstream,
      onTrim: (t) => this.log.info({ pauseMs: t.pauseMs, rssMiB: [t.rssBefore, t.rssAfter].map(mib), youngMiB: [t.youngBefore, t.youngAfter].map(mib) }, 'quiet: memory given back'),
    });
    this.idleSweep = startIdleSweep(this.cfg.streamIdleTimeoutMs, () => this.streams.values());
    this.marking = startMarkingSwitch({
      mode: this.cfg.v8IncrementalMarking,
      onSwitch: (on, bytes) => this.log.info({ oldGenerationMiB: mib(bytes) }, on ? 'heap grown: incremental marking on' : 'heap shrunk: incremental marking off'),
    });
    if (this.cfg.admin) {
      this.admin = await AdminServer.start({
        listen: this.cfg.admin,
        log: this.log,
        routes: {
          // ?summary leaves out the per-stream list: cheap enough for a frequent health check at 10,000 streams
          '/status': (_req, res, url) => sendJson(res, 200, this.status(url.searchParams.has('summary'))),
          '/stats/prometheus': async (req, res) => {
            if (req.method !== 'GET') return sendText(res, 405, `method ${req.method} not allowed\n`, { Allow: 'GET' });
            const { contentType, text } = await this.metrics.scrape();
            res.writeHead(200, { 'Content-Type': contentType });
            res.end(text);
          },
        },
      });
    }
    this.log.info(
      { socket: this.cfg.listenerPath, upstream: `${this.cfg.upstream.domain}:${this.cfg.upstream.port}`, tls: this.cfg.upstream.tls, admin: this.admin?.address },
      'relay listening',
    );
  }

  get adminAddress(): string | undefined {
    return this.admin?.address;
  }

  status(summary = false): RelayStatus {
    const now = Date.now();
    return buildRelayStatus({
      uptimeMs: now - this.startedAt,
      draining: this.draining,
      listenerPath: this.cfg.listenerPath,
      listening: this.listener.isListening,
      socket: this.listener.presence,
      connections: this.listener.sessionCount,
      upstream: this.upstream.status(),
      credentials: this.creds.status(),
      streams: summary ? [] : [...this.streams.values()].map((s) => s.view(now)),
      activeCount: this.streams.size,
      totalStreams: this.totalStreams,
      internalErrors: this.internalErrors,
      memoryTrim: this.trimmer?.record,
      incrementalMarking: this.marking?.record,
    });
  }

  /** Count an unexpected error (the process keeps serving the streams that are fine). */
  recordInternalError(err: unknown): void {
    this.internalErrors++;
    this.log.error({ err: errorStack(err) }, 'internal error');
  }

  /**
   * SIGTERM: stop accepting, GOAWAY every client, let streams finish for up to
   * the drain timeout, then end the rest with UNAVAILABLE and close upstream.
   */
  async shutdown(drainMs = this.cfg.drainTimeoutMs): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.health.notify();
    this.log.info({ streams: this.streams.size, drainMs }, 'shutting down: draining streams');
    this.trimmer?.stop();
    this.marking?.stop();
    this.listener.stopAccepting();
    this.listener.goawayAll();
    if (this.streams.size > 0 && drainMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, drainMs);
        this.drained = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    this.idleSweep?.stop(); // idle streams were still timed out while draining
    const left = [...this.streams.values()];
    if (left.length > 0) this.log.info({ streams: left.length }, 'drain time over: ending the remaining streams');
    for (const s of left) s.shutdown('relay: shutting down; reconnect to the new relay');
    this.health.closeWatchers();
    await this.waitForStreams(SHUTDOWN_FLUSH_MS);
    this.listener.destroyAll();
    await this.upstream.close();
    this.creds.stop();
    await this.admin?.close();
    this.log.info('relay stopped');
  }

  /** Skip the rest of the drain (a second signal). */
  hurry(): void {
    this.drained?.();
  }

  private waitForStreams(ms: number): Promise<void> {
    if (this.streams.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.drained = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private serving(service: string): ServingStatus | undefined {
    if (service === '') return this.listener.isListening && !this.draining ? 'SERVING' : 'NOT_SERVING';
    if (service === 'upstream' || service === ADS_SERVICE) {
      return this.upstream.state === 'CONNECTED' && this.creds.healthy && !this.draining ? 'SERVING' : 'NOT_SERVING';
    }
    return undefined;
  }

  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    const path = String(headers[':path'] ?? '');
    if (this.health.handles(path)) return this.health.serve(stream, headers);
    const contentType = String(headers['content-type'] ?? '');
    if (headers[':method'] !== 'POST' || !contentType.startsWith('application/grpc')) {
      stream.on('error', ignore);
      this.metrics.rejected.inc('not_grpc');
      if (!stream.destroyed) stream.respond({ ':status': 415, 'content-type': 'text/plain' }, { endStream: false });
      if (!stream.destroyed) stream.end('this socket relays gRPC (xDS) only\n');
      return;
    }
    if (this.draining) {
      stream.on('error', ignore);
      this.metrics.rejected.inc('draining');
      return trailersOnly(stream, GrpcStatus.UNAVAILABLE, 'relay: shutting down; reconnect to the new relay');
    }
    const id = ++this.totalStreams;
    const admission = decideAdmission(this.upstream, this.reserveAdmission, this.admissionLimitText);
    if (!admission.admit) return this.refuse(id, path, stream, admission);
    const relayed = new RelayedStream(id, stream, headers, this.streamDeps);
    this.streams.set(id, relayed);
    this.metrics.streamsActive = this.streams.size;
    relayed.start(admission.delayMs);
  }

  /** A stream refused at admission: counted (total, outcome) and answered, never active. */
  private refuse(id: number, path: string, stream: http2.ServerHttp2Stream, a: Extract<Admission, { admit: false }>): void {
    if (a.outcome === 'rejected') this.metrics.rejected.inc('rate_limited');
    this.metrics.streamEnded(a.outcome, 0);
    this.log.info({ stream: id, path, outcome: a.outcome, status: { code: GrpcStatus.UNAVAILABLE, message: a.message } }, 'stream ended');
    refuseStream(stream, a.message, this.debugLog);
  }
}
