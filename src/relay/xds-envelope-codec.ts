import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { projectProtoDir } from '../common/envoy-protos';
import type { ScanPlan, ScannedMessage } from './grpc-scanner';
import { type NodeSummary, type RequestSummary, type ResponseSummary, type StreamKind, envelopePlan } from './xds-envelope';

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
    return envelopePlan(kind, direction);
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
