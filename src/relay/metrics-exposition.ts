import { Counter, Gauge, type Metric, Registry, collectDefaultMetrics } from 'prom-client';
import type { HotHistogram } from './hot-histogram';
import { DIRECTIONS, type RelayMetrics } from './metrics';

type Value = { metricName: string; labels: Record<string, string | number>; value: number };

/**
 * The relay's metrics as Prometheus sees them: a prom-client registry built at
 * the first scrape (this module is loaded then, and prom-client with it), each
 * metric filling itself from RelayMetrics' plain numbers in its `collect()`.
 * The exposition is what prom-client's own Counter, Gauge and Histogram objects
 * updated as the relay went would write (metrics.test.ts checks it).
 */
export class RelayExposition {
  private readonly registry = new Registry();

  constructor(m: RelayMetrics) {
    const registers = [this.registry];
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect(this: Gauge) {
          this.set(read());
        },
      });
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect(this: Counter) {
          this.reset();
          this.inc(read());
        },
      });
    const labeled = (name: string, help: string, labelName: string, read: () => Iterable<[string, number]>) =>
      new Counter({
        name,
        help,
        labelNames: [labelName],
        registers,
        collect(this: Counter<string>) {
          this.reset();
          for (const [v, n] of read()) this.inc({ [labelName]: v }, n);
        },
      });
    const histogram = (name: string, help: string, labelName: string, h: HotHistogram<string>) =>
      this.registry.registerMetric({ name, help, type: 'histogram', get: () => histogramValues(name, help, labelName, h) } as unknown as Metric);

    gauge('appnet_relay_streams_active', 'Streams being relayed now', () => m.streamsActive);
    labeled('appnet_relay_streams_total', 'Streams relayed, by how they ended', 'outcome', () => m.streamsTotal.values);
    labeled('appnet_relay_bytes_total', 'Bytes relayed (gRPC framing included)', 'direction', () => DIRECTIONS.map((d) => [d, m.hot.bytes[d]]));
    labeled('appnet_relay_messages_total', 'gRPC messages relayed', 'direction', () => DIRECTIONS.map((d) => [d, m.hot.messages[d]]));
    histogram('appnet_relay_message_size_bytes', 'Size of relayed gRPC messages', 'direction', m.messageSize);
    labeled('appnet_relay_nacks_total', 'xDS NACKs sent by clients', 'type_url', () => m.nacks.values);
    gauge('appnet_relay_upstream_connected', '1 when connected to the management server', () => m.upstreamConnected);
    gauge('appnet_relay_upstream_connections', 'Open connections to the management server (draining ones included)', () => m.upstreamConnections);
    counter('appnet_relay_upstream_connects_total', 'Connections made to the management server', () => m.totals.upstreamConnects);
    counter('appnet_relay_upstream_connect_failures_total', 'Failed or lost connections to the management server', () => m.totals.upstreamConnectFailures);
    counter('appnet_relay_upstream_throttles_total', "Times an upstream connection's stream windows were lowered because its streams held RELAY_UPSTREAM_BUFFER_LIMIT_BYTES", () => m.totals.upstreamThrottles);
    gauge('appnet_relay_upstream_buffered_bytes', 'Bytes read from the management server that clients have not taken yet (while any client is behind; sampled every 10 ms)', () => m.upstreamBuffered());
    counter('appnet_relay_credential_refreshes_total', 'AWS credential fetches that succeeded', () => m.totals.credentialRefreshes);
    counter('appnet_relay_credential_failures_total', 'AWS credential fetches that failed', () => m.totals.credentialFailures);
    histogram('appnet_relay_stream_duration_seconds', 'How long relayed streams lived', 'outcome', m.streamDuration);
    labeled('appnet_relay_rejected_requests_total', 'Requests on the socket that were not relayed', 'reason', () => m.rejected.values);
    collectDefaultMetrics({ register: this.registry, prefix: 'appnet_relay_' });
  }

  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}

/** What prom-client's Histogram lists: per label value its cumulative buckets, +Inf, sum and count. */
function histogramValues(name: string, help: string, labelName: string, h: HotHistogram<string>) {
  const values: Value[] = [];
  for (const [label, s] of h.series) {
    let cumulative = 0;
    h.buckets.forEach((le, i) => {
      cumulative += s.counts[i]!;
      values.push({ metricName: `${name}_bucket`, labels: { le, [labelName]: label }, value: cumulative });
    });
    values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', [labelName]: label }, value: s.count });
    values.push({ metricName: `${name}_sum`, labels: { [labelName]: label }, value: s.sum });
    values.push({ metricName: `${name}_count`, labels: { [labelName]: label }, value: s.count });
  }
  return { name, help, type: 'histogram', aggregator: 'sum', values };
}
