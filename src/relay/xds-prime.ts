import { CaptureBufferPool } from './capture-pool';
import { GrpcMessageScanner, type ScanPlan, type ScannedMessage } from './grpc-scanner';
import type { XdsEnvelopeCodec } from './xds-envelope-codec';
import { XdsStreamTracker } from './xds-tracker';

/**
 * Runs a few synthetic SotW streams (first request with a node, a response, an
 * ACK, a NACK) through the scanner, the codec and the tracker, once, when the
 * codec is loaded. V8 records type feedback for a function only after its
 * first few calls, so the first stream's first message (the node, the first
 * captured field of a scanner) left none behind, and the optimised per-message
 * code then deoptimised and was recompiled at the first message of every new
 * stream. With these paths taken while feedback is recorded, it is not:
 * `bench/proxy-load.ts --mode deopt` lists no deoptimisation of the scanner,
 * codec or tracker on a new stream, and the relay's instructions for 3,000
 * round trips fell by 13 % (docs/relay-performance.md, "Per message").
 * Nothing here touches a real stream or a metric.
 */
export function primePerMessagePath(codec: XdsEnvelopeCodec, plan: (direction: 'request' | 'response') => ScanPlan | undefined, streams = 20): void {
  const varint = (n: number): Buffer => {
    const o: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 0x80)) o.push((n % 0x80) | 0x80);
    o.push(n);
    return Buffer.from(o);
  };
  const field = (no: number, b: Buffer): Buffer => Buffer.concat([varint(no * 8 + 2), varint(b.length), b]);
  const str = (no: number, s: string): Buffer => field(no, Buffer.from(s));
  const frame = (p: Buffer): Buffer => {
    const h = Buffer.alloc(5);
    h.writeUInt32BE(p.length, 1);
    return Buffer.concat([h, p]);
  };
  const type = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
  const node = field(2, Buffer.concat([str(1, 'prime'), str(2, 'prime'), str(6, 'envoy'), str(7, '1')]));
  const first = frame(Buffer.concat([node, str(3, 'a'), str(4, type)]));
  const ack = frame(Buffer.concat([str(1, '1'), str(3, 'a'), str(4, type), str(5, 'n1')]));
  const nack = frame(Buffer.concat([str(1, '1'), str(4, type), str(5, 'n1'), field(6, Buffer.concat([Buffer.from([8, 3]), str(2, 'bad')]))]));
  const response = frame(Buffer.concat([str(1, '1'), field(2, Buffer.alloc(1000)), str(4, type), str(5, 'n1')]));
  for (let i = 0; i < streams; i++) {
    const tracker = new XdsStreamTracker();
    const sink = {
      onScanned(isResponse: boolean, m: ScannedMessage): void {
        if (isResponse) {
          const r = codec.decodeResponse('sotw', m);
          if (r) tracker.onResponse(r);
        } else {
          const r = codec.decodeRequest('sotw', m);
          if (r) tracker.onRequest(r);
        }
      },
    };
    const pool = new CaptureBufferPool(); // the relay's streams scan with one (capture-pool.ts)
    const requests = new GrpcMessageScanner(plan('request'), sink, false, pool);
    const responses = new GrpcMessageScanner(plan('response'), sink, true, pool);
    requests.push(first);
    responses.push(response);
    requests.push(ack);
    responses.push(response);
    requests.push(nack);
  }
}
