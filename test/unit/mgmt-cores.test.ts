import { describe, expect, it } from 'vitest';
import { DeltaCore } from '../../src/mgmt/delta-core';
import { TypeUrl, makeSnapshot, type EncodedResource } from '../../src/mgmt/snapshot';
import { SotwCore } from '../../src/mgmt/sotw-core';
import { XdsProtocolError } from '../../src/mgmt/xds-types';

const LDS = TypeUrl.Listener;
const RDS = TypeUrl.RouteConfiguration;
const CDS = TypeUrl.Cluster;

function res(typeUrl: string, name: string, body = name): EncodedResource {
  return { typeUrl, name, value: Buffer.from(body) };
}

function nonces(): () => string {
  let n = 0;
  return () => `n${++n}`;
}

describe('SotwCore (go-control-plane rules)', () => {
  const snap1 = makeSnapshot([res(LDS, 'a'), res(LDS, 'b'), res(RDS, 'r1'), res(RDS, 'r2')]);
  const snap2 = makeSnapshot([res(LDS, 'a', 'a2'), res(LDS, 'b'), res(RDS, 'r1'), res(RDS, 'r2')]);

  it('answers a first wildcard request, never an ACK, and pushes changes after the ACK', () => {
    const core = new SotwCore(nonces());
    const r1 = core.handle({ type_url: LDS }, snap1);
    expect(r1.kind).toBe('initial');
    expect(r1.responses).toHaveLength(1);
    const resp = r1.responses[0]!;
    expect(resp.resources).toHaveLength(2);
    expect(resp.nonce).toBe('n1');
    const ack = core.handle({ type_url: LDS, version_info: resp.version_info, response_nonce: resp.nonce }, snap1);
    expect(ack).toMatchObject({ kind: 'ack', responses: [] });
    const pushed = core.refresh(snap2);
    expect(pushed).toHaveLength(1);
    expect(pushed[0]!.version_info).not.toBe(resp.version_info);
    expect(core.refresh(snap2)).toHaveLength(0); // watch closed until the client answers
    expect(core.stats()[LDS]).toMatchObject({ acks: 1, responses: 2, lastNonce: 'n2' });
  });

  it('ignores a stale nonce', () => {
    const core = new SotwCore(nonces());
    const first = core.handle({ type_url: LDS }, snap1).responses[0]!;
    core.handle({ type_url: LDS, version_info: first.version_info, response_nonce: first.nonce }, snap1);
    const second = core.refresh(snap2)[0]!;
    const stale = core.handle({ type_url: LDS, version_info: first.version_info, response_nonce: first.nonce }, snap2);
    expect(stale).toMatchObject({ kind: 'stale', responses: [] });
    expect(core.handle({ type_url: LDS, version_info: second.version_info, response_nonce: second.nonce }, snap2).kind).toBe('ack');
    expect(core.stats()[LDS]!.stale).toBe(1);
  });

  it('records a NACK and does not resend the rejected version until it changes', () => {
    const core = new SotwCore(nonces(), () => 0);
    const first = core.handle({ type_url: LDS }, snap1).responses[0]!;
    const nack = core.handle(
      { type_url: LDS, version_info: '', response_nonce: first.nonce, error_detail: { code: 3, message: 'bad listener a' } },
      snap1,
    );
    expect(nack).toMatchObject({ kind: 'nack', responses: [] });
    expect(core.refresh(snap1)).toHaveLength(0);
    expect(core.stats()[LDS]!.lastNack).toEqual({ nonce: first.nonce, keptVersion: '', rejectedVersion: first.version_info, code: 3, message: 'bad listener a', at: new Date(0).toISOString() });
    expect(core.refresh(snap2)).toHaveLength(1);
  });

  it('counts error_detail without a nonce as a NACK, as the relay does', () => {
    const core = new SotwCore(nonces(), () => 0);
    const r = core.handle({ type_url: LDS, version_info: '3', error_detail: { code: 3, message: 'rejected' } }, snap1);
    expect(r.kind).toBe('nack');
    expect(core.stats()[LDS]).toMatchObject({ nacks: 1, acks: 0, lastNack: { nonce: '', keptVersion: '3', rejectedVersion: null, message: 'rejected' } });
  });

  it('sends only the named resources, and answers a change of names', () => {
    const core = new SotwCore(nonces());
    const first = core.handle({ type_url: RDS, resource_names: ['r1', 'missing'] }, snap1).responses[0]!;
    expect(first.resources).toHaveLength(1);
    const more = core.handle({ type_url: RDS, resource_names: ['r1', 'r2'], version_info: first.version_info, response_nonce: first.nonce }, snap1);
    expect(more.kind).toBe('ack');
    expect(more.responses[0]!.resources).toHaveLength(2);
    // RDS with no names subscribes to nothing.
    const none = new SotwCore(nonces()).handle({ type_url: RDS }, snap1);
    expect(none.responses).toHaveLength(0);
  });

  it('does not answer a reconnect that already has the current version', () => {
    const v = snap1.get(LDS)!.version;
    const core = new SotwCore(nonces());
    expect(core.handle({ type_url: LDS, version_info: v }, snap1).responses).toHaveLength(0);
    expect(core.refresh(snap1)).toHaveLength(0);
    expect(core.refresh(snap2)).toHaveLength(1);
  });

  it('rejects a request without type_url', () => {
    expect(() => new SotwCore(nonces()).handle({}, snap1)).toThrow(XdsProtocolError);
  });
});

describe('DeltaCore', () => {
  const snap1 = makeSnapshot([res(CDS, 'c1'), res(CDS, 'c2')]);
  const snap2 = makeSnapshot([res(CDS, 'c1', 'c1-v2'), res(CDS, 'c2')]);
  const snap3 = makeSnapshot([res(CDS, 'c1', 'c1-v2')]);

  it('sends all on wildcard, then only what changed, then removals', () => {
    const core = new DeltaCore(nonces());
    const first = core.handle({ type_url: CDS }, snap1).responses[0]!;
    expect(first.resources.map((r) => r.name).sort()).toEqual(['c1', 'c2']);
    expect(core.handle({ type_url: CDS, response_nonce: first.nonce }, snap1)).toMatchObject({ kind: 'ack', responses: [] });
    const upd = core.refresh(snap2)[0]!;
    expect(upd.resources.map((r) => r.name)).toEqual(['c1']);
    core.handle({ type_url: CDS, response_nonce: upd.nonce }, snap2);
    const rem = core.refresh(snap3)[0]!;
    expect(rem).toMatchObject({ resources: [], removed_resources: ['c2'] });
  });

  it('honours initial_resource_versions and answers the first wildcard request even when empty', () => {
    const versions = Object.fromEntries([...snap1.get(CDS)!.resources].map(([n, r]) => [n, r.version]));
    const core = new DeltaCore(nonces());
    const first = core.handle({ type_url: CDS, initial_resource_versions: versions }, snap1).responses;
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ resources: [], removed_resources: [] });
  });

  it('subscribes and unsubscribes names', () => {
    const core = new DeltaCore(nonces());
    const eds = TypeUrl.ClusterLoadAssignment;
    const snap = makeSnapshot([res(eds, 'e1'), res(eds, 'e2')]);
    const r1 = core.handle({ type_url: eds, resource_names_subscribe: ['e1'] }, snap).responses[0]!;
    expect(r1.resources.map((r) => r.name)).toEqual(['e1']);
    core.handle({ type_url: eds, response_nonce: r1.nonce }, snap);
    core.handle({ type_url: eds, resource_names_unsubscribe: ['e1'] }, snap);
    expect(core.refresh(makeSnapshot([res(eds, 'e1', 'changed'), res(eds, 'e2')]))).toHaveLength(0);
    expect(core.stats()[eds]!.subscribed).toEqual([]);
  });

  it('records a NACK without resending, and applies subscriptions carried with a stale nonce', () => {
    const core = new DeltaCore(nonces());
    const first = core.handle({ type_url: CDS }, snap1).responses[0]!;
    const nack = core.handle({ type_url: CDS, response_nonce: first.nonce, error_detail: { message: 'nope' } }, snap1);
    expect(nack).toMatchObject({ kind: 'nack', responses: [] });
    expect(core.stats()[CDS]).toMatchObject({ nacks: 1, lastNack: { message: 'nope', nonce: first.nonce, keptVersion: '', rejectedVersion: first.system_version_info } });
    const stale = core.handle({ type_url: CDS, response_nonce: 'old' }, snap1);
    expect(stale).toMatchObject({ kind: 'stale', responses: [] });
  });
});
