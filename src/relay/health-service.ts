import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { HealthCodec, ServingStatusName } from '../common/grpc-health';
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
  /**
   * grpc.health.v1's codec (protobufjs) is loaded by the first health request,
   * not at start (docs/relay-performance.md); watchers exist only after it.
   */
  private codec: HealthCodec | undefined;
  private loading: Promise<HealthCodec> | undefined;
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
      this.loadCodec().then(
        (codec) => {
          const service = codec.decodeRequest(Buffer.concat(chunks));
          if (service === undefined) return trailersOnly(stream, GrpcStatus.INVALID_ARGUMENT, 'malformed HealthCheckRequest');
          if (method === 'Check') this.check(stream, codec, service);
          else this.watch(stream, codec, service);
        },
        (err: Error) => trailersOnly(stream, GrpcStatus.INTERNAL, `relay: cannot load the health codec: ${err.message}`),
      );
    });
  }

  private loadCodec(): Promise<HealthCodec> {
    this.loading ??= import('../common/grpc-health.js').then((m) => (this.codec = new m.HealthCodec()));
    return this.loading;
  }

  /** Re-send Watch answers whose status changed; call after any health change. */
  notify(): void {
    for (const w of this.watchers) {
      const n = this.statusOf(w.service);
      if (n !== w.last && !w.stream.destroyed) {
        w.last = n;
        w.stream.write(this.codec!.encodeResponse(n));
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

  private check(stream: ServerHttp2Stream, codec: HealthCodec, service: string): void {
    const status = this.lookup(service);
    if (status === undefined) return trailersOnly(stream, GrpcStatus.NOT_FOUND, `unknown service "${service}"; known: "" (relay), "upstream"`);
    if (stream.destroyed) return;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers(grpcStatusHeaders(GrpcStatus.OK, '')));
    stream.end(codec.encodeResponse(status));
  }

  private watch(stream: ServerHttp2Stream, codec: HealthCodec, service: string): void {
    if (stream.destroyed) return;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers(grpcStatusHeaders(GrpcStatus.UNAVAILABLE, 'relay shutting down')));
    const w = { stream, service, last: this.statusOf(service) };
    this.watchers.add(w);
    stream.once('close', () => this.watchers.delete(w));
    stream.write(codec.encodeResponse(w.last));
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
