import * as path from 'node:path';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import * as protobuf from 'protobufjs';
import { projectProtoDir } from '../common/envoy-protos';
import { GrpcStatus, grpcStatusHeaders } from '../common/grpc-status';

export const HEALTH_PREFIX = '/grpc.health.v1.Health/';
export type ServingStatus = 'SERVING' | 'NOT_SERVING';
const STATUS_NUMBER: Record<ServingStatus | 'SERVICE_UNKNOWN', number> = { SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 };
const MAX_REQUEST = 64 * 1024;

/** Service name -> its current status; unknown names return undefined. */
export type HealthLookup = (service: string) => ServingStatus | undefined;

/**
 * grpc.health.v1.Health answered by the relay on its own socket, so a sidecar
 * can ask through the connection it already has: service "" = the relay is up,
 * "upstream" = the management server is reachable through it.
 */
export class RelayHealthService {
  private readonly req: protobuf.Type;
  private readonly res: protobuf.Type;
  private readonly watchers = new Set<{ stream: ServerHttp2Stream; service: string; last: number }>();

  constructor(private readonly lookup: HealthLookup) {
    const root = new protobuf.Root().loadSync(path.join(projectProtoDir(), 'grpc', 'health', 'v1', 'health.proto'), { keepCase: true });
    this.req = root.lookupType('grpc.health.v1.HealthCheckRequest');
    this.res = root.lookupType('grpc.health.v1.HealthCheckResponse');
  }

  handles(urlPath: string): boolean {
    return urlPath.startsWith(HEALTH_PREFIX);
  }

  serve(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const method = String(headers[':path']).slice(HEALTH_PREFIX.length);
    stream.on('error', () => undefined);
    if (method !== 'Check' && method !== 'Watch') return trailersOnly(stream, GrpcStatus.UNIMPLEMENTED, `unknown method grpc.health.v1.Health/${method}`);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST) {
        stream.removeListener('data', onData);
        trailersOnly(stream, GrpcStatus.RESOURCE_EXHAUSTED, 'health check request too large');
      } else chunks.push(c);
    };
    stream.on('data', onData);
    stream.on('end', () => {
      if (size > MAX_REQUEST) return;
      const service = this.decodeService(Buffer.concat(chunks));
      if (service === undefined) return trailersOnly(stream, GrpcStatus.INVALID_ARGUMENT, 'malformed HealthCheckRequest');
      if (method === 'Check') this.check(stream, service);
      else this.watch(stream, service);
    });
  }

  /** Re-send Watch answers whose status changed; call after any health change. */
  notify(): void {
    for (const w of this.watchers) {
      const n = this.statusNumber(w.service);
      if (n !== w.last && !w.stream.destroyed) {
        w.last = n;
        w.stream.write(this.frame(n));
      }
    }
  }

  /** End Watch streams (relay shutdown). */
  closeWatchers(): void {
    for (const w of this.watchers) {
      if (!w.stream.destroyed && !w.stream.writableEnded) w.stream.end();
    }
    this.watchers.clear();
  }

  private check(stream: ServerHttp2Stream, service: string): void {
    const status = this.lookup(service);
    if (status === undefined) return trailersOnly(stream, GrpcStatus.NOT_FOUND, `unknown service "${service}"; known: "" (relay), "upstream"`);
    if (stream.destroyed) return;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers(grpcStatusHeaders(GrpcStatus.OK, '')));
    stream.end(this.frame(STATUS_NUMBER[status]));
  }

  private watch(stream: ServerHttp2Stream, service: string): void {
    if (stream.destroyed) return;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers(grpcStatusHeaders(GrpcStatus.UNAVAILABLE, 'relay shutting down')));
    const w = { stream, service, last: this.statusNumber(service) };
    this.watchers.add(w);
    stream.once('close', () => this.watchers.delete(w));
    stream.write(this.frame(w.last));
  }

  private statusNumber(service: string): number {
    const s = this.lookup(service);
    return s === undefined ? STATUS_NUMBER.SERVICE_UNKNOWN : STATUS_NUMBER[s];
  }

  private decodeService(body: Buffer): string | undefined {
    if (body.length === 0) return '';
    if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5) return undefined;
    try {
      const msg = this.req.toObject(this.req.decode(body.subarray(5))) as { service?: string };
      return msg.service ?? '';
    } catch {
      return undefined;
    }
  }

  private frame(status: number): Buffer {
    const payload = this.res.encode(this.res.fromObject({ status })).finish();
    const h = Buffer.alloc(5);
    h.writeUInt32BE(payload.length, 1);
    return Buffer.concat([h, payload]);
  }
}

export function trailersOnly(stream: ServerHttp2Stream, code: number, message: string): void {
  if (stream.destroyed || stream.headersSent) return;
  try {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...grpcStatusHeaders(code, message) }, { endStream: true });
  } catch {
    /* the client went away */
  }
}
