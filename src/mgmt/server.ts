import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { MgmtHealth } from '../common/contracts/mgmt-admin';
import { envoyProtoIncludeDirs } from '../common/envoy-protos';
import { GrpcStatus } from '../common/grpc-status';
import { ADS_SERVICE } from '../common/xds/vocabulary';
import { createLogger, type Logger } from '../common/logger';
import { credentialList, verifySigV4, type VerifyResult } from '../sigv4/verify';
import { startAdminServer, type AdminExtension, type AdminServer, type AdminView } from './admin-http';
import { DeltaCore } from './delta-core';
import { installRawHeaderVerifier, type VerdictReader } from './sigv4-hook';
import { describeSnapshot, type ResourceSource } from './snapshot';
import { SotwCore } from './sotw-core';
import { StreamRegistry, type NackSummary, type Rejection, type StreamRecord } from './stream-registry';
import { StreamSession, type ManagementEvents, type SessionContext } from './stream-session';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse, DiscoveryRequest, DiscoveryResponse } from './xds-types';

export { ADS_SERVICE };

export interface SigV4Options {
  region: string;
  /** Default "appmesh". */
  service?: string;
  credentials: Array<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  /** Default 5 minutes. */
  maxSkewMs?: number;
}

export interface ManagementServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) = any free port. */
  port?: number;
  /** PEM server certificate and key; plaintext h2c without them. */
  tls?: { certPem: string; keyPem: string };
  /** When set, every stream must carry a valid SigV4 signature or it ends with UNAUTHENTICATED. */
  sigv4?: SigV4Options;
  source: ResourceSource;
  /** HTTP/1.1 admin pages (/streams, /healthz, /resources, /rejections, /nacks) on this port; 0 = any free port. */
  adminPort?: number;
  /** More admin pages (e.g. the App Mesh API under /v20190125). */
  adminExtensions?: AdminExtension[];
  /** More facts for /healthz (e.g. the state of the model store). */
  health?: () => Pick<MgmtHealth, 'store'>;
  logger?: Logger;
  /** Fault injection: end every stream with UNAVAILABLE at this age (like App Mesh's ~30-min resets). */
  maxStreamAgeMs?: number;
}

type AnySession = StreamSession<DiscoveryRequest, DiscoveryResponse> | StreamSession<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;

function loadAdsService(): grpc.ServiceDefinition {
  const pkg = protoLoader.loadSync('envoy/service/discovery/v3/ads.proto', {
    includeDirs: envoyProtoIncludeDirs(),
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    arrays: true,
    oneofs: true,
  });
  return pkg[ADS_SERVICE] as grpc.ServiceDefinition;
}

function bindAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The xDS side of appnet-mgmt (and the tests' management server): ADS (SotW and Delta) over gRPC. */
export class ManagementServer extends EventEmitter<ManagementEvents> {
  port = 0;
  adminPort: number | undefined;
  private readonly registry = new StreamRegistry();
  private readonly grpcServer: grpc.Server;
  private readonly logger: Logger;
  private readonly noncePrefix = randomBytes(3).toString('hex');
  private readonly readVerdict: VerdictReader | undefined;
  private readonly sessions = new Map<number, AnySession>();
  private readonly ctx: SessionContext;
  private admin: AdminServer | undefined;
  private stopWatching: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private nonceCounter = 0;
  private readonly startedAt = Date.now();

  constructor(private readonly opts: ManagementServerOptions) {
    super();
    this.setMaxListeners(0);
    this.on('stream-close', (rec) => this.sessions.delete(rec.id));
    this.logger = opts.logger ?? createLogger('appnet-mgmt', 'silent');
    this.grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
    const sig = opts.sigv4;
    if (sig) {
      const lookup = credentialList(sig.credentials);
      const verifyOpts = { credentials: lookup, region: sig.region, service: sig.service ?? 'appmesh', maxSkewMs: sig.maxSkewMs };
      this.readVerdict = installRawHeaderVerifier(this.grpcServer, (headers) => verifySigV4(headers, verifyOpts));
    }
    this.ctx = {
      registry: this.registry,
      source: opts.source,
      logger: this.logger,
      events: this,
      maxStreamAgeMs: opts.maxStreamAgeMs ?? 0,
      nextNonce: () => `${this.noncePrefix}-${++this.nonceCounter}`,
    };
    this.grpcServer.addService(loadAdsService(), {
      StreamAggregatedResources: (call: grpc.ServerDuplexStream<DiscoveryRequest, DiscoveryResponse>) =>
        this.open(new StreamSession(this.ctx, 'sotw', call, new SotwCore(this.ctx.nextNonce), this.verdictFor(call))),
      DeltaAggregatedResources: (call: grpc.ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>) =>
        this.open(new StreamSession(this.ctx, 'delta', call, new DeltaCore(this.ctx.nextNonce), this.verdictFor(call))),
    });
  }

  /** Bind the ports; used by startManagementServer. */
  async listen(): Promise<void> {
    const host = this.opts.host ?? '127.0.0.1';
    const creds = this.opts.tls
      ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(this.opts.tls.certPem), private_key: Buffer.from(this.opts.tls.keyPem) }], false)
      : grpc.ServerCredentials.createInsecure();
    this.port = await new Promise<number>((resolve, reject) =>
      this.grpcServer.bindAsync(bindAddress(host, this.opts.port ?? 0), creds, (err, port) => (err ? reject(err) : resolve(port))),
    );
    this.stopWatching = this.opts.source.onChange(() => this.refreshAll());
    if (this.opts.adminPort !== undefined) {
      try {
        this.admin = await startAdminServer(host, this.opts.adminPort, this.adminView(), this.logger, this.opts.adminExtensions);
        this.adminPort = this.admin.port;
      } catch (e) {
        this.forceClose();
        throw e;
      }
    }
  }

  /** Open streams, then recently closed ones (unless openOnly). */
  /** How many xDS streams are open now. */
  openStreamCount(): number {
    return this.registry.openCount();
  }

  streams(openOnly = false): StreamRecord[] {
    return this.registry.list(openOnly);
  }

  rejections(): Rejection[] {
    return this.registry.rejections();
  }

  /** NACK counts and last messages per node id and type. */
  nacks(): NackSummary[] {
    return this.registry.nacks();
  }

  /** Names and versions per type as a node (by id) would see them. */
  resources(nodeId = ''): ReturnType<typeof describeSnapshot> {
    return describeSnapshot(this.opts.source.snapshotFor({ id: nodeId, cluster: '' }));
  }

  /** Graceful: every open stream ends with UNAVAILABLE, connections get GOAWAY, then the ports close. */
  close(timeoutMs = 5000): Promise<void> {
    if (this.closing) return this.closing;
    this.stopWatching?.();
    for (const s of [...this.sessions.values()]) s.end(GrpcStatus.UNAVAILABLE, 'management server shutting down');
    this.closing = (async () => {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.grpcServer.forceShutdown();
          resolve();
        }, timeoutMs);
        this.grpcServer.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await this.admin?.close();
    })();
    return this.closing;
  }

  /** Destroy every connection at once (clients see the transport fail, no status). */
  forceClose(): void {
    this.stopWatching?.();
    for (const s of [...this.sessions.values()]) s.abandon('management server force-closed');
    this.grpcServer.forceShutdown();
    this.admin?.forceClose();
    this.closing ??= Promise.resolve();
  }

  private verdictFor(call: { metadata: grpc.Metadata }): VerifyResult | null {
    return this.readVerdict ? this.readVerdict(call.metadata) : null;
  }

  private open(session: AnySession): void {
    if (this.closing) {
      session.start();
      session.end(GrpcStatus.UNAVAILABLE, 'management server shutting down');
      return;
    }
    this.sessions.set(session.id, session);
    session.start();
  }

  private refreshAll(): void {
    for (const s of [...this.sessions.values()]) s.refresh();
  }

  private adminView(): AdminView {
    return {
      health: (): MgmtHealth => ({
        status: this.closing ? 'closing' : 'ok',
        port: this.port,
        openStreams: this.registry.openCount(),
        uptimeS: Math.round((Date.now() - this.startedAt) / 1000),
        ...(this.opts.health?.() ?? {}),
      }),
      streams: (openOnly: boolean) => this.streams(openOnly),
      resources: (nodeId: string | undefined) => ({
        node: nodeId ?? null,
        nodesWithOwnResources: this.opts.source.nodeIds?.() ?? [],
        types: this.resources(nodeId),
      }),
      rejections: () => this.rejections(),
      nacks: () => this.nacks(),
    };
  }
}

/** Start a management server; resolves once it listens (see `port` and `adminPort`). */
export async function startManagementServer(opts: ManagementServerOptions): Promise<ManagementServer> {
  const server = new ManagementServer(opts);
  await server.listen();
  return server;
}
