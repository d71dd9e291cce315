import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DIRECTIONS, type Direction, MESSAGE_SIZE_BUCKETS, RelayMetrics, STREAM_DURATION_BUCKETS } from './metrics';
import type { Outcome } from './stream-lifecycle';

/**
 * The relay's metrics as prom-client's own objects kept them before they became
 * plain numbers published at scrape time: the same names, help texts, labels,
 * buckets and registration order. The relay's exposition must read exactly as
 * this one does after the same events.
 */
class Reference {
  readonly registry = new Registry();
  private readonly registers = [this.registry];
  readonly streamsActive = new Gauge({ name: 'appnet_relay_streams_active', help: 'Streams being relayed now', registers: this.registers });
  readonly streamsTotal = new Counter({ name: 'appnet_relay_streams_total', help: 'Streams relayed, by how they ended', labelNames: ['outcome'], registers: this.registers });
  readonly bytes = new Counter({ name: 'appnet_relay_bytes_total', help: 'Bytes relayed (gRPC framing included)', labelNames: ['direction'], registers: this.registers });
  readonly messages = new Counter({ name: 'appnet_relay_messages_total', help: 'gRPC messages relayed', labelNames: ['direction'], registers: this.registers });
  readonly messageSize = new Histogram({
    name: 'appnet_relay_message_size_bytes',
    help: 'Size of relayed gRPC messages',
    labelNames: ['direction'],
    buckets: MESSAGE_SIZE_BUCKETS,
    registers: this.registers,
  });
  readonly nacks = new Counter({ name: 'appnet_relay_nacks_total', help: 'xDS NACKs sent by clients', labelNames: ['type_url'], registers: this.registers });
  readonly upstreamConnected = new Gauge({ name: 'appnet_relay_upstream_connected', help: '1 when connected to the management server', registers: this.registers });
  readonly upstreamConnections = new Gauge({
    name: 'appnet_relay_upstream_connections',
    help: 'Open connections to the management server (draining ones included)',
    registers: this.registers,
  });
  readonly upstreamConnects = new Counter({ name: 'appnet_relay_upstream_connects_total', help: 'Connections made to the management server', registers: this.registers });
  readonly upstreamConnectFailures = new Counter({
    name: 'appnet_relay_upstream_connect_failures_total',
    help: 'Failed or lost connections to the management server',
    registers: this.registers,
  });
  readonly upstreamThrottles = new Counter({
    name: 'appnet_relay_upstream_throttles_total',
    help: "Times an upstream connection's stream windows were lowered because its streams held RELAY_UPSTREAM_BUFFER_LIMIT_BYTES",
    registers: this.registers,
  });
  readonly upstreamBuffered = new Gauge({
    name: 'appnet_relay_upstream_buffered_bytes',
    help: 'Bytes read from the management server that clients have not taken yet (while any client is behind; sampled every 10 ms)',
    registers: this.registers,
  });
  readonly credentialRefreshes = new Counter({ name: 'appnet_relay_credential_refreshes_total', help: 'AWS credential fetches that succeeded', registers: this.registers });
  readonly credentialFailures = new Counter({ name: 'appnet_relay_credential_failures_total', help: 'AWS credential fetches that failed', registers: this.registers });
  readonly streamDuration = new Histogram({
    name: 'appnet_relay_stream_duration_seconds',
    help: 'How long relayed streams lived',
    labelNames: ['outcome'],
    buckets: STREAM_DURATION_BUCKETS,
    registers: this.registers,
  });
  readonly rejected = new Counter({ name: 'appnet_relay_rejected_requests_total', help: 'Requests on the socket that were not relayed', labelNames: ['reason'], registers: this.registers });

  constructor() {
    // The message-size histogram and the byte and message counters listed both directions from the start.
    for (const d of DIRECTIONS) {
      this.messageSize.zero({ direction: d });
      this.bytes.inc({ direction: d }, 0);
      this.messages.inc({ direction: d }, 0);
    }
  }
}

/** The same events applied to both. */
function apply(m: RelayMetrics, r: Reference, round: number): void {
  m.upstreamConnected = 1;
  r.upstreamConnected.set(1);
  m.upstreamConnections = 3;
  r.upstreamConnections.set(3);
  m.totals.upstreamConnects += 2;
  r.upstreamConnects.inc(2);
  m.totals.upstreamConnectFailures++;
  r.upstreamConnectFailures.inc();
  m.totals.credentialRefreshes++;
  r.credentialRefreshes.inc();
  if (round > 1) {
    m.totals.credentialFailures++;
    r.credentialFailures.inc();
  }
  const sizes = [0, 100, 256, 257, 5000, 70_000, 2_000_000, 50_000_000];
  for (const [i, size] of sizes.entries()) {
    const d: Direction = DIRECTIONS[(i + round) % 2]!;
    m.hot.messages[d]++;
    r.messages.inc({ direction: d });
    m.hot.bytes[d] += size + 5;
    r.bytes.inc({ direction: d }, size + 5);
    m.messageSize.observe(d, size);
    r.messageSize.observe({ direction: d }, size);
  }
  const ends: Array<[Outcome, number]> = round === 1 ? [['cancelled', 0.004], ['ok', 12.5], ['cancelled', 4000]] : [['ok', 0.1], ['idle_timeout', 100_000], ['shutdown', 1]];
  for (const [outcome, seconds] of ends) {
    m.streamEnded(outcome, seconds);
    r.streamsTotal.inc({ outcome });
    r.streamDuration.observe({ outcome }, seconds);
  }
  for (const t of ['type.googleapis.com/envoy.config.cluster.v3.Cluster', 'type.googleapis.com/envoy.config.listener.v3.Listener', 'type.googleapis.com/envoy.config.cluster.v3.Cluster']) {
    m.nacks.inc(t);
    r.nacks.inc({ type_url: t });
  }
  for (const reason of round === 1 ? ['http1', 'not_grpc', 'http1'] : ['rate_limited', 'draining']) {
    m.rejected.inc(reason);
    r.rejected.inc({ reason });
  }
  m.streamsActive = 3 + round;
  r.streamsActive.set(3 + round);
}

/** The exposition's metric blocks (HELP, TYPE and samples of one metric each). */
const blocks = (text: string): string[] => text.trimEnd().split('\n\n');
const blockName = (b: string): string => /^# HELP (\S+)/.exec(b)![1]!;

async function expectSameAsReference(m: RelayMetrics, r: Reference): Promise<void> {
  const ours = blocks(await m.text());
  const ref = blocks(await r.registry.metrics());
  expect(ours.slice(0, ref.length)).toEqual(ref);
  // After the relay's own metrics: prom-client's process metrics, and nothing else.
  const rest = ours.slice(ref.length).map(blockName);
  expect(rest.length).toBeGreaterThan(5);
  for (const name of rest) expect(name).toMatch(/^appnet_relay_(process|nodejs)_/);
}

describe('RelayMetrics: plain numbers, published through prom-client at scrape time', () => {
  it('writes what prom-client metric objects would, before any stream and after streams (scrape after scrape)', async () => {
    const m = new RelayMetrics();
    const r = new Reference();
    await expectSameAsReference(m, r);
    apply(m, r, 1);
    await expectSameAsReference(m, r);
    apply(m, r, 2);
    await expectSameAsReference(m, r);
    // A scrape reads; it does not add: the same text twice in a row.
    await expectSameAsReference(m, r);
  });

  it('serves the Prometheus text content type', async () => {
    expect((await new RelayMetrics().scrape()).contentType).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
  });
});
