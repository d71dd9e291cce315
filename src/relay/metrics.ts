import { HotHistogram } from './hot-histogram';
import type { RelayExposition } from './metrics-exposition';
import type { Outcome } from './stream-lifecycle';

export type Direction = 'downstream_to_upstream' | 'upstream_to_downstream';
export const DIRECTIONS: readonly Direction[] = ['downstream_to_upstream', 'upstream_to_downstream'];
export const MESSAGE_SIZE_BUCKETS = [256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 10_485_760, 33_554_432];
export const STREAM_DURATION_BUCKETS = [0.01, 0.1, 1, 10, 60, 300, 1800, 2400, 3600, 86_400];

/** A counter with one label: a count per label value, in the order the values first appeared. */
export class LabeledCount<L extends string = string> {
  readonly values = new Map<L, number>();

  inc(label: L): void {
    this.values.set(label, (this.values.get(label) ?? 0) + 1);
  }
}

/**
 * The relay's metrics, kept as plain numbers in this object. prom-client is
 * loaded at the first scrape, when metrics-exposition.ts builds a registry
 * that reads these numbers at every scrape: a relay nobody scrapes never loads
 * it (about 3 MiB of RSS; docs/relay-performance.md). The names, types, labels
 * and help texts are defined there.
 */
export class RelayMetrics {
  /** Gauges. */
  streamsActive = 0;
  upstreamConnected = 0;
  /** Open upstream connections, draining ones included. */
  upstreamConnections = 0;
  /** Counters without labels. */
  readonly totals = { upstreamConnects: 0, upstreamConnectFailures: 0, upstreamThrottles: 0, credentialRefreshes: 0, credentialFailures: 0 };
  readonly streamsTotal = new LabeledCount<Outcome>();
  /** Per-chunk and per-message counts, updated on the hot path. */
  readonly hot = { bytes: { downstream_to_upstream: 0, upstream_to_downstream: 0 }, messages: { downstream_to_upstream: 0, upstream_to_downstream: 0 } };
  readonly messageSize = new HotHistogram<Direction>(MESSAGE_SIZE_BUCKETS, DIRECTIONS);
  readonly nacks = new LabeledCount();
  readonly streamDuration = new HotHistogram<Outcome>(STREAM_DURATION_BUCKETS);
  readonly rejected = new LabeledCount();

  private exposition: Promise<RelayExposition> | undefined;

  /** appnet_relay_upstream_buffered_bytes, read at each scrape (0 until watchUpstreamBuffer). */
  upstreamBuffered: () => number = () => 0;

  watchUpstreamBuffer(held: () => number): void {
    this.upstreamBuffered = held;
  }

  streamEnded(outcome: Outcome, seconds: number): void {
    this.streamsTotal.inc(outcome);
    this.streamDuration.observe(outcome, seconds);
  }

  /**
   * The exposition and its content type. The first call loads prom-client and
   * sets up its process metrics (CPU, memory, event-loop lag, GC: a timer and a
   * PerformanceObserver from then on; counters such as CPU seconds read the
   * process totals, so they are whole from the start, the event-loop and GC
   * histograms cover the time since the first scrape).
   */
  scrape(): Promise<{ contentType: string; text: string }> {
    this.exposition ??= import('./metrics-exposition.js').then((m) => new m.RelayExposition(this));
    return this.exposition.then((e) => e.scrape());
  }

  /** The exposition text (what /stats/prometheus serves). */
  text(): Promise<string> {
    return this.scrape().then((s) => s.text);
  }
}
