import type * as grpc from '@grpc/grpc-js';
import type { EventEmitter } from 'node:events';
import { GrpcStatus } from '../common/grpc-status';
import type { Logger } from '../common/logger';
import type { VerifyResult } from '../sigv4/verify';
import type { ResourceSource } from './snapshot';
import type { LiveStream, Rejection, StreamKind, StreamRecord, StreamRegistry } from './stream-registry';
import {
  XdsProtocolError,
  type DeltaDiscoveryResponse,
  type DiscoveryResponse,
  type RequestKind,
  type StreamCore,
  type WireNode,
  type WireStatus,
} from './xds-types';
import { errorMessage } from '../common/problem';

export interface RequestEvent {
  streamId: number;
  stream: StreamKind;
  nodeId: string | null;
  typeUrl: string;
  kind: RequestKind;
  versionInfo: string | null;
  responseNonce: string;
  /** SotW resource_names, or Delta resource_names_subscribe. */
  resourceNames: string[];
  /** Delta resource_names_unsubscribe. */
  unsubscribe: string[];
  errorDetail: { code: number; message: string } | null;
}

export interface ResponseEvent {
  streamId: number;
  stream: StreamKind;
  nodeId: string | null;
  typeUrl: string;
  version: string;
  nonce: string;
  /** How many resources the response carries. */
  resources: number;
  /** Delta removed_resources (always empty for SotW). */
  removed: string[];
}

export interface NackEvent {
  streamId: number;
  nodeId: string | null;
  typeUrl: string;
  code: number;
  message: string;
}

export interface ManagementEvents {
  'stream-open': [StreamRecord];
  'stream-close': [StreamRecord];
  request: [RequestEvent];
  response: [ResponseEvent];
  nack: [NackEvent];
  rejected: [Rejection];
}

export interface SessionContext {
  registry: StreamRegistry;
  source: ResourceSource;
  logger: Logger;
  events: EventEmitter<ManagementEvents>;
  /** 0 = no limit. */
  maxStreamAgeMs: number;
  nextNonce: () => string;
}

interface AnyRequest {
  node?: WireNode | null;
  type_url?: string;
  version_info?: string;
  response_nonce?: string;
  error_detail?: WireStatus | null;
  resource_names?: string[];
  resource_names_subscribe?: string[];
  resource_names_unsubscribe?: string[];
}

type AnyResponse = DiscoveryResponse | DeltaDiscoveryResponse;

function responseSummary(res: AnyResponse): { version: string; resources: number; removed: string[] } {
  if ('system_version_info' in res) {
    return { version: res.system_version_info, resources: res.resources.length, removed: res.removed_resources };
  }
  return { version: res.version_info, resources: res.resources.length, removed: [] };
}

/** The I/O shell around a protocol core: one grpc-js call, its records, events and limits. */
export class StreamSession<Req extends AnyRequest, Res extends AnyResponse> implements LiveStream {
  readonly id: number;
  private node: WireNode | undefined;
  private ended = false;
  private endStatus: { code: number; details: string } | null = null;
  private endedAt: string | null = null;
  private requests = 0;
  private ageTimer: NodeJS.Timeout | undefined;
  private readonly startedAt = new Date().toISOString();
  /** Read once: the call may be gone when the record is taken. */
  private readonly callInfo: { path: string; authority: string; peer: string; userAgent: string | null };

  constructor(
    private readonly ctx: SessionContext,
    private readonly kind: StreamKind,
    private readonly call: grpc.ServerDuplexStream<Req, Res>,
    private readonly core: StreamCore<Req, Res>,
    private readonly verdict: VerifyResult | null,
  ) {
    this.id = ctx.registry.allocateId();
    const ua = call.metadata.get('user-agent')[0];
    let peer = '';
    try {
      peer = call.getPeer();
    } catch {
      peer = 'unknown';
    }
    this.callInfo = { path: call.getPath(), authority: call.getHost(), peer, userAgent: typeof ua === 'string' ? ua : null };
  }

  start(): void {
    const { ctx, call } = this;
    call.on('error', (err: Error) => ctx.logger.debug({ streamId: this.id, err: err.message }, 'stream error'));
    call.on('cancelled', () => this.finish(GrpcStatus.CANCELLED, 'cancelled by the client', false));
    ctx.registry.add(this);
    if (this.verdict && !this.verdict.ok) {
      const rejection: Rejection = {
        at: new Date().toISOString(),
        streamId: this.id,
        reason: this.verdict.reason,
        authority: this.callInfo.authority,
        path: this.callInfo.path,
        peer: this.callInfo.peer,
        accessKeyId: this.verdict.accessKeyId ?? null,
      };
      ctx.registry.addRejection(rejection);
      ctx.logger.warn({ streamId: this.id, reason: rejection.reason, authority: rejection.authority }, 'stream rejected: SigV4');
      ctx.events.emit('rejected', rejection);
      this.end(GrpcStatus.UNAUTHENTICATED, this.verdict.reason);
      return;
    }
    call.on('data', (req: Req) => this.onRequest(req));
    call.on('end', () => this.end(GrpcStatus.OK, 'the client closed the stream'));
    if (ctx.maxStreamAgeMs > 0) {
      this.ageTimer = setTimeout(
        () => this.end(GrpcStatus.UNAVAILABLE, `stream reached the server's maximum age of ${ctx.maxStreamAgeMs} ms`),
        ctx.maxStreamAgeMs,
      );
    }
    ctx.logger.debug({ streamId: this.id, kind: this.kind, authority: this.callInfo.authority }, 'stream open');
    ctx.events.emit('stream-open', this.record());
  }

  /** Push whatever changed since the last response of each open watch. */
  refresh(): void {
    if (this.ended || this.requests === 0) return;
    let responses: Res[];
    try {
      responses = this.core.refresh(this.ctx.source.snapshotFor(this.nodeInfo()));
    } catch (e) {
      this.end(GrpcStatus.INTERNAL, `cannot build resources: ${errorMessage(e)}`);
      return;
    }
    for (const res of responses) this.send(res);
  }

  /** End the stream with a status (OK or an error) sent to the client. */
  end(code: number, details: string): void {
    if (this.ended) return;
    try {
      if (code === GrpcStatus.OK) this.call.end();
      else this.call.emit('error', Object.assign(new Error(details), { code, details }));
    } catch (e) {
      this.ctx.logger.debug({ streamId: this.id, err: String(e) }, 'cannot end stream');
    }
    this.finish(code, details, true);
  }

  /** Forget the stream without writing to it (the connection is going away). */
  abandon(details: string): void {
    this.finish(GrpcStatus.UNAVAILABLE, details, false);
  }

  record(): StreamRecord {
    const sig = this.verdict;
    const nodeUa = this.node?.user_agent_name
      ? `${this.node.user_agent_name}${this.node.user_agent_version ? ' ' + this.node.user_agent_version : ''}`
      : null;
    return {
      id: this.id,
      kind: this.kind,
      ...this.callInfo,
      nodeId: this.node?.id ?? null,
      nodeCluster: this.node?.cluster ?? null,
      nodeUserAgent: nodeUa,
      sigv4: sig ? { ok: sig.ok, accessKeyId: sig.accessKeyId ?? null, reason: sig.ok ? null : sig.reason } : null,
      startedAt: this.startedAt,
      open: !this.ended,
      endedAt: this.endedAt,
      endStatus: this.endStatus,
      requests: this.requests,
      types: this.core.stats(),
    };
  }

  private finish(code: number, details: string, ours: boolean): void {
    if (this.endStatus) return;
    this.ended = true;
    if (this.ageTimer) clearTimeout(this.ageTimer);
    this.endStatus = { code, details };
    this.endedAt = new Date().toISOString();
    this.ctx.logger.debug({ streamId: this.id, code, details, byServer: ours }, 'stream closed');
    this.ctx.registry.close(this);
    this.ctx.events.emit('stream-close', this.record());
  }

  private nodeInfo(): { id: string; cluster: string } {
    return { id: this.node?.id ?? '', cluster: this.node?.cluster ?? '' };
  }

  private onRequest(req: Req): void {
    if (this.ended) return;
    this.requests++;
    if (!this.node && req.node) this.node = req.node;
    let result;
    try {
      result = this.core.handle(req, this.ctx.source.snapshotFor(this.nodeInfo()));
    } catch (e) {
      if (e instanceof XdsProtocolError) this.end(GrpcStatus.INVALID_ARGUMENT, e.message);
      else this.end(GrpcStatus.INTERNAL, `cannot serve the request: ${errorMessage(e)}`);
      return;
    }
    const nodeId = this.node?.id ?? null;
    const errorDetail = req.error_detail ? { code: req.error_detail.code ?? 0, message: req.error_detail.message ?? '' } : null;
    this.ctx.events.emit('request', {
      streamId: this.id,
      stream: this.kind,
      nodeId,
      typeUrl: result.typeUrl,
      kind: result.kind,
      versionInfo: req.version_info ?? null,
      responseNonce: req.response_nonce ?? '',
      resourceNames: [...(req.resource_names ?? req.resource_names_subscribe ?? [])],
      unsubscribe: [...(req.resource_names_unsubscribe ?? [])],
      errorDetail,
    });
    if (result.kind === 'nack' && errorDetail) {
      this.ctx.registry.recordNack(nodeId ?? '', result.typeUrl, errorDetail.message, new Date().toISOString());
      this.ctx.logger.warn({ streamId: this.id, nodeId, typeUrl: result.typeUrl, message: errorDetail.message }, 'NACK');
      this.ctx.events.emit('nack', { streamId: this.id, nodeId, typeUrl: result.typeUrl, ...errorDetail });
    }
    for (const res of result.responses) this.send(res);
  }

  private send(res: Res): void {
    if (this.ended) return;
    this.call.write(res);
    const summary = responseSummary(res);
    this.ctx.events.emit('response', {
      streamId: this.id,
      stream: this.kind,
      nodeId: this.node?.id ?? null,
      typeUrl: res.type_url,
      version: summary.version,
      nonce: res.nonce,
      resources: summary.resources,
      removed: summary.removed,
    });
  }
}
