import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { projectProtoDir } from '../common/envoy-protos';
import type { ScanPlan, ScannedMessage } from './grpc-scanner';
import { type EnvelopeFields, LAYOUTS, emptyFields, readEnvelope } from './xds-envelope-reader';
import { type NodeSummary, type RequestSummary, type ResponseSummary, type StreamKind, envelopePlan } from './xds-envelope';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Decodes the captured envelope fields: the top-level strings directly
 * (xds-envelope-reader.ts), the nested node and error detail, when a message
 * has them, with protobufjs (proto/appnet/xds_envelope.proto).
 */
export class XdsEnvelopeCodec {
  private readonly nodeType: protobuf.Type;
  private readonly statusType: protobuf.Type;
  /** Filled by each decode; read before the next (decoding is synchronous). */
  private readonly fields: EnvelopeFields = emptyFields();

  constructor(protoDir: string = projectProtoDir()) {
    const root = new protobuf.Root().loadSync(path.join(protoDir, 'appnet', 'xds_envelope.proto'), { keepCase: true });
    this.nodeType = root.lookupType('appnet.envelope.Node');
    this.statusType = root.lookupType('appnet.envelope.Status');
  }

  plan(kind: StreamKind, direction: 'request' | 'response'): ScanPlan | undefined {
    return envelopePlan(kind, direction);
  }

  decodeRequest(kind: StreamKind, m: ScannedMessage): RequestSummary | undefined {
    if (kind === 'opaque' || m.compressed) return undefined;
    const f = this.fields;
    const bytes = m.captured;
    if (!readEnvelope(bytes, bytes.length, kind === 'sotw' ? LAYOUTS.sotwRequest : LAYOUTS.deltaRequest, f)) return undefined;
    const summary: RequestSummary = { typeUrl: f.typeUrl, versionInfo: f.version, responseNonce: f.nonce, names: m.count(3) };
    if (f.errorEnd >= 0) {
      const err = this.decode(this.statusType, bytes.subarray(f.errorStart, f.errorEnd));
      if (!err) return undefined;
      summary.errorDetail = { code: Number(err.code ?? 0), message: str(err.message) };
    }
    if (f.nodeEnd >= 0) {
      const node = this.decode(this.nodeType, bytes.subarray(f.nodeStart, f.nodeEnd));
      if (!node) return undefined;
      summary.node = nodeSummary(node);
    }
    return summary;
  }

  decodeResponse(kind: StreamKind, m: ScannedMessage): ResponseSummary | undefined {
    if (kind === 'opaque' || m.compressed) return undefined;
    const f = this.fields;
    if (!readEnvelope(m.captured, m.captured.length, kind === 'sotw' ? LAYOUTS.sotwResponse : LAYOUTS.deltaResponse, f)) return undefined;
    return { typeUrl: f.typeUrl, versionInfo: f.version, nonce: f.nonce, resources: m.count(2), removed: kind === 'delta' ? m.count(6) : 0 };
  }

  /**
   * The decoded message itself, not a toObject() copy of it: an absent field
   * reads as its default (str() and the checks below treat '' and a missing
   * field alike).
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
