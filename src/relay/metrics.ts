import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { HotHistogram } from './hot-histogram';
import type { Outcome } from './stream-lifecycle';

export type Direction = 'downstream_to_upstream' | 'upstream_to_downstream';
const DIRECTIONS: Direction[] = ['downstream_to_upstream', 'upstream_to_downstream'];

/** The relay's Prometheus metrics, in a registry of its own (no global state). */
export class RelayMetrics {
  readonly registry = new Registry();
  readonly streamsActive: Gauge;
  readonly streamsTotal: Counter<'outcome'>;
  /** Per-chunk and per-message counts: plain numbers on the hot path, published at scrape time. */
  readonly hot = { bytes: { downstream_to_upstream: 0, upstream_to_downstream: 0 }, messages: { downstream_to_upstream: 0, upstream_to_downstream: 0 } };
  readonly messageSize: HotHistogram<Direction>;
  readonly nacks: Counter<'type_url'>;
  readonly upstreamConnected: Gauge;
  readonly upstreamConnects: Counter;
  readonly upstreamConnectFailures: Counter;
  readonly upstreamThrottles: Counter;
  readonly credentialRefreshes: Counter;
  readonly credentialFailures: Counter;
  readonly streamDuration: Histogram<'outcome'>;
  readonly rejected: Counter<'reason'>;

  /** The process metrics (CPU, memory, event-loop lag, GC) are set up at the first scrape: see text(). */
  private defaultsCollected = false;

  constructor() {
    const registers = [this.registry];
    this.streamsActive = new Gauge({ name: 'appnet_relay_streams_active', help: 'Streams being relayed now', registers });
    this.streamsTotal = new Counter({ name: 'appnet_relay_streams_total', help: 'Streams relayed, by how they ended', labelNames: ['outcome'], registers });
    const hot = this.hot;
    const publish = (field: 'bytes' | 'messages') =>
      function (this: Counter<'direction'>) {
        this.reset();
        for (const d of DIRECTIONS) this.inc({ direction: d }, hot[field][d]);
      };
    new Counter({ name: 'appnet_relay_bytes_total', help: 'Bytes relayed (gRPC framing included)', labelNames: ['direction'], registers, collect: publish('bytes') });
    new Counter({ name: 'appnet_relay_messages_total', help: 'gRPC messages relayed', labelNames: ['direction'], registers, collect: publish('messages') });
    this.messageSize = new HotHistogram(
      'appnet_relay_message_size_bytes',
      'Size of relayed gRPC messages',
      'direction',
      DIRECTIONS,
      [256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 10_485_760, 33_554_432],
      this.registry,
    );
    this.nacks = new Counter({ name: 'appnet_relay_nacks_total', help: 'xDS NACKs sent by clients', labelNames: ['type_url'], registers });
    this.upstreamConnected = new Gauge({ name: 'appnet_relay_upstream_connected', help: '1 when connected to the management server', registers });
    this.upstreamConnects = new Counter({ name: 'appnet_relay_upstream_connects_total', help: 'Connections made to the management server', registers });
    this.upstreamConnectFailures = new Counter({
      name: 'appnet_relay_upstream_connect_failures_total',
      help: 'Failed or lost connections to the management server',
      registers,
    });
    this.upstreamThrottles = new Counter({
      name: 'appnet_relay_upstream_throttles_total',
      help: 'Times an upstream connection\'s stream windows were lowered because its streams held RELAY_UPSTREAM_BUFFER_LIMIT_BYTES',
      registers,
    });
    this.credentialRefreshes = new Counter({ name: 'appnet_relay_credential_refreshes_total', help: 'AWS credential fetches that succeeded', registers });
    this.credentialFailures = new Counter({ name: 'appnet_relay_credential_failures_total', help: 'AWS credential fetches that failed', registers });
    this.streamDuration = new Histogram({
      name: 'appnet_relay_stream_duration_seconds',
      help: 'How long relayed streams lived',
      labelNames: ['outcome'],
      buckets: [0.01, 0.1, 1, 10, 60, 300, 1800, 2400, 3600, 86_400],
      registers,
    });
    this.rejected = new Counter({ name: 'appnet_relay_rejected_requests_total', help: 'Requests on the socket that were not relayed', labelNames: ['reason'], registers });
  }

  /** appnet_relay_upstream_buffered_bytes, read from `held` at each scrape. */
  watchUpstreamBuffer(held: () => number): void {
    new Gauge({
      name: 'appnet_relay_upstream_buffered_bytes',
      help: 'Bytes read from the management server that clients have not taken yet (while any client is behind; sampled every 10 ms)',
      registers: [this.registry],
      collect() {
        this.set(held());
      },
    });
  }

  streamEnded(outcome: Outcome, seconds: number): void {
    this.streamsTotal.labels(outcome).inc();
    this.streamDuration.labels(outcome).observe(seconds);
  }

  /**
   * The exposition text. prom-client's process metrics watch the event loop
   * (a timer sampling its delay) and every GC (a PerformanceObserver) from the
   * moment they are registered: a relay nobody scrapes should not pay for that,
   * so they start with the first scrape (counters such as CPU seconds read the
   * process totals, so they are whole from the start; the event-loop and GC
   * histograms cover the time since the first scrape). See docs/relay-performance.md.
   */
  text(): Promise<string> {
    if (!this.defaultsCollected) {
      this.defaultsCollected = true;
      collectDefaultMetrics({ register: this.registry, prefix: 'appnet_relay_' });
    }
    return this.registry.metrics();
  }
}
