import { WILDCARD_TYPES, typeSnapshot, type Snapshot } from './snapshot';
import {
  XdsProtocolError,
  newTypeStats,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DeltaResource,
  type HandleResult,
  type RequestKind,
  type StreamCore,
  type TypeStats,
} from './xds-types';

interface TypeState {
  wildcard: boolean;
  names: Set<string>;
  /** name -> version the client has (from initial_resource_versions, then from what was sent). */
  known: Map<string, string>;
  watchOpen: boolean;
  stats: TypeStats;
}

/**
 * Delta (incremental) ADS for one stream, as go-control-plane behaves:
 *  - per-resource versions; a resource is sent when the client's version of it
 *    (initial_resource_versions, then whatever was sent) differs;
 *  - deleted resources the client has go out in removed_resources;
 *  - subscribe/unsubscribe change the names; "*" (or no names on the first LDS/CDS
 *    request) is the wildcard; the first wildcard request is always answered,
 *    even with nothing in it, so Envoy can finish initialising;
 *  - the nonce only qualifies ACK/NACK: a stale nonce is not counted as either,
 *    but a subscription change it carries still applies;
 *  - a NACK is recorded and the rejected versions are not resent until they change.
 */
export class DeltaCore implements StreamCore<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
  private readonly types = new Map<string, TypeState>();

  constructor(
    private readonly nextNonce: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  handle(req: DeltaDiscoveryRequest, snapshot: Snapshot): HandleResult<DeltaDiscoveryResponse> {
    const typeUrl = req.type_url ?? '';
    if (typeUrl === '') throw new XdsProtocolError('type_url is required on every delta ADS request');
    let st = this.types.get(typeUrl);
    const first = !st;
    if (!st) {
      st = { wildcard: false, names: new Set(), known: new Map(), watchOpen: false, stats: newTypeStats() };
      this.types.set(typeUrl, st);
      for (const [name, version] of Object.entries(req.initial_resource_versions ?? {})) st.known.set(name, String(version));
    }
    const sub = req.resource_names_subscribe ?? [];
    const unsub = req.resource_names_unsubscribe ?? [];
    if (first && sub.length === 0 && WILDCARD_TYPES.has(typeUrl)) st.wildcard = true;
    for (const n of sub) {
      if (n === '*') st.wildcard = true;
      else st.names.add(n);
    }
    for (const n of unsub) {
      if (n === '*') st.wildcard = false;
      else {
        st.names.delete(n);
        st.known.delete(n);
      }
    }
    st.stats.subscribed = st.wildcard ? ['*', ...st.names] : [...st.names];
    const changedSubs = sub.length > 0 || unsub.length > 0;

    const nonce = req.response_nonce ?? '';
    let kind: RequestKind = first ? 'initial' : 'update';
    if (nonce !== '' && nonce !== st.stats.lastNonce) {
      st.stats.stale++;
      kind = 'stale';
      if (!changedSubs) return { kind, typeUrl, responses: [] };
    } else if (req.error_detail) {
      kind = 'nack';
      st.stats.nacks++;
      st.stats.lastNack = {
        message: req.error_detail.message ?? '',
        code: req.error_detail.code ?? 0,
        version: st.stats.lastVersion,
        at: new Date(this.now()).toISOString(),
      };
      st.watchOpen = true;
      if (!changedSubs) return { kind, typeUrl, responses: [] };
    } else if (nonce !== '') {
      kind = 'ack';
      st.stats.acks++;
      st.stats.lastAckedVersion = st.stats.lastVersion;
    }
    st.watchOpen = true;
    const resp = this.diff(typeUrl, st, snapshot, first && st.wildcard);
    return { kind, typeUrl, responses: resp ? [resp] : [] };
  }

  refresh(snapshot: Snapshot): DeltaDiscoveryResponse[] {
    const out: DeltaDiscoveryResponse[] = [];
    for (const [typeUrl, st] of this.types) {
      if (!st.watchOpen) continue;
      const resp = this.diff(typeUrl, st, snapshot, false);
      if (resp) out.push(resp);
    }
    return out;
  }

  stats(): Record<string, TypeStats> {
    const out: Record<string, TypeStats> = {};
    for (const [typeUrl, st] of this.types) out[typeUrl] = { ...st.stats, subscribed: [...st.stats.subscribed] };
    return out;
  }

  private diff(typeUrl: string, st: TypeState, snapshot: Snapshot, force: boolean): DeltaDiscoveryResponse | undefined {
    const t = typeSnapshot(snapshot, typeUrl);
    const inScope = (name: string) => st.wildcard || st.names.has(name);
    const resources: DeltaResource[] = [];
    const scope = st.wildcard ? new Set([...t.resources.keys(), ...st.names]) : st.names;
    for (const name of scope) {
      const r = t.resources.get(name);
      if (r && st.known.get(name) !== r.version) resources.push({ name, version: r.version, resource: r.any });
    }
    const removed = [...st.known.keys()].filter((name) => inScope(name) && !t.resources.has(name));
    if (resources.length === 0 && removed.length === 0 && !force) return undefined;
    for (const r of resources) st.known.set(r.name, r.version);
    for (const name of removed) st.known.delete(name);
    const nonce = this.nextNonce();
    st.stats.lastNonce = nonce;
    st.stats.lastVersion = t.version;
    st.stats.responses++;
    st.watchOpen = false;
    return { system_version_info: t.version, resources, type_url: typeUrl, removed_resources: removed, nonce };
  }
}
