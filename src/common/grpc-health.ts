import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { projectProtoDir } from './envoy-protos';

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

/** grpc.health.v1 messages (proto/grpc/health/v1/health.proto), for the relay's service and the agent's checks. */
export class HealthCodec {
  private readonly req: protobuf.Type;
  private readonly res: protobuf.Type;

  constructor() {
    const root = new protobuf.Root().loadSync(path.join(projectProtoDir(), 'grpc', 'health', 'v1', 'health.proto'), { keepCase: true });
    this.req = root.lookupType('grpc.health.v1.HealthCheckRequest');
    this.res = root.lookupType('grpc.health.v1.HealthCheckResponse');
  }

  encodeRequest(service: string): Buffer {
    return grpcFrame(this.req.encode(this.req.fromObject({ service })).finish());
  }

  /** The service name asked for; undefined when the body is not a HealthCheckRequest. */
  decodeRequest(body: Buffer): string | undefined {
    if (body.length === 0) return '';
    const payload = grpcUnframe(body);
    if (!payload) return undefined;
    try {
      return (this.req.toObject(this.req.decode(payload)) as { service?: string }).service ?? '';
    } catch {
      return undefined;
    }
  }

  encodeResponse(status: ServingStatusName): Buffer {
    return grpcFrame(this.res.encode(this.res.fromObject({ status: NAMES.indexOf(status) })).finish());
  }

  decodeResponse(body: Buffer): ServingStatusName | undefined {
    const payload = grpcUnframe(body);
    if (!payload) return undefined;
    try {
      const n = (this.res.toObject(this.res.decode(payload)) as { status?: number }).status ?? 0;
      return NAMES[n] ?? 'UNKNOWN';
    } catch {
      return undefined;
    }
  }
}
