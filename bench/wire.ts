/**
 * Just enough protobuf to speak SotW ADS in the benchmark: DiscoveryRequest and
 * DiscoveryResponse are encoded by hand (no proto loading in the hot path), so
 * the relay sees real xDS envelopes and does its real per-message work
 * (scanning, envelope decoding, per-type tracking) while client and server
 * stay cheap. A request asks for its responses in resource_names[0]:
 * `bench:<count>:<bytes>` = send <count> DiscoveryResponses of ~<bytes> each.
 */
import * as crypto from 'node:crypto';
import { AdsPath, TypeUrl } from '../src/common/xds/vocabulary';

export const ADS_PATH = AdsPath.sotw;
export const DOMAIN = 'ecs-sc.us-west-2.api.aws';
export const TYPE_URL = TypeUrl.Cluster;
/** Size of one resource's payload in large responses (many resources, like a real CDS/EDS push). */
const RESOURCE_CHUNK = 4096;

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
}

function lenField(fieldNo: number, payload: Buffer): Buffer {
  return Buffer.concat([varint(fieldNo * 8 + 2), varint(payload.length), payload]);
}

const str = (fieldNo: number, s: string): Buffer => (s === '' ? Buffer.alloc(0) : lenField(fieldNo, Buffer.from(s)));

export interface RequestSpec {
  count: number;
  bytes: number;
  nodeId?: string;
  versionInfo?: string;
  responseNonce?: string;
}

/** A DiscoveryRequest (node only on the first request of a stream, as Envoy does). */
export function discoveryRequest(spec: RequestSpec): Buffer {
  const parts = [str(1, spec.versionInfo ?? '')];
  if (spec.nodeId !== undefined) {
    const node = Buffer.concat([str(1, spec.nodeId), str(2, 'bench-cluster'), str(6, 'envoy'), str(7, '1.31.0')]);
    parts.push(lenField(2, node));
  }
  parts.push(str(3, `bench:${spec.count}:${spec.bytes}`), str(4, TYPE_URL), str(5, spec.responseNonce ?? ''));
  return Buffer.concat(parts);
}

/** The `bench:<count>:<bytes>` ask of a DiscoveryRequest, read from its top-level fields. */
export function parseAsk(req: Buffer): { count: number; bytes: number } | undefined {
  let i = 0;
  const readVarint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (i >= req.length) throw new Error('truncated varint');
      const b = req[i++]!;
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
      mul *= 128;
    }
  };
  try {
    while (i < req.length) {
      const tag = readVarint();
      const wire = tag % 8;
      const fieldNo = Math.floor(tag / 8);
      if (wire === 0) readVarint();
      else if (wire === 2) {
        const len = readVarint();
        if (fieldNo === 3) {
          const m = /^bench:(\d+):(\d+)$/.exec(req.toString('latin1', i, i + len));
          if (m) return { count: Number(m[1]), bytes: Number(m[2]) };
        }
        i += len;
      } else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The version_info of a DiscoveryResponse made by discoveryResponse() (its first field), or '' if it has none. */
export function responseVersion(res: Buffer): string {
  if (res.length < 2 || res[0] !== 0x0a) return '';
  let len = 0;
  let mul = 1;
  let i = 1;
  for (; i < res.length; i++) {
    const b = res[i]!;
    len += (b & 0x7f) * mul;
    mul *= 128;
    if ((b & 0x80) === 0) break;
  }
  return res.toString('latin1', i + 1, Math.min(res.length, i + 1 + len));
}

function anyResource(valueBytes: number, filler: Buffer): Buffer {
  return lenField(2, Buffer.concat([str(1, TYPE_URL), lenField(2, filler.subarray(0, valueBytes))]));
}

/**
 * A DiscoveryResponse of (about) `bytes` bytes: resources of RESOURCE_CHUNK
 * bytes each, the last one sized to make up the total.
 */
export function discoveryResponse(bytes: number, version = '1', nonce = 'n1'): Buffer {
  const filler = crypto.randomBytes(Math.max(64, Math.min(bytes, RESOURCE_CHUNK)));
  const head = Buffer.concat([str(1, version), str(4, TYPE_URL), str(5, nonce)]);
  const full = anyResource(Math.min(RESOURCE_CHUNK, filler.length), filler);
  const parts: Buffer[] = [head];
  let size = head.length;
  while (bytes - size > full.length + 64) {
    parts.push(full);
    size += full.length;
  }
  // The last resource: overhead is ~60 bytes; fix up so the total is exact (or as close as varints allow).
  let value = Math.max(1, bytes - size - 64);
  let last = anyResource(Math.min(value, filler.length), filler);
  for (let k = 0; k < 4 && size + last.length !== bytes; k++) {
    value = Math.max(1, Math.min(filler.length, value + (bytes - size - last.length)));
    last = anyResource(value, filler);
  }
  parts.push(last);
  return Buffer.concat(parts);
}
