import { WILDCARD_TYPES, typeSnapshot, type Snapshot, type TypeSnapshot } from './snapshot';
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
  /** go-control-plane's "watch": open after a request, closed by the response it gets. */
  watchOpen: boolean;
  /** The version the client has (or has been sent): nothing is resent while it is current. */
  knownVersion: string;
  stats: TypeStats;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
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
 *    answers it (ACK or NACK), then changes are pushed as they come.
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
      st = { names: [], wildcard: false, seen: false, watchOpen: false, knownVersion: '', stats: newTypeStats() };
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
    const subscribed = wildcard || names.length > 0;
    const version = req.version_info ?? '';

    if (req.error_detail) {
      st.stats.nacks++;
      st.stats.lastNack = {
        message: req.error_detail.message ?? '',
        code: req.error_detail.code ?? 0,
        version,
        at: new Date(this.now()).toISOString(),
      };
      st.watchOpen = subscribed;
      return { kind: 'nack', typeUrl, responses: [] };
    }
    let kind: HandleResult<DiscoveryResponse>['kind'] = first ? 'initial' : 'update';
    if (nonce !== '') {
      kind = 'ack';
      st.stats.acks++;
      st.stats.lastAckedVersion = version;
    }
    st.knownVersion = version;
    st.watchOpen = subscribed;
    if (!subscribed) return { kind, typeUrl, responses: [] };
    const t = typeSnapshot(snapshot, typeUrl);
    const respond = t.version !== version || namesChanged;
    return { kind, typeUrl, responses: respond ? [this.respond(typeUrl, st, t)] : [] };
  }

  refresh(snapshot: Snapshot): DiscoveryResponse[] {
    const out: DiscoveryResponse[] = [];
    for (const [typeUrl, st] of this.types) {
      if (!st.watchOpen) continue;
      const t = typeSnapshot(snapshot, typeUrl);
      if (t.version !== st.knownVersion) out.push(this.respond(typeUrl, st, t));
    }
    return out;
  }

  stats(): Record<string, TypeStats> {
    const out: Record<string, TypeStats> = {};
    for (const [typeUrl, st] of this.types) out[typeUrl] = { ...st.stats, subscribed: [...st.stats.subscribed] };
    return out;
  }

  private respond(typeUrl: string, st: TypeState, t: TypeSnapshot): DiscoveryResponse {
    const chosen = st.wildcard
      ? [...t.resources.values()]
      : st.names.flatMap((n) => {
          const r = t.resources.get(n);
          return r ? [r] : [];
        });
    const nonce = this.nextNonce();
    st.stats.lastNonce = nonce;
    st.stats.lastVersion = t.version;
    st.stats.responses++;
    st.knownVersion = t.version;
    st.watchOpen = false;
    return { version_info: t.version, resources: chosen.map((r) => r.any), type_url: typeUrl, nonce };
  }
}
