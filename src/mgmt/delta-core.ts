import { classifyRequest } from '../common/xds/vocabulary';
import { keepsGone, pendingOf, planPushes, type PlannedPush, type TypeProgress } from './push-order';
import { WILDCARD_TYPES, typeSnapshot, type Snapshot, type TypeSnapshot } from './snapshot';
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
  open: boolean;
  /** A response is owed even with nothing in it (the first wildcard request). */
  owed: boolean;
  /** The last response carried additions or updates and is not answered yet. */
  makeInFlight: boolean;
  stats: TypeStats;
}

function inScope(st: TypeState, name: string): boolean {
  return st.wildcard || st.names.has(name);
}

/** The resources the client should have and does not (new or changed), by name. */
function changes(st: TypeState, t: TypeSnapshot): DeltaResource[] {
  const out: DeltaResource[] = [];
  const scope = st.wildcard ? new Set([...t.resources.keys(), ...st.names]) : st.names;
  for (const name of scope) {
    const r = t.resources.get(name);
    if (r && st.known.get(name) !== r.version) out.push({ name, version: r.version, resource: r.any });
  }
  return out;
}

/** What the client has, asked for, and the snapshot no longer holds (and may be removed: keepsGone). */
function gone(typeUrl: string, st: TypeState, t: TypeSnapshot): string[] {
  if (keepsGone(typeUrl, st.wildcard)) return [];
  return [...st.known.keys()].filter((name) => inScope(st, name) && !t.resources.has(name));
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
 *  - a NACK is recorded and the rejected versions are not resent until they change;
 *  - what goes out when is decided by make-before-break (push-order.ts): the
 *    changed resources of a type go out in its order, its removals once the
 *    types that name it are answered (a later response of their own).
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
      st = { wildcard: false, names: new Set(), known: new Map(), open: false, owed: false, makeInFlight: false, stats: newTypeStats() };
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
    if (first && st.wildcard) st.owed = true;
    const changedSubs = sub.length > 0 || unsub.length > 0;

    const nonce = req.response_nonce ?? '';
    let kind: RequestKind = first ? 'initial' : 'update';
    if (nonce !== '' && nonce !== st.stats.lastNonce) {
      st.stats.stale++;
      kind = 'stale';
      if (!changedSubs) return { kind, typeUrl, responses: [] };
    } else if (classifyRequest({ responseNonce: nonce, hasErrorDetail: Boolean(req.error_detail) }) === 'nack') {
      kind = 'nack';
      st.stats.nacks++;
      st.stats.lastNack = {
        nonce,
        // A Delta request carries no version of its own.
        keptVersion: '',
        rejectedVersion: nonce !== '' ? st.stats.lastVersion : null,
        code: req.error_detail?.code ?? 0,
        message: req.error_detail?.message ?? '',
        at: new Date(this.now()).toISOString(),
      };
      st.makeInFlight = false;
    } else if (nonce !== '') {
      kind = 'ack';
      st.stats.acks++;
      st.stats.lastAckedVersion = st.stats.lastVersion;
      st.makeInFlight = false;
    }
    st.open = true;
    return { kind, typeUrl, responses: this.pump(snapshot) };
  }

  refresh(snapshot: Snapshot): DeltaDiscoveryResponse[] {
    return this.pump(snapshot);
  }

  stats(): Record<string, TypeStats> {
    const out: Record<string, TypeStats> = {};
    for (const [typeUrl, st] of this.types) out[typeUrl] = { ...st.stats, subscribed: [...st.stats.subscribed] };
    return out;
  }

  private pump(snapshot: Snapshot): DeltaDiscoveryResponse[] {
    const progress = () => {
      const out = new Map<string, TypeProgress>();
      for (const [typeUrl, st] of this.types) {
        if (!st.wildcard && st.names.size === 0 && !st.owed) continue;
        const t = typeSnapshot(snapshot, typeUrl);
        out.set(typeUrl, { open: st.open, make: st.owed || changes(st, t).length > 0, remove: gone(typeUrl, st, t).length > 0, makeInFlight: st.makeInFlight });
      }
      return out;
    };
    const responses = planPushes(progress()).map((p) => this.respond(p, this.types.get(p.typeUrl)!, typeSnapshot(snapshot, p.typeUrl)));
    const after = progress();
    for (const [typeUrl, st] of this.types) st.stats.pending = pendingOf(after.get(typeUrl));
    return responses;
  }

  private respond(p: PlannedPush, st: TypeState, t: TypeSnapshot): DeltaDiscoveryResponse {
    const resources = changes(st, t);
    const removed = p.removals ? gone(p.typeUrl, st, t) : [];
    for (const r of resources) st.known.set(r.name, r.version);
    for (const name of removed) st.known.delete(name);
    const nonce = this.nextNonce();
    st.stats.lastNonce = nonce;
    st.stats.lastVersion = t.version;
    st.stats.responses++;
    st.open = false;
    st.owed = false;
    st.makeInFlight = p.make;
    return { system_version_info: t.version, resources, type_url: p.typeUrl, removed_resources: removed, nonce };
  }
}
