import { describe, expect, it } from 'vitest';
import { NotThatDocumentError, readRelayDocument } from '../../../src/cli/relay-document';
import { relayReport } from '../../../src/cli/relay-rows';
import { AGENT_DOC, CDS, EDS, LDS, RTDS, nack, relayStatus, stream, type } from './docs';

/** Through JSON, as the CLI gets it. */
const report = (doc: unknown) => relayReport(readRelayDocument(JSON.parse(JSON.stringify(doc))), 'unix:/a.sock');

describe('relay /status -> rows', () => {
  it('gives one row per node, sorted by node id, with each type where it stands', () => {
    const r = report(
      relayStatus([
        stream(1, { id: 'node-b', cluster: 'b' }, [type(CDS, 'SYNCED'), type(LDS, 'STALE')]),
        stream(2, { id: 'node-a', cluster: 'a' }, [type(CDS, 'NACKED', { lastNack: nack('cluster x: bad lb policy') }), type(LDS, 'NOT_SENT')]),
      ]),
    );
    expect(r.nodes.map((n) => [n.nodeId, n.cluster])).toEqual([['node-a', 'a'], ['node-b', 'b']]);
    const [a, b] = r.nodes;
    expect(a!.types.map((t) => [t.type, t.state])).toEqual([['CDS', 'NACKED'], ['LDS', 'NOT_SENT']]);
    expect(a!.lastNack).toMatchObject({ type: 'CDS', typeUrl: CDS, message: 'cluster x: bad lb policy', code: 3, rejectedVersion: '67150f2930ea18c8' });
    expect(b!.types.map((t) => [t.type, t.state])).toEqual([['CDS', 'SYNCED'], ['LDS', 'STALE']]);
    expect(b!.lastNack).toBeNull();
    expect(r.columns).toEqual(['CDS', 'LDS', 'EDS', 'RDS', 'SDS']);
    expect(r.streamsWithoutNode).toEqual([]);
    expect(r).toMatchObject({ schema: 'appnet-status/relay/v1', address: 'unix:/a.sock', relay: { healthStatus: 'HEALTHY', uptime: '3605s' }, upstream: { state: 'CONNECTED' }, credentials: { state: 'VALID' } });
  });

  it('groups the streams of one node into one row: the newest age, each type from the stream that last got it', () => {
    const at = (hhmm: string) => ({ lastResponseAt: `2026-11-21T${hhmm}:00.000Z` });
    const old = stream(1, { id: 'n', cluster: 'c' }, [type(CDS, 'NACKED', at('08:00')), type(LDS, 'SYNCED', at('09:10')), type(RTDS, 'SYNCED', at('08:00'))], { ageSeconds: 4000 });
    const young = stream(2, { id: 'n', cluster: 'c' }, [type(CDS, 'SYNCED', at('09:00')), type(LDS, 'STALE', at('09:00')), type(EDS, 'STALE'), type(RTDS, 'NOT_SENT', { lastResponseAt: null })], { ageSeconds: 5 });
    const r = report(relayStatus([old, young]));
    expect(r.nodes).toHaveLength(1);
    const n = r.nodes[0]!;
    expect(n.ageSeconds).toBe(5);
    expect(n.streams.map((s) => s.id)).toEqual([2, 1]);
    expect(n.types.map((t) => [t.type, t.state, t.streamId])).toEqual([['CDS', 'SYNCED', 2], ['LDS', 'SYNCED', 1], ['EDS', 'STALE', 2], ['RTDS', 'SYNCED', 1]]);
    expect(n.cluster).toBe('c');
  });

  it('prefers the NACK of a type that is NACKED now over a later NACK that was since fixed', () => {
    const r = report(
      relayStatus([
        stream(1, { id: 'n' }, [
          type(CDS, 'NACKED', { lastNack: nack('still broken', '2026-11-21T08:00:00.000Z') }),
          type(LDS, 'SYNCED', { lastNack: nack('fixed since', '2026-11-21T09:00:00.000Z') }),
        ]),
        stream(2, { id: 'm' }, [type(LDS, 'SYNCED', { lastNack: nack('old news') })]),
      ]),
    );
    expect(r.nodes.find((n) => n.nodeId === 'n')!.lastNack).toMatchObject({ type: 'CDS', message: 'still broken' });
    expect(r.nodes.find((n) => n.nodeId === 'm')!.lastNack).toMatchObject({ type: 'LDS', message: 'old news' });
  });

  it('lists streams without a node apart, and adds columns for the other types in use', () => {
    const r = report(
      relayStatus([
        stream(7, null, [], { path: '/envoy.service.load_stats.v3.LoadReportingService/StreamLoadStats', kind: 'opaque' }),
        stream(3, { id: 'n' }, [type(RTDS, 'SYNCED'), type('type.googleapis.com/xds.type.v3.TypedStruct', 'STALE'), type(CDS, 'SYNCED')]),
        stream(5, null, [], { phase: 'awaiting_response', ageSeconds: 1 }),
      ]),
    );
    expect(r.nodes.map((n) => n.nodeId)).toEqual(['n']);
    expect(r.columns).toEqual(['CDS', 'LDS', 'EDS', 'RDS', 'SDS', 'RTDS', 'TypedStruct']);
    expect(r.nodes[0]!.types.map((t) => t.type)).toEqual(['CDS', 'RTDS', 'TypedStruct']);
    expect(r.streamsWithoutNode.map((s) => [s.id, s.kind, s.phase])).toEqual([
      [5, 'sotw', 'awaiting_response'],
      [7, 'opaque', 'streaming'],
    ]);
  });

  it('reads the document by its one definition: unknown keys ignored, fields an older relay lacks optional, a malformed one refused by field', () => {
    const full = JSON.parse(JSON.stringify(relayStatus([stream(1, { id: 'x', cluster: 'c' }, [type(CDS, 'SYNCED')])])));
    expect(readRelayDocument({ ...full, fromANewerRelay: { anything: 1 } }).activeStreams[0]!.node?.id).toBe('x');
    const { address: _a, addresses: _b, ...olderUpstream } = full.upstream;
    const { socket: _s, ...olderListener } = full.listener;
    expect(readRelayDocument({ ...full, upstream: olderUpstream, listener: olderListener }).upstream.state).toBe('CONNECTED');
    const broken = { ...full, upstream: { ...full.upstream, state: 'SIDEWAYS' }, activeStreams: [{ ...full.activeStreams[0], types: [{ typeUrl: CDS }] }] };
    expect(() => readRelayDocument(broken)).toThrow(/not what this version reads: upstream\.state: .*; activeStreams\.0\.types\.0\.state: .*\(and \d+ more\)/);
    expect(() => readRelayDocument(AGENT_DOC)).toThrow(/appnet-agent's \/status.*use --agent/);
    expect(() => readRelayDocument([1])).toThrow(NotThatDocumentError);
    expect(() => readRelayDocument({ status: 'ok' })).toThrow(/not an appnet-relay \/status/);
  });
});
