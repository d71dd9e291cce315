import { describe, expect, it } from 'vitest';
import { DeltaCore } from '../../src/mgmt/delta-core';
import { planPushes, pushOrder, type TypeProgress } from '../../src/mgmt/push-order';
import { TypeUrl, makeSnapshot, type EncodedResource, type Snapshot } from '../../src/mgmt/snapshot';
import { SotwCore } from '../../src/mgmt/sotw-core';
import type { DeltaDiscoveryResponse, DiscoveryResponse } from '../../src/mgmt/xds-types';

/**
 * Make-before-break (push-order.ts) as the SotW and Delta cores carry it out:
 * what a client is sent, in which order, as a change goes through.
 */

const { Listener: LDS, RouteConfiguration: RDS, Cluster: CDS, ClusterLoadAssignment: EDS } = TypeUrl;

function res(typeUrl: string, name: string, body = name): EncodedResource {
  return { typeUrl, name, value: Buffer.from(`${typeUrl}/${body}`) };
}

function nonces(): () => string {
  let n = 0;
  return () => `n${++n}`;
}

const idle: TypeProgress = { open: true, make: false, remove: false, makeInFlight: false };

describe('planPushes', () => {
  it('orders CDS, EDS, SDS, LDS, RDS first, then other types as given', () => {
    expect(pushOrder(['x', RDS, LDS, 'y', EDS, CDS, TypeUrl.Secret])).toEqual([CDS, EDS, TypeUrl.Secret, LDS, RDS, 'x', 'y']);
  });

  it('sends one type of additions at a time: the next waits until the previous is answered', () => {
    const all = new Map([LDS, RDS, CDS, EDS].map((t) => [t, { ...idle, make: true }]));
    expect(planPushes(all)).toEqual([{ typeUrl: CDS, removals: false, make: true }]);
    all.set(CDS, { ...idle, makeInFlight: true, open: false });
    expect(planPushes(all)).toEqual([]);
    all.set(CDS, idle);
    expect(planPushes(all)).toEqual([{ typeUrl: EDS, removals: false, make: true }]);
  });

  it('holds later additions while an earlier type cannot be sent yet', () => {
    const p = new Map([
      [CDS, { ...idle, open: false, make: true }],
      [RDS, { ...idle, make: true }],
    ]);
    expect(planPushes(p)).toEqual([]);
  });

  it('removes a type only once every type naming it is settled', () => {
    const p = new Map([
      [CDS, { ...idle, remove: true }],
      [EDS, { ...idle, remove: true }],
      [RDS, { ...idle, make: true }],
    ]);
    // RDS goes; CDS keeps what is gone (RDS names clusters), EDS too (CDS is not settled).
    expect(planPushes(p)).toEqual([{ typeUrl: RDS, removals: false, make: true }]);
    p.set(RDS, idle);
    expect(planPushes(p)).toEqual([{ typeUrl: CDS, removals: true, make: false }]);
    p.set(CDS, idle);
    expect(planPushes(p)).toEqual([{ typeUrl: EDS, removals: true, make: false }]);
  });

  it('sends additions and removals together when nothing names the type any more', () => {
    expect(planPushes(new Map([[CDS, { ...idle, make: true, remove: true }]]))).toEqual([{ typeUrl: CDS, removals: true, make: true }]);
    expect(planPushes(new Map([[LDS, { ...idle, remove: true }], [CDS, { ...idle, open: false, makeInFlight: true }]]))).toEqual([{ typeUrl: LDS, removals: true, make: false }]);
  });
});

/** The names each response carries, in order, with the type's short name. */
function sotwNames(r: DiscoveryResponse, snapshotNames: (value: Buffer) => string): string {
  return `${r.type_url.split('.').pop()}[${r.resources.map((a) => snapshotNames(a.value)).join(',')}]`;
}

const nameOf = (value: Buffer) => value.toString().split('/').pop()!;

describe('SotwCore: an Envoy (CDS and LDS wildcard, EDS and RDS by name) through a change of clusters', () => {
  const before: Snapshot = makeSnapshot([res(CDS, 'c1'), res(EDS, 'c1'), res(LDS, 'l'), res(RDS, 'r', 'r->c1')]);
  const after: Snapshot = makeSnapshot([res(CDS, 'c2'), res(EDS, 'c2'), res(LDS, 'l'), res(RDS, 'r', 'r->c2')]);

  function started(): { core: SotwCore; ack: (r: DiscoveryResponse, snap: Snapshot, names?: string[]) => DiscoveryResponse[]; eds: DiscoveryResponse } {
    const core = new SotwCore(nonces());
    const names = new Map<string, string[]>();
    const ack = (r: DiscoveryResponse, snap: Snapshot, n?: string[]) => {
      if (n) names.set(r.type_url, n);
      return core.handle({ type_url: r.type_url, version_info: r.version_info, response_nonce: r.nonce, resource_names: names.get(r.type_url) ?? [] }, snap).responses;
    };
    const [cds] = core.handle({ type_url: CDS }, before).responses;
    // Envoy asks for the new cluster's assignment while it applies CDS, before its ACK: held until the ACK.
    names.set(EDS, ['c1']);
    expect(core.handle({ type_url: EDS, resource_names: ['c1'] }, before).responses).toEqual([]);
    const [eds] = ack(cds!, before);
    expect(eds!.type_url).toBe(EDS);
    expect(ack(eds!, before)).toEqual([]);
    const [lds] = core.handle({ type_url: LDS }, before).responses;
    names.set(RDS, ['r']);
    expect(core.handle({ type_url: RDS, resource_names: ['r'] }, before).responses).toEqual([]);
    const [rds] = ack(lds!, before);
    expect(rds!.type_url).toBe(RDS);
    expect(ack(rds!, before)).toEqual([]);
    return { core, ack, eds: eds! };
  }

  it('CDS with the new cluster (the old kept), its EDS, the routes, then CDS without the old one', () => {
    const { core, ack, eds: eds0 } = started();
    const sent: string[] = [];
    const [cds1] = core.refresh(after);
    sent.push(sotwNames(cds1!, nameOf));
    expect(cds1!.version_info).not.toBe(after.get(CDS)!.version);
    // Envoy asks for c2's assignment (with what it has) before it ACKs the clusters.
    expect(ack(eds0, after, ['c1', 'c2'])).toEqual([]);
    const [eds] = ack(cds1!, after);
    sent.push(sotwNames(eds!, nameOf));
    const [rds] = ack(eds!, after);
    sent.push(sotwNames(rds!, nameOf));
    const [cds2] = ack(rds!, after);
    sent.push(sotwNames(cds2!, nameOf));
    expect(cds2!.version_info).toBe(after.get(CDS)!.version);
    // The old cluster is gone: Envoy drops its assignment's name, and gets the rest.
    expect(ack(cds2!, after)).toEqual([]);
    const [eds3] = ack(eds!, after, ['c2']);
    sent.push(sotwNames(eds3!, nameOf));
    expect(sent).toEqual(['Cluster[c2,c1]', 'ClusterLoadAssignment[c2,c1]', 'RouteConfiguration[r->c2]', 'Cluster[c2]', 'ClusterLoadAssignment[c2]']);
    // Only the last response is still unanswered.
    const stats = core.stats();
    expect([CDS, EDS, LDS, RDS].map((t) => stats[t]!.pending)).toEqual([false, true, false, false]);
  });

  it('a change of routes alone sends the routes alone, under a new RDS version only', () => {
    const { core } = started();
    const routes = makeSnapshot([res(CDS, 'c1'), res(EDS, 'c1'), res(LDS, 'l'), res(RDS, 'r', 'r->c1 90%')]);
    const pushed = core.refresh(routes);
    expect(pushed.map((r) => r.type_url)).toEqual([RDS]);
    for (const t of [CDS, EDS, LDS]) expect(routes.get(t)!.version).toBe(before.get(t)!.version);
  });
});

describe('DeltaCore: the same change', () => {
  it('sends c2 first, the routes after its assignment, and removes c1 last', () => {
    const before = makeSnapshot([res(CDS, 'c1'), res(EDS, 'c1'), res(LDS, 'l'), res(RDS, 'r', 'r->c1')]);
    const after = makeSnapshot([res(CDS, 'c2'), res(EDS, 'c2'), res(LDS, 'l'), res(RDS, 'r', 'r->c2')]);
    const core = new DeltaCore(nonces());
    const ack = (r: DeltaDiscoveryResponse | undefined, snap: Snapshot) => core.handle({ type_url: r!.type_url, response_nonce: r!.nonce }, snap).responses;
    const short = (r: DeltaDiscoveryResponse | undefined) => `${r!.type_url.split('.').pop()}+[${r!.resources.map((x) => x.name)}]-[${r!.removed_resources}]`;
    ack(core.handle({ type_url: CDS }, before).responses[0], before);
    ack(core.handle({ type_url: EDS, resource_names_subscribe: ['c1'] }, before).responses[0], before);
    ack(core.handle({ type_url: LDS }, before).responses[0], before);
    ack(core.handle({ type_url: RDS, resource_names_subscribe: ['r'] }, before).responses[0], before);

    const seen: string[] = [];
    const [cds] = core.refresh(after);
    seen.push(short(cds));
    expect(core.handle({ type_url: EDS, resource_names_subscribe: ['c2'] }, after).responses).toEqual([]);
    const [eds] = ack(cds, after);
    seen.push(short(eds));
    const [rds] = ack(eds, after);
    seen.push(short(rds));
    const [removal] = ack(rds, after);
    seen.push(short(removal));
    expect(ack(removal, after)).toEqual([]);
    // Envoy drops c1's assignment itself (it subscribed it by name): nothing is removed under it.
    expect(core.handle({ type_url: EDS, resource_names_unsubscribe: ['c1'] }, after).responses).toEqual([]);
    expect(seen).toEqual(['Cluster+[c2]-[]', 'ClusterLoadAssignment+[c2]-[]', 'RouteConfiguration+[r]-[]', 'Cluster+[]-[c1]']);
    expect(Object.values(core.stats()).every((s) => !s.pending)).toBe(true);
  });
});

describe('a proxyless client (every type by name)', () => {
  it('keeps a cluster it still asks for after the server dropped it, until it lets go; a listener removal goes out', () => {
    const before = makeSnapshot([res(LDS, 'svc:80'), res(RDS, 'r', 'r->a,b'), res(CDS, 'a'), res(CDS, 'b')]);
    const after = makeSnapshot([res(LDS, 'svc:80'), res(RDS, 'r', 'r->a'), res(CDS, 'a')]);
    const core = new SotwCore(nonces());
    const ask = (typeUrl: string, names: string[], r?: DiscoveryResponse, snap = before) =>
      core.handle({ type_url: typeUrl, resource_names: names, version_info: r?.version_info ?? '', response_nonce: r?.nonce ?? '' }, snap).responses;
    const [lds] = ask(LDS, ['svc:80']);
    ask(LDS, ['svc:80'], lds);
    const [rds] = ask(RDS, ['r']);
    ask(RDS, ['r'], rds);
    const [cds] = ask(CDS, ['a', 'b']);
    ask(CDS, ['a', 'b'], cds);

    const pushed = core.refresh(after);
    expect(pushed.map((r) => r.type_url)).toEqual([RDS]);
    // The client ACKs the routes and still asks for b (gRPC C-core keeps it a while): nothing removes it.
    expect(ask(RDS, ['r'], pushed[0], after)).toEqual([]);
    expect(core.stats()[CDS]!.pending).toBe(false);
    const [cds2] = ask(CDS, ['a'], cds, after);
    expect(cds2!.resources.map((a) => nameOf(a.value))).toEqual(['a']);

    const gone = makeSnapshot([res(RDS, 'r', 'r->a'), res(CDS, 'a')]);
    ask(CDS, ['a'], cds2, after);
    const [lds2] = core.refresh(gone);
    expect(lds2).toMatchObject({ type_url: LDS, resources: [] });
  });
});
