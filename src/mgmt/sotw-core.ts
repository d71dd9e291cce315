import { classifyRequest } from '../common/xds/vocabulary';
import { keepsGone, pendingOf, planPushes, type PlannedPush, type TypeProgress } from './push-order';
import { WILDCARD_TYPES, typeSnapshot, typeVersion, type Snapshot, type SnapshotResource, type TypeSnapshot } from './snapshot';
import {
  XdsProtocolError,
  newTypeStats,
  type DiscoveryRequest,
  type DiscoveryResponse,
  type HandleResult,
  type StreamCore,
  type TypeStats,
} from './xds-types';

interface TypeState {
  names: string[];
  wildcard: boolean;
  /** A request has been seen for this type (so the next is not the first). */
  seen: boolean;
  /** The client asked for something (the wildcard or names). */
  subscribed: boolean;
  /** go-control-plane's "watch": open after a request, closed by the response it gets. */
  open: boolean;
  /** What the client was last sent (or said it has): nothing is resent while it is current. */
  sent: ReadonlyMap<string, SnapshotResource>;
  /** The version_info of `sent`. */
  sentVersion: string;
  /** The client has been sent a state of this type on this stream, or said it has the current one. */
  answered: boolean;
  /** The subscribed names changed: answered even when nothing else did. */
  owed: boolean;
  /** The last response carried additions or updates and is not answered yet. */
  makeInFlight: boolean;
  stats: TypeStats;
}

const NOTHING: ReadonlyMap<string, SnapshotResource> = new Map();

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

/** What the client should have of a type: everything (wildcard) or its names, in the snapshot's or the names' order. */
function wanted(st: TypeState, t: TypeSnapshot): Map<string, SnapshotResource> {
  if (st.wildcard) return new Map(t.resources);
  return new Map(st.names.flatMap((n) => {
    const r = t.resources.get(n);
    return r ? [[n, r] as const] : [];
  }));
}

/**
 * State-of-the-world ADS for one stream, as go-control-plane behaves:
 *  - per type, only the latest nonce counts; a request with another non-empty
 *    nonce is ignored (stale);
 *  - a request with error_detail is a NACK: counted, not answered, and the
 *    rejected version is not sent again until the resources change;
 *  - an ACK (latest nonce, no error) is answered only if the version moved on
 *    meanwhile or the subscribed names changed;
 *  - any other request is answered when the server's version for the type
 *    differs from the request's version_info;
 *  - after a response, nothing more is sent for that type until the client
 *    answers it (ACK or NACK), then changes are pushed as they come;
 *  - what goes out when is decided by make-before-break (push-order.ts): a
 *    response that may not remove yet keeps the removed resources in it, under
 *    a version of its own, and the next one (once the referring types are
 *    answered) leaves them out under the snapshot's version.
 */
export class SotwCore implements StreamCore<DiscoveryRequest, DiscoveryResponse> {
  private readonly types = new Map<string, TypeState>();

  constructor(
    private readonly nextNonce: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  handle(req: DiscoveryRequest, snapshot: Snapshot): HandleResult<DiscoveryResponse> {
    const typeUrl = req.type_url ?? '';
    if (typeUrl === '') throw new XdsProtocolError('type_url is required on every ADS request');
    let st = this.types.get(typeUrl);
    if (!st) {
      st = { names: [], wildcard: false, seen: false, subscribed: false, open: false, sent: NOTHING, sentVersion: '', answered: false, owed: false, makeInFlight: false, stats: newTypeStats() };
      this.types.set(typeUrl, st);
    }
    const nonce = req.response_nonce ?? '';
    if (nonce !== '' && nonce !== st.stats.lastNonce) {
      st.stats.stale++;
      return { kind: 'stale', typeUrl, responses: [] };
    }
    const names = [...new Set(req.resource_names ?? [])];
    const wildcard = names.includes('*') || (names.length === 0 && WILDCARD_TYPES.has(typeUrl));
    const explicit = names.filter((n) => n !== '*');
    const first = !st.seen;
    const namesChanged = !first && (wildcard !== st.wildcard || !sameSet(explicit, st.names));
    st.seen = true;
    st.names = explicit;
    st.wildcard = wildcard;
    st.stats.subscribed = wildcard ? ['*', ...st.names] : [...st.names];
    st.subscribed = wildcard || names.length > 0;
    if (namesChanged) {
      // What the client no longer asks for is not "sent" any more (its removal is the client's doing).
      const inScope = new Set(explicit);
      st.sent = wildcard ? st.sent : new Map([...st.sent].filter(([n]) => inScope.has(n)));
      st.owed = true;
    }
    const version = req.version_info ?? '';

    const said = classifyRequest({ responseNonce: nonce, hasErrorDetail: Boolean(req.error_detail) });
    if (said === 'nack') {
      st.stats.nacks++;
      st.stats.lastNack = {
        nonce,
        keptVersion: version,
        // Not stale (above): a nonce here is the latest one sent.
        rejectedVersion: nonce !== '' ? st.stats.lastVersion : null,
        code: req.error_detail?.code ?? 0,
        message: req.error_detail?.message ?? '',
        at: new Date(this.now()).toISOString(),
      };
      st.open = st.subscribed;
      st.makeInFlight = false;
      return { kind: 'nack', typeUrl, responses: this.pump(snapshot) };
    }
    let kind: HandleResult<DiscoveryResponse>['kind'] = first ? 'initial' : 'update';
    if (said === 'ack') {
      kind = 'ack';
      st.stats.acks++;
      st.stats.lastAckedVersion = version;
      st.makeInFlight = false;
    }
    if (version !== st.sentVersion) {
      // The client says it has another version than we sent (a reconnect): the current one, or something we cannot know.
      const t = typeSnapshot(snapshot, typeUrl);
      st.answered = version === t.version;
      st.sent = st.answered ? wanted(st, t) : NOTHING;
      st.sentVersion = version;
    }
    st.open = st.subscribed;
    return { kind, typeUrl, responses: this.pump(snapshot) };
  }

  refresh(snapshot: Snapshot): DiscoveryResponse[] {
    return this.pump(snapshot);
  }

  stats(): Record<string, TypeStats> {
    const out: Record<string, TypeStats> = {};
    for (const [typeUrl, st] of this.types) out[typeUrl] = { ...st.stats, subscribed: [...st.stats.subscribed] };
    return out;
  }

  private pump(snapshot: Snapshot): DiscoveryResponse[] {
    const progress = () => {
      const out = new Map<string, TypeProgress>();
      for (const [typeUrl, st] of this.types) if (st.subscribed) out.set(typeUrl, this.progress(typeUrl, st, typeSnapshot(snapshot, typeUrl)));
      return out;
    };
    const responses = planPushes(progress()).map((p) => this.respond(p, this.types.get(p.typeUrl)!, typeSnapshot(snapshot, p.typeUrl)));
    const after = progress();
    for (const [typeUrl, st] of this.types) st.stats.pending = pendingOf(after.get(typeUrl));
    return responses;
  }

  private progress(typeUrl: string, st: TypeState, t: TypeSnapshot): TypeProgress {
    const want = wanted(st, t);
    const changed = [...want].some(([n, r]) => st.sent.get(n)?.version !== r.version);
    const remove = !keepsGone(typeUrl, st.wildcard) && [...st.sent.keys()].some((n) => !want.has(n));
    // Only what this client asked for counts: a change to other resources of the type sends it nothing.
    const make = st.owed || changed || (!st.answered && !remove);
    return { open: st.open, make, remove, makeInFlight: st.makeInFlight };
  }

  private respond(p: PlannedPush, st: TypeState, t: TypeSnapshot): DiscoveryResponse {
    const content = wanted(st, t);
    if (!p.removals || keepsGone(p.typeUrl, st.wildcard)) for (const [n, r] of st.sent) if (!content.has(n)) content.set(n, r);
    const whole = content.size === wanted(st, t).size;
    // Kept removals make a state of the world of its own: its version must differ from the snapshot's.
    const version = whole ? t.version : typeVersion(content);
    const nonce = this.nextNonce();
    st.stats.lastNonce = nonce;
    st.stats.lastVersion = version;
    st.stats.responses++;
    st.sent = content;
    st.sentVersion = version;
    st.answered = true;
    st.open = false;
    st.owed = false;
    st.makeInFlight = p.make;
    return { version_info: version, resources: [...content.values()].map((r) => r.any), type_url: p.typeUrl, nonce };
  }
}
