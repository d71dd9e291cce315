import { describe, expect, it } from 'vitest';
import { TypeUrl } from '../common/xds/vocabulary';
import { XdsStreamTracker } from './xds-tracker';

const CDS = TypeUrl.Cluster;
const req = (o: Partial<Parameters<XdsStreamTracker['onRequest']>[0]>) => ({ typeUrl: CDS, versionInfo: '', responseNonce: '', names: 0, ...o });
const res = (version: string, nonce: string) => ({ typeUrl: CDS, versionInfo: version, nonce, resources: 2, removed: 0 });

describe('XdsStreamTracker', () => {
  it('walks NOT_SENT -> STALE -> SYNCED -> STALE -> NACKED and keeps the NACK text', () => {
    const t = new XdsStreamTracker(() => Date.parse('2026-01-01T00:00:00Z'));
    expect(t.onRequest(req({ node: { id: 'n1', cluster: 'c', userAgent: 'envoy/1.29' } }))).toBe('subscribe');
    expect(t.node?.id).toBe('n1');
    expect(t.types()[0]!.state).toBe('NOT_SENT');
    t.onResponse(res('1', 'a'));
    expect(t.types()[0]!.state).toBe('STALE');
    expect(t.onRequest(req({ versionInfo: '1', responseNonce: 'a' }))).toBe('ack');
    expect(t.types()[0]).toMatchObject({ state: 'SYNCED', lastAckedVersion: '1', acks: 1 });
    t.onResponse(res('2', 'b'));
    expect(t.onRequest(req({ versionInfo: '1', responseNonce: 'b', errorDetail: { code: 3, message: 'cluster x: bad lb' } }))).toBe('nack');
    const v = t.types()[0]!;
    expect(v).toMatchObject({ state: 'NACKED', nacks: 1, lastAckedVersion: '1', lastVersionSent: '2' });
    expect(v.lastNack).toMatchObject({ nonce: 'b', keptVersion: '1', rejectedVersion: '2', message: 'cluster x: bad lb', at: '2026-01-01T00:00:00.000Z' });
  });

  it('counts error_detail without a nonce as a NACK (nothing named as rejected)', () => {
    const t = new XdsStreamTracker(() => 0);
    expect(t.onRequest(req({ errorDetail: { code: 3, message: 'bad before any response' } }))).toBe('nack');
    expect(t.types()[0]).toMatchObject({ state: 'NOT_SENT', nacks: 1, acks: 0 });
    expect(t.types()[0]!.lastNack).toEqual({ nonce: '', keptVersion: '', rejectedVersion: null, code: 3, message: 'bad before any response', at: new Date(0).toISOString() });
  });

  it('does not mark SYNCED on an ACK of an older nonce; Delta ACKs take the sent version', () => {
    const t = new XdsStreamTracker();
    t.onResponse(res('1', 'a'));
    t.onResponse(res('2', 'b'));
    t.onRequest(req({ versionInfo: '1', responseNonce: 'a' }));
    expect(t.types()[0]!.state).toBe('STALE');
    t.onRequest(req({ responseNonce: 'b' }));
    expect(t.types()[0]).toMatchObject({ state: 'SYNCED', lastAckedVersion: '2' });
  });

  it('bounds the number of types a client can make it remember', () => {
    const t = new XdsStreamTracker();
    for (let i = 0; i < 200; i++) t.onRequest(req({ typeUrl: `t${i}` }));
    expect(t.types()).toHaveLength(64);
  });
});
