import type * as http2 from 'node:http2';
import * as net from 'node:net';
import { HEALTH_CHECK_PATH, HealthCodec, type ServingStatusName } from '../../common/grpc-health';

export type RelayServing = ServingStatusName | 'UNREACHABLE';

/** What the relay says about itself and about the management server behind it. */
export interface RelayHealth {
  socket: string;
  /** The relay process answers on its socket. */
  relay: RelayServing;
  /** The management server through the relay ("upstream" health service). */
  controlPlane: RelayServing;
  checkedAt: string;
  error: string | null;
}

/**
 * Asks a relay's grpc.health.v1 service over its Unix socket (the socket the
 * sidecar's Envoy uses for xDS): service "" (the relay) and "upstream" (the
 * control plane behind it). One HTTP/2 session, re-opened when it dies.
 * node:http2 and the health codec are loaded at the first check, not with the
 * agent: its first /status needs neither (docs/agent-performance.md).
 */
export class RelayHealthChecker {
  private session: http2.ClientHttp2Session | undefined;
  private codecInUse: HealthCodec | undefined;

  constructor(
    readonly socketPath: string,
    codec?: HealthCodec,
  ) {
    this.codecInUse = codec;
  }

  private get codec(): HealthCodec {
    this.codecInUse ??= new HealthCodec();
    return this.codecInUse;
  }

  async check(timeoutMs = 1000): Promise<RelayHealth> {
    const checkedAt = new Date().toISOString();
    try {
      const relay = await this.ask('', timeoutMs);
      const controlPlane = await this.ask('upstream', timeoutMs);
      return { socket: this.socketPath, relay, controlPlane, checkedAt, error: null };
    } catch (err) {
      this.drop();
      return { socket: this.socketPath, relay: 'UNREACHABLE', controlPlane: 'UNREACHABLE', checkedAt, error: (err as Error).message };
    }
  }

  close(): void {
    this.drop();
  }

  private drop(): void {
    this.session?.destroy();
    this.session = undefined;
  }

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const s = nodeHttp2().connect('http://localhost', { createConnection: () => net.connect(this.socketPath) });
    s.on('error', () => undefined); // surfaces through the request
    s.unref();
    this.session = s;
    return s;
  }

  private ask(service: string, timeoutMs: number): Promise<ServingStatusName> {
    return new Promise((resolve, reject) => {
      let req: http2.ClientHttp2Stream;
      try {
        req = this.connect().request({ ':method': 'POST', ':path': HEALTH_CHECK_PATH, 'content-type': 'application/grpc', te: 'trailers' });
      } catch (err) {
        return reject(err as Error);
      }
      const timer = setTimeout(() => {
        req.close(nodeHttp2().constants.NGHTTP2_CANCEL);
        reject(new Error(`no answer from the relay on ${this.socketPath} within ${timeoutMs} ms`));
      }, timeoutMs);
      const chunks: Buffer[] = [];
      let grpcStatus: string | undefined;
      req.on('response', (h) => {
        if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']);
      });
      req.on('trailers', (h) => {
        if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']);
      });
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`relay socket ${this.socketPath}: ${err.message}`));
      });
      req.on('end', () => {
        clearTimeout(timer);
        if (grpcStatus === '5') return resolve('SERVICE_UNKNOWN'); // NOT_FOUND: an older relay without this service
        if (grpcStatus !== '0') return reject(new Error(`relay health check failed with gRPC status ${grpcStatus ?? 'none'}`));
        const status = this.codec.decodeResponse(Buffer.concat(chunks));
        if (status === undefined) reject(new Error('malformed health response from the relay'));
        else resolve(status);
      });
      req.end(this.codec.encodeRequest(service));
    });
  }
}

function nodeHttp2(): typeof http2 {
  return require('node:http2') as typeof http2;
}
