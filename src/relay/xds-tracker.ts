import type { NodeSummary, RequestSummary, ResponseSummary } from './xds-envelope';

import type { NackInfo, TypeView } from '../common/contracts/relay-status';

export type { NackInfo, TypeSyncState, TypeView } from '../common/contracts/relay-status';

import { classifyRequest, type XdsRequestKind } from '../common/xds/vocabulary';

export type RequestKind = XdsRequestKind;

/** What is kept per type: times as epoch ms (rendered only when viewed). */
type TypeState = Omit<TypeView, 'lastResponseAt' | 'lastNack'> & {
  lastResponseAt: number | null;
  lastNack: (Omit<NackInfo, 'at'> & { at: number }) | null;
};

const MAX_TYPES = 64;
const MAX_TEXT = 4096;
const clip = (s: string): string => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);

/** The relay's view of the xDS conversation on one stream, from top-level fields only. */
export class XdsStreamTracker {
  node: NodeSummary | undefined;
  /** A short array (a stream uses a handful of types) is smaller than a Map. */
  private readonly byType: TypeState[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  onRequest(r: RequestSummary): RequestKind {
    if (r.node && !this.node) this.node = { ...r.node, id: clip(r.node.id), cluster: clip(r.node.cluster) };
    const t = this.type(r.typeUrl);
    const kind = classifyRequest({ responseNonce: r.responseNonce, hasErrorDetail: r.errorDetail !== undefined });
    if (!t) return kind;
    t.requests++;
    const current = r.responseNonce !== '' && r.responseNonce === t.lastNonceSent;
    if (kind === 'nack') {
      t.nacks++;
      t.lastNack = {
        nonce: clip(r.responseNonce),
        keptVersion: clip(r.versionInfo),
        rejectedVersion: current ? t.lastVersionSent : null,
        code: r.errorDetail!.code,
        message: clip(r.errorDetail!.message),
        at: this.now(),
      };
      if (current) t.state = 'NACKED';
    } else if (kind === 'ack') {
      t.acks++;
      if (current) {
        t.state = 'SYNCED';
        // SotW ACKs carry the version; Delta ACKs only the nonce.
        t.lastAckedVersion = r.versionInfo !== '' ? clip(r.versionInfo) : t.lastVersionSent;
      }
    }
    return kind;
  }

  onResponse(r: ResponseSummary): void {
    const t = this.type(r.typeUrl);
    if (!t) return;
    t.responses++;
    t.lastVersionSent = clip(r.versionInfo);
    t.lastNonceSent = clip(r.nonce);
    t.lastResourceCount = r.resources;
    t.lastResponseAt = this.now();
    t.state = 'STALE';
  }

  types(): TypeView[] {
    const iso = (ms: number) => new Date(ms).toISOString();
    return this.byType.map((t) => ({
      ...t,
      lastResponseAt: t.lastResponseAt === null ? null : iso(t.lastResponseAt),
      lastNack: t.lastNack ? { ...t.lastNack, at: iso(t.lastNack.at) } : null,
    }));
  }

  private type(typeUrl: string): TypeState | undefined {
    const key = clip(typeUrl);
    let t = this.byType.find((x) => x.typeUrl === key);
    if (!t) {
      if (this.byType.length >= MAX_TYPES) return undefined;
      t = {
        typeUrl: key,
        state: 'NOT_SENT',
        requests: 0,
        responses: 0,
        acks: 0,
        nacks: 0,
        lastVersionSent: null,
        lastNonceSent: null,
        lastResourceCount: null,
        lastResponseAt: null,
        lastAckedVersion: null,
        lastNack: null,
      };
      this.byType.push(t);
    }
    return t;
  }
}
