import type { StreamRecord } from '../stream-registry';
import { knownShortName } from '../../common/xds/vocabulary';

/**
 * What the console shows of each connected xDS client: its node, its stream,
 * and per resource type where it stands. Pure, from the server's stream
 * records.
 *
 *   SYNCED   the client ACKed the last version sent
 *   PENDING  a version was sent and is not answered yet
 *   NACKED   the client rejected the last version sent (the message says why)
 *   NOT_SENT nothing was sent for a type it asked for
 */

export type ClientTypeState = 'SYNCED' | 'PENDING' | 'NACKED' | 'NOT_SENT';

export interface ClientTypeView {
  type: string;
  typeUrl: string;
  state: ClientTypeState;
  versionSent: string | null;
  versionAcked: string | null;
  nacks: number;
  /** The last rejection: Envoy's message, when, and the version the client kept. */
  lastNack: { message: string; at: string; keptVersion: string } | null;
}

export interface ClientView {
  replica: string;
  streamId: number;
  nodeId: string;
  cluster: string;
  kind: string;
  userAgent: string | null;
  connectedSince: string;
  types: ClientTypeView[];
}

const ORDER = ['CDS', 'EDS', 'LDS', 'RDS', 'SDS'];

export function typeName(typeUrl: string): string {
  return knownShortName(typeUrl) ?? typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

export function clientViews(records: readonly StreamRecord[], replica: string): ClientView[] {
  return records
    .filter((r) => r.open)
    .map((r) => ({
      replica,
      streamId: r.id,
      nodeId: r.nodeId ?? '(no node yet)',
      cluster: r.nodeCluster ?? '',
      kind: r.kind,
      userAgent: r.nodeUserAgent ?? r.userAgent,
      connectedSince: r.startedAt,
      types: Object.entries(r.types)
        .map(([typeUrl, t]) => {
          const sent = t.lastVersion === '' ? null : t.lastVersion;
          const nackedNow = t.lastNack !== null && sent !== null && t.lastAckedVersion !== sent && t.nacks > 0;
          const state: ClientTypeState = sent === null ? 'NOT_SENT' : t.lastAckedVersion === sent ? 'SYNCED' : nackedNow ? 'NACKED' : 'PENDING';
          return {
            type: typeName(typeUrl),
            typeUrl,
            state,
            versionSent: sent,
            versionAcked: t.lastAckedVersion,
            nacks: t.nacks,
            lastNack: t.lastNack ? { message: t.lastNack.message, at: t.lastNack.at, keptVersion: t.lastNack.keptVersion } : null,
          };
        })
        .sort((a, b) => (ORDER.indexOf(a.type) + 1 || 99) - (ORDER.indexOf(b.type) + 1 || 99) || a.type.localeCompare(b.type)),
    }))
    .sort((a, b) => a.nodeId.localeCompare(b.nodeId) || a.streamId - b.streamId);
}
