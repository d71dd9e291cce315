export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';
export const HEALTH_WATCH_PATH = '/grpc.health.v1.Health/Watch';
export type ServingStatusName = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
const NAMES: ServingStatusName[] = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** One gRPC message with its 5-byte length prefix (uncompressed). */
export function grpcFrame(payload: Uint8Array): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(payload.length, 1);
  return Buffer.concat([h, payload]);
}

/** The payload of the single uncompressed gRPC message in `body`, or undefined if it is not that. */
export function grpcUnframe(body: Buffer): Buffer | undefined {
  if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5) return undefined;
  return body.subarray(5);
}

type Minimal = typeof import('protobufjs/minimal');

/** Field 1 of both messages: `service` (a string, wire type 2) and `status` (an enum, wire type 0). */
const SERVICE_TAG = (1 << 3) | 2;
const STATUS_TAG = (1 << 3) | 0;

/**
 * grpc.health.v1 messages (proto/grpc/health/v1/health.proto: one field each), for the
 * relay's service and the agent's checks. Encoded and decoded with protobufjs's minimal
 * runtime, field by field, as its static code generator (pbjs -t static) writes them:
 * the reflection build and the .proto parser would cost the agent about twice the load
 * time and a MiB more, for two one-field messages (docs/agent-performance.md). The
 * runtime is loaded at the first use.
 */
export class HealthCodec {
  private readonly pb: Minimal = require('protobufjs/minimal') as Minimal;

  encodeRequest(service: string): Buffer {
    return grpcFrame(this.pb.Writer.create().uint32(SERVICE_TAG).string(service).finish());
  }

  /** The service name asked for; undefined when the body is not a HealthCheckRequest. */
  decodeRequest(body: Buffer): string | undefined {
    if (body.length === 0) return '';
    const payload = grpcUnframe(body);
    if (!payload) return undefined;
    try {
      let service = '';
      this.fields(payload, (tag, r) => {
        if (tag !== SERVICE_TAG) return false;
        service = r.string();
        return true;
      });
      return service;
    } catch {
      return undefined;
    }
  }

  encodeResponse(status: ServingStatusName): Buffer {
    return grpcFrame(this.pb.Writer.create().uint32(STATUS_TAG).int32(NAMES.indexOf(status)).finish());
  }

  decodeResponse(body: Buffer): ServingStatusName | undefined {
    const payload = grpcUnframe(body);
    if (!payload) return undefined;
    try {
      let n = 0;
      this.fields(payload, (tag, r) => {
        if (tag !== STATUS_TAG) return false;
        n = r.int32();
        return true;
      });
      return NAMES[n] ?? 'UNKNOWN';
    } catch {
      return undefined;
    }
  }

  /** Every field of `payload`: `take` reads the ones it knows (returning true), the rest are skipped; throws when malformed. */
  private fields(payload: Uint8Array, take: (tag: number, r: import('protobufjs/minimal').Reader) => boolean): void {
    const r = this.pb.Reader.create(payload);
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (!take(tag, r)) r.skipType(tag & 7);
    }
    if (r.pos !== r.len) throw new Error('truncated message');
  }
}
