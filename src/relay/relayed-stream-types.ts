import type { Logger } from '../common/logger';
import type { XdsRequestSigner } from '../sigv4/signer';
import type { RelayMetrics } from './metrics';
import type { RelayedStream } from './relayed-stream';
import type { LifecycleState } from './stream-lifecycle';
import type { UpstreamManager } from './upstream';
import type { NodeSummary, StreamKind, XdsEnvelopeCodec } from './xds-envelope';
import type { TypeView } from './xds-tracker';

/** Shared by every stream of a relay (one object, not one per stream). */
export interface RelayedStreamDeps {
  upstream: UpstreamManager;
  signer: XdsRequestSigner;
  codec: XdsEnvelopeCodec;
  /** Delay in ms before a stream may open upstream, or undefined when it must be refused. */
  admit(): number | undefined;
  admissionLimitText: string;
  authority: string;
  scheme: 'https' | 'http';
  idleTimeoutMs: number;
  metrics: RelayMetrics;
  log: Logger;
  onClosed(stream: RelayedStream): void;
}

export interface StreamView {
  id: number;
  path: string;
  kind: StreamKind;
  phase: LifecycleState['phase'];
  node: NodeSummary | null;
  startedAt: string;
  ageSeconds: number;
  bytes: { fromClient: number; toClient: number };
  messages: { fromClient: number; toClient: number };
  types: TypeView[];
  status: { code: number; message: string } | null;
}

