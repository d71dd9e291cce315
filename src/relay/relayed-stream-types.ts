import type { CaptureBufferPool } from './capture-pool';
import type { Logger } from '../common/logger';
import type { XdsRequestSigner } from '../sigv4/signer';
import type { RelayMetrics } from './metrics';
import type { RelayedStream } from './relayed-stream';
import type { UpstreamManager } from './upstream';
import type { LazyXdsCodec } from './xds-envelope';

/** Shared by every stream of a relay (one object, not one per stream). */
export interface RelayedStreamDeps {
  upstream: UpstreamManager;
  signer: XdsRequestSigner;
  /** Loaded by the first xDS stream, before it reads a message. */
  codec: LazyXdsCodec;
  /** Give back the admission of a stream that ended without opening an upstream stream. */
  release(): void;
  authority: string;
  scheme: 'https' | 'http';
  idleTimeoutMs: number;
  metrics: RelayMetrics;
  /** The relay's capture buffers, shared by every stream's scanners (capture-pool.ts). */
  capturePool: CaptureBufferPool;
  log: Logger;
  onClosed(stream: RelayedStream): void;
}

export type { StreamView } from '../common/contracts/relay-status';

