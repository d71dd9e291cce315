import type { StreamRecord } from '../stream-registry';
import { knownShortName } from '../../common/xds/vocabulary';

/**
 * What the console shows of each connected xDS client: its node, its stream,
 * and per resource type where it stands (the states are described with the
 * contract, src/common/contracts/mgmt-console.ts). Pure, from the server's
 * stream records.
 */

export type { ClientTypeState, ClientTypeView, ClientView } from '../../common/contracts/mgmt-console';
import type { ClientTypeState, ClientView } from '../../common/contracts/mgmt-console';

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
