import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { HealthCodec, type ServingStatusName } from '../common/grpc-health';
import { GrpcStatus, grpcStatusHeaders } from '../common/grpc-status';

export const HEALTH_PREFIX = '/grpc.health.v1.Health/';
export type ServingStatus = 'SERVING' | 'NOT_SERVING';
const MAX_REQUEST = 64 * 1024;

/** Service name -> its current status; unknown names return undefined. */
export type HealthLookup = (service: string) => ServingStatus | undefined;

/**
 * grpc.health.v1.Health answered by the relay on its own socket, so a sidecar
 * can ask through the connection it already has: service "" = the relay is up,
 * "upstream" = the management server is reachable through it.
 */
export class RelayHealthService {
  private readonly codec = new HealthCodec();
  private readonly watchers = new Set<{ stream: ServerHttp2Stream; service: string; last: ServingStatusName }>();

  constructor(private readonly lookup: HealthLookup) {}

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
      const service = this.codec.decodeRequest(Buffer.concat(chunks));
      if (service === undefined) return trailersOnly(stream, GrpcStatus.INVALID_ARGUMENT, 'malformed HealthCheckRequest');
      if (method === 'Check') this.check(stream, service);
      else this.watch(stream, service);
    });
  }

  /** Re-send Watch answers whose status changed; call after any health change. */
  notify(): void {
    for (const w of this.watchers) {
      const n = this.statusOf(w.service);
      if (n !== w.last && !w.stream.destroyed) {
        w.last = n;
        w.stream.write(this.codec.encodeResponse(n));
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
    stream.end(this.codec.encodeResponse(status));
  }

  private watch(stream: ServerHttp2Stream, service: string): void {
    if (stream.destroyed) return;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers(grpcStatusHeaders(GrpcStatus.UNAVAILABLE, 'relay shutting down')));
    const w = { stream, service, last: this.statusOf(service) };
    this.watchers.add(w);
    stream.once('close', () => this.watchers.delete(w));
    stream.write(this.codec.encodeResponse(w.last));
  }

  private statusOf(service: string): ServingStatusName {
    return this.lookup(service) ?? 'SERVICE_UNKNOWN';
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
