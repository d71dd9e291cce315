import { TypeUrl } from './snapshot';

/**
 * Make-before-break: the order in which one stream's responses may go out,
 * shared by the SotW and Delta cores (pure).
 *
 * xDS resources name each other: a Listener names its RouteConfiguration (and,
 * through tcp_proxy, Clusters), a RouteConfiguration names Clusters, a Cluster
 * names its ClusterLoadAssignment (and Secrets, as a Listener does). A client
 * that gets a name before what it names fails calls meanwhile (a proxyless
 * client answers UNAVAILABLE "does not exist"; Envoy 503s on a cluster that is
 * still warming), and one that loses a resource something it has still names
 * fails the same way. So, per stream, on every change (the xDS protocol's
 * "eventual consistency considerations", as go-control-plane orders ADS):
 *
 *  - additions and updates go out type by type in MAKE_ORDER — CDS, EDS, SDS,
 *    LDS, RDS, then any other type in the order the stream first asked for it —
 *    and a type's additions wait until every earlier type's additions have been
 *    sent *and answered* (ACK or NACK): by the time a client ACKs a CDS
 *    response it has asked for the new clusters' assignments, so those go out
 *    before the routes that send traffic to the clusters;
 *  - removals of a type wait until every type that names it (REFERRERS) has
 *    nothing left to send and nothing unanswered: the routes that stopped
 *    naming a cluster have been received before the cluster goes. Until then a
 *    SotW response keeps the removed resources in it (unchanged) and a Delta
 *    response leaves them out of removed_resources.
 *
 * A client subscribing by name (a proxyless client asks for a cluster after
 * the route that names it) is not waited for: what it has not asked for is not
 * pending, and it holds its calls until what it asked for arrives. And what such
 * a client still asks for by name, of a type other resources name, is never
 * removed under it (see `keepsGone`).
 */

export const MAKE_ORDER: readonly string[] = [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Secret, TypeUrl.Listener, TypeUrl.RouteConfiguration];

/** For each type, the types whose resources name resources of it. */
export const REFERRERS: ReadonlyMap<string, readonly string[]> = new Map([
  [TypeUrl.Cluster, [TypeUrl.Listener, TypeUrl.RouteConfiguration]],
  [TypeUrl.ClusterLoadAssignment, [TypeUrl.Cluster]],
  [TypeUrl.Secret, [TypeUrl.Cluster, TypeUrl.Listener]],
  [TypeUrl.RouteConfiguration, [TypeUrl.Listener]],
]);

/** Where one subscribed type of a stream stands against the current snapshot. */
export interface TypeProgress {
  /** No response of this type awaits the client's answer. */
  open: boolean;
  /** Additions or updates not yet sent (or a response owed, e.g. the first one). */
  make: boolean;
  /** Resources the client was sent that the snapshot no longer has, not yet removed. */
  remove: boolean;
  /** The last response carried additions or updates and is not answered yet. */
  makeInFlight: boolean;
}

export interface PlannedPush {
  typeUrl: string;
  /** Whether the response may remove what is gone (otherwise it keeps it). */
  removals: boolean;
  /** Whether it carries additions or updates (the next types wait for its answer). */
  make: boolean;
}

/**
 * Whether resources of a type that are gone from the snapshot stay with a
 * client that still asks for them by name: yes for the types other resources
 * name (clusters, assignments, secrets, route configurations). Their names
 * come from those resources, so a client that still asks for one still has
 * something that uses it — an ACKed route change is not proof: gRPC C-core
 * keeps a removed cluster's policy, its watch and the calls already routed to
 * it for minutes, and a removal under it fails those calls ("CDS resource ...
 * does not exist"). The client drops the name when it is done with it. A name
 * the client chose itself (a proxyless client's listener, its target) is a
 * root: its removal goes out, so the client learns the service is gone.
 */
export function keepsGone(typeUrl: string, wildcard: boolean): boolean {
  return !wildcard && REFERRERS.has(typeUrl);
}

/** Whether a type still has something for the client: unsent changes, or a response not answered yet. */
export function pendingOf(p: TypeProgress | undefined): boolean {
  return p !== undefined && (p.make || p.remove || !p.open);
}

/** The types in push order: MAKE_ORDER first, then the rest as given. */
export function pushOrder(typeUrls: Iterable<string>): string[] {
  const all = [...typeUrls];
  const known = MAKE_ORDER.filter((t) => all.includes(t));
  return [...known, ...all.filter((t) => !MAKE_ORDER.includes(t))];
}

/**
 * The responses to send now, in the order to send them, for the subscribed
 * types of one stream (types not in `types` are not subscribed: nothing waits
 * for them). Each type at most once: a sent response closes its type until the
 * client answers.
 */
export function planPushes(types: ReadonlyMap<string, TypeProgress>): PlannedPush[] {
  const state = new Map([...types].map(([t, p]) => [t, { ...p }]));
  const settled = (t: string) => {
    const p = state.get(t);
    return !p || (p.open && !p.make && !p.remove);
  };
  const out: PlannedPush[] = [];
  // Set once an earlier type has additions unsent or unanswered: later additions wait.
  let held = false;
  for (const typeUrl of pushOrder(state.keys())) {
    const p = state.get(typeUrl)!;
    const removals = p.remove && (REFERRERS.get(typeUrl) ?? []).every(settled);
    if (p.open && (p.make ? !held : removals)) {
      out.push({ typeUrl, removals, make: p.make });
      p.open = false;
      p.makeInFlight = p.make;
      p.make = false;
      if (removals) p.remove = false;
    }
    if (p.make || (!p.open && p.makeInFlight)) held = true;
  }
  return out;
}
