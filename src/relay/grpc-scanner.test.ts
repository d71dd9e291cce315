import { describe, expect, it } from 'vitest';
import { loadEnvoyRoot } from '../common/envoy-protos';
import { CaptureBufferPool } from './capture-pool';
import { GrpcMessageScanner, type ScannedMessage } from './grpc-scanner';
import { XdsEnvelopeCodec } from './xds-envelope-codec';
import { TypeUrl } from '../common/xds/vocabulary';

const root = loadEnvoyRoot(['envoy/service/discovery/v3/discovery.proto', 'envoy/config/cluster/v3/cluster.proto']);
const Req = root.lookupType('envoy.service.discovery.v3.DiscoveryRequest');
const Res = root.lookupType('envoy.service.discovery.v3.DiscoveryResponse');
const DeltaReq = root.lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
const DeltaRes = root.lookupType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
const codec = new XdsEnvelopeCodec();
const CDS = TypeUrl.Cluster;

function frame(payload: Uint8Array, compressed = false): Buffer {
  const h = Buffer.alloc(5);
  h[0] = compressed ? 1 : 0;
  h.writeUInt32BE(payload.length, 1);
  return Buffer.concat([h, payload]);
}

/** Shared by the scans with an odd seed, as a relay's streams share one: buffers go back and are reused (even seeds: a fresh pool). */
const POOL = new CaptureBufferPool(4096, 4);

/** Feed `bytes` in pieces of random sizes (seeded), collecting messages. */
function scan(bytes: Buffer, plan: ReturnType<XdsEnvelopeCodec['plan']>, seed = 1, maxPiece = 37): ScannedMessage[] {
  const out: ScannedMessage[] = [];
  // The scanner reuses its message object and (with a pool) its capture buffer: keep a frozen copy of each.
  const copy = (m: ScannedMessage): ScannedMessage => {
    const counts = new Map([2, 3, 6].map((f) => [f, m.count(f)]));
    return { ...m, captured: Buffer.from(m.captured), count: (f) => counts.get(f) ?? 0 };
  };
  const s = new GrpcMessageScanner(plan, { onScanned: (_t: number, m: ScannedMessage) => out.push(copy(m)) }, 0, seed % 2 === 1 ? POOL : new CaptureBufferPool());
  let x = seed;
  for (let i = 0; i < bytes.length; ) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (x % maxPiece);
    s.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe('GrpcMessageScanner + XdsEnvelopeCodec', () => {
  it('reads node, type, version, nonce and NACK detail of SotW requests split at every boundary', () => {
    const first = Req.encode(
      Req.fromObject({
        node: { id: 'mesh/apps/virtualNode/a', cluster: 'a', user_agent_name: 'envoy', user_agent_version: '1.29.1', locality: { zone: 'z1' }, metadata: { fields: { big: { stringValue: 'm'.repeat(5000) } } } },
        type_url: CDS,
        resource_names: ['x', 'y', 'z'],
      }),
    ).finish();
    const nack = Req.encode(
      Req.fromObject({ version_info: 'v1', type_url: CDS, response_nonce: 'n2', error_detail: { code: 3, message: 'bad cluster ünïcode' } }),
    ).finish();
    const bytes = Buffer.concat([frame(first), frame(nack), frame(new Uint8Array(0))]);
    for (const seed of [1, 2, 3, 99]) {
      const msgs = scan(bytes, codec.plan('sotw', 'request'), seed);
      expect(msgs).toHaveLength(3);
      const a = codec.decodeRequest('sotw', msgs[0]!)!;
      expect(a.node).toEqual({ id: 'mesh/apps/virtualNode/a', cluster: 'a', userAgent: 'envoy/1.29.1', locality: { region: '', zone: 'z1', subZone: '' } });
      expect(a).toMatchObject({ typeUrl: CDS, responseNonce: '', versionInfo: '', names: 3 });
      expect(a.errorDetail).toBeUndefined();
      const b = codec.decodeRequest('sotw', msgs[1]!)!;
      expect(b).toMatchObject({ typeUrl: CDS, versionInfo: 'v1', responseNonce: 'n2', errorDetail: { code: 3, message: 'bad cluster ünïcode' } });
      expect(b.node).toBeUndefined();
      expect(msgs[2]!.size).toBe(0);
    }
  });

  it('captures the same bytes whether a field comes in small pieces or in large ones (byte loop and Buffer.copy)', () => {
    const msg = Req.encode(
      Req.fromObject({
        node: { id: 'mesh/apps/virtualNode/' + 'n'.repeat(200), cluster: 'c'.repeat(90), metadata: { fields: { big: { stringValue: 'm'.repeat(3000) } } } },
        version_info: 'v'.repeat(70),
        type_url: CDS,
        response_nonce: 'n'.repeat(65),
      }),
    ).finish();
    const bytes = Buffer.concat([frame(msg), frame(msg)]);
    const small = scan(bytes, codec.plan('sotw', 'request'), 1);
    for (const [seed, maxPiece] of [[1, 100_000], [2, 5000], [3, 700], [4, 130]] as const) {
      const large = scan(bytes, codec.plan('sotw', 'request'), seed, maxPiece);
      expect(large.map((m) => m.captured.toString('hex'))).toEqual(small.map((m) => m.captured.toString('hex')));
    }
    const r = codec.decodeRequest('sotw', small[0]!)!;
    expect(r.node?.id).toBe('mesh/apps/virtualNode/' + 'n'.repeat(200));
    expect(r.versionInfo).toBe('v'.repeat(70));
    expect(r.responseNonce).toBe('n'.repeat(65));
  });

  it('counts resources of a large response without capturing them', () => {
    const blob = 'r'.repeat(3 * 1024 * 1024);
    const resources = Array.from({ length: 4 }, (_, i) => ({ type_url: CDS, value: Buffer.from(`${i}${blob}`) }));
    const payload = Res.encode(Res.fromObject({ version_info: '7', type_url: CDS, nonce: 'abc', resources })).finish();
    const msgs = scan(frame(payload), codec.plan('sotw', 'response'));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.size).toBe(payload.length);
    expect(msgs[0]!.captured.length).toBeLessThan(200);
    expect(codec.decodeResponse('sotw', msgs[0]!)).toEqual({ typeUrl: CDS, versionInfo: '7', nonce: 'abc', resources: 4, removed: 0 });
  });

  it('reads Delta requests and responses', () => {
    const req = DeltaReq.encode(
      DeltaReq.fromObject({ node: { id: 'n1' }, type_url: CDS, resource_names_subscribe: ['a', 'b'], response_nonce: '5', error_detail: { code: 13, message: 'nope' } }),
    ).finish();
    const res = DeltaRes.encode(
      DeltaRes.fromObject({ system_version_info: 's9', type_url: CDS, nonce: '6', resources: [{ name: 'a', version: '1' }], removed_resources: ['c', 'd'] }),
    ).finish();
    const r = codec.decodeRequest('delta', scan(frame(req), codec.plan('delta', 'request'))[0]!)!;
    expect(r).toMatchObject({ typeUrl: CDS, responseNonce: '5', names: 2, errorDetail: { code: 13, message: 'nope' }, node: { id: 'n1' } });
    const s = codec.decodeResponse('delta', scan(frame(res), codec.plan('delta', 'response'))[0]!)!;
    expect(s).toEqual({ typeUrl: CDS, versionInfo: 's9', nonce: '6', resources: 1, removed: 2 });
  });

  it('frames opaque and compressed streams, and survives garbage without throwing', () => {
    const msgs = scan(Buffer.concat([frame(Buffer.from('hello')), frame(Buffer.from('zz'), true)]), undefined);
    expect(msgs.map((m) => [m.size, m.compressed])).toEqual([
      [5, false],
      [2, true],
    ]);
    const compressed = scan(frame(Buffer.from([0x0a, 0x01, 0x41]), true), codec.plan('sotw', 'request'));
    expect(compressed[0]!.incomplete).toBe('compressed message');
    expect(codec.decodeRequest('sotw', compressed[0]!)).toBeUndefined();
    // random bytes: a bad message is reported, never thrown
    const junk = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256));
    const body = frame(junk);
    const out = scan(body, codec.plan('sotw', 'request'));
    expect(out).toHaveLength(1);
    expect(() => codec.decodeRequest('sotw', out[0]!)).not.toThrow();
  });

  it('skips a captured field that is over the capture limit and says so', () => {
    const huge = Req.encode(Req.fromObject({ node: { id: 'n', metadata: { fields: { k: { stringValue: 'x'.repeat(300 * 1024) } } } }, type_url: CDS })).finish();
    const [m] = scan(frame(huge), codec.plan('sotw', 'request'));
    expect(m!.incomplete).toMatch(/field 2 too large/);
    const r = codec.decodeRequest('sotw', m!)!;
    expect(r.typeUrl).toBe(CDS);
    expect(r.node).toBeUndefined();
  });

  it('with a pool, a scanner holds no capture buffer between messages and reuses the pool\'s', () => {
    const pool = new CaptureBufferPool(4096, 2);
    const seen: number[] = [];
    const s = new GrpcMessageScanner(codec.plan('sotw', 'request'), { onScanned: (_t: number, m: ScannedMessage) => seen.push(m.captured.length) }, 0, pool);
    const small = Req.encode(Req.fromObject({ version_info: 'v1', type_url: CDS, response_nonce: 'n1' })).finish();
    const big = Req.encode(Req.fromObject({ type_url: CDS, node: { id: 'n', metadata: { fields: { big: { stringValue: 'm'.repeat(9000) } } } } })).finish();
    const f = frame(small);
    s.push(f.subarray(0, 9)); // mid-message: the buffer is taken
    expect(pool.available).toBe(0);
    s.push(f.subarray(9));
    expect(pool.available).toBe(1); // given back once the sink saw the message
    s.push(frame(small));
    expect(pool.available).toBe(1); // the same buffer, taken and given back: none allocated
    s.push(frame(big)); // grows past the pool's size: the pooled one goes back, the grown one is dropped
    expect(pool.available).toBe(1);
    expect(seen).toHaveLength(3);
    expect(seen[2]).toBeGreaterThan(9000);
  });
});
