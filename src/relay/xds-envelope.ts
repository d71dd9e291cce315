import type { ScanPlan } from './grpc-scanner';
import type { XdsEnvelopeCodec } from './xds-envelope-codec';
import { primePerMessagePath } from './xds-prime';

/** How the relay reads a stream: SotW or Delta xDS, or bytes only. */
export type { NodeSummary, StreamKind } from '../common/contracts/relay-status';
import type { NodeSummary, StreamKind } from '../common/contracts/relay-status';

const SOTW_METHODS = new Set([
  'StreamAggregatedResources',
  'StreamListeners',
  'StreamClusters',
  'StreamRoutes',
  'StreamScopedRoutes',
  'StreamEndpoints',
  'StreamSecrets',
  'StreamRuntime',
  'StreamExtensionConfigs',
  'StreamVirtualHosts',
]);

export function streamKindForPath(urlPath: string): StreamKind {
  const slash = urlPath.lastIndexOf('/');
  const service = urlPath.slice(1, slash);
  const method = urlPath.slice(slash + 1);
  if (!service.startsWith('envoy.service.')) return 'opaque';
  if (SOTW_METHODS.has(method)) return 'sotw';
  if (method.startsWith('Delta')) return 'delta';
  return 'opaque';
}

export interface RequestSummary {
  typeUrl: string;
  /** SotW only: the version the client holds. */
  versionInfo: string;
  responseNonce: string;
  errorDetail?: { code: number; message: string };
  node?: NodeSummary;
  /** SotW resource_names, or Delta subscribes. */
  names: number;
}

export interface ResponseSummary {
  typeUrl: string;
  versionInfo: string;
  nonce: string;
  resources: number;
  removed: number;
}

const MAX_CAPTURE = 256 * 1024;
const plan = (capture: number[], count: number[]): ScanPlan => ({ capture: new Set(capture), count, maxCaptureBytes: MAX_CAPTURE });

const PLANS: Record<Exclude<StreamKind, 'opaque'>, { request: ScanPlan; response: ScanPlan }> = {
  sotw: { request: plan([1, 2, 4, 5, 6], [3]), response: plan([1, 4, 5], [2]) },
  delta: { request: plan([1, 2, 6, 7], [3]), response: plan([1, 4, 5], [2, 6]) },
};

/** What the scanner captures and counts of a stream's messages; undefined (bytes only) for an opaque stream. */
export function envelopePlan(kind: StreamKind, direction: 'request' | 'response'): ScanPlan | undefined {
  return kind === 'opaque' ? undefined : PLANS[kind][direction];
}

/**
 * The envelope codec, loaded (and protobufjs with it) by the first xDS stream
 * rather than at start: a relay with no stream does not hold it
 * (docs/relay-performance.md). A stream awaits load() before it reads any
 * message; if loading fails, onError hears of it and streams are relayed as
 * bytes only (no decoded envelope: no node, types or NACK counts).
 */
export class LazyXdsCodec {
  private loaded: XdsEnvelopeCodec | undefined;
  private loading: Promise<XdsEnvelopeCodec | undefined> | undefined;

  constructor(private readonly onError: (err: unknown) => void) {}

  /** The codec once load() has resolved. */
  get current(): XdsEnvelopeCodec | undefined {
    return this.loaded;
  }

  load(): Promise<XdsEnvelopeCodec | undefined> {
    this.loading ??= import('./xds-envelope-codec.js').then(
      (m) => {
        const codec = new m.XdsEnvelopeCodec();
        try {
          primePerMessagePath(codec, (direction) => envelopePlan('sotw', direction));
        } catch {
          // only a warm-up: the codec works without it
        }
        return (this.loaded = codec);
      },
      (err: unknown) => {
        this.onError(err);
        return undefined;
      },
    );
    return this.loading;
  }
}
