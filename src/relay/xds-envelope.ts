import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { projectProtoDir } from '../common/envoy-protos';
import type { ScanPlan, ScannedMessage } from './grpc-scanner';

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

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Decodes the captured envelope fields with protobufjs (proto/appnet/xds_envelope.proto). */
export class XdsEnvelopeCodec {
  private readonly types: Record<string, protobuf.Type>;

  constructor(protoDir: string = projectProtoDir()) {
    const root = new protobuf.Root().loadSync(path.join(protoDir, 'appnet', 'xds_envelope.proto'), { keepCase: true });
    const t = (n: string) => root.lookupType(`appnet.envelope.${n}`);
    this.types = {
      sotwReq: t('DiscoveryRequest'),
      sotwRes: t('DiscoveryResponse'),
      deltaReq: t('DeltaDiscoveryRequest'),
      deltaRes: t('DeltaDiscoveryResponse'),
    };
  }

  plan(kind: StreamKind, direction: 'request' | 'response'): ScanPlan | undefined {
    return kind === 'opaque' ? undefined : PLANS[kind][direction];
  }

  decodeRequest(kind: StreamKind, m: ScannedMessage): RequestSummary | undefined {
    if (kind === 'opaque' || m.compressed) return undefined;
    const o = this.decode(kind === 'sotw' ? this.types.sotwReq! : this.types.deltaReq!, m.captured);
    if (!o) return undefined;
    const summary: RequestSummary = {
      typeUrl: str(o.type_url),
      versionInfo: str(o.version_info),
      responseNonce: str(o.response_nonce),
      names: m.count(3),
    };
    const err = o.error_detail as Obj | undefined;
    if (err) summary.errorDetail = { code: Number(err.code ?? 0), message: str(err.message) };
    const node = o.node as Obj | undefined;
    if (node) summary.node = nodeSummary(node);
    return summary;
  }

  decodeResponse(kind: StreamKind, m: ScannedMessage): ResponseSummary | undefined {
    if (kind === 'opaque' || m.compressed) return undefined;
    const o = this.decode(kind === 'sotw' ? this.types.sotwRes! : this.types.deltaRes!, m.captured);
    if (!o) return undefined;
    return {
      typeUrl: str(o.type_url),
      versionInfo: str(kind === 'sotw' ? o.version_info : o.system_version_info),
      nonce: str(o.nonce),
      resources: m.count(2),
      removed: kind === 'delta' ? m.count(6) : 0,
    };
  }

  /**
   * The decoded message itself, not a toObject() copy of it: fields are read
   * once, and an absent field reads as its default (str() and the checks below
   * treat '' and a missing field alike). One object fewer per message.
   */
  private decode(type: protobuf.Type, bytes: Buffer): Obj | undefined {
    try {
      return type.decode(bytes) as unknown as Obj;
    } catch {
      return undefined;
    }
  }
}

function nodeSummary(node: Obj): NodeSummary {
  const name = str(node.user_agent_name);
  const version = str(node.user_agent_version);
  const s: NodeSummary = {
    id: str(node.id),
    cluster: str(node.cluster),
    userAgent: version ? `${name}/${version}` : name,
  };
  const loc = node.locality as Obj | undefined;
  if (loc) s.locality = { region: str(loc.region), zone: str(loc.zone), subZone: str(loc.sub_zone) };
  return s;
}
