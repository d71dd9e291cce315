import { describe, expect, it } from 'vitest';
import { readRelayDocument } from '../../../src/cli/relay-document';
import { relayReport } from '../../../src/cli/relay-rows';
import { renderRelayText, typeCell } from '../../../src/cli/relay-text';
import { COLOR } from '../../../src/cli/style';
import { CDS, EDS, LDS, nack, relayStatus, stream, type } from './docs';

const text = (doc: unknown, style = undefined as typeof COLOR | undefined) =>
  renderRelayText(relayReport(readRelayDocument(JSON.parse(JSON.stringify(doc))), 'unix:/var/run/ecs/appnet_admin.sock'), style);

const LONG_ID = 'arn:aws:ecs:us-west-2:123456789012:task-set/prod-cluster/checkout/ecs-svc/1234567890123456';

describe('relay report as text', () => {
  it('renders the header, one aligned row per node, and the streams without a node', () => {
    const out = text(
      relayStatus([
        stream(1, { id: 'mesh/apps/virtualNode/serviceA', cluster: 'serviceA' }, [type(CDS, 'SYNCED'), type(LDS, 'SYNCED', { lastVersionSent: '7' })], { ageSeconds: 3725 }),
        stream(2, { id: 'mesh/apps/virtualNode/serviceB', cluster: 'serviceB' }, [
          type(CDS, 'SYNCED'),
          type(LDS, 'NACKED', { lastVersionSent: '67150f2930ea18c8', lastNack: nack('Error adding/updating listener(s) serviceb.apps.local:80: unknown filter\nenvoy.filters.http.nope') }),
          type(EDS, 'STALE'),
        ]),
        stream(3, { id: 'mesh/apps/virtualNode/serviceB', cluster: 'serviceB' }, [], { ageSeconds: 12, path: '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources', kind: 'delta' }),
        stream(4, { id: LONG_ID, cluster: 'checkout' }, [type(CDS, 'NOT_SENT')], { ageSeconds: 1 }),
        stream(5, null, [], { path: '/envoy.service.load_stats.v3.LoadReportingService/StreamLoadStats', kind: 'opaque', ageSeconds: 40 }),
        stream(6, null, [], { path: '/envoy.service.load_stats.v3.LoadReportingService/StreamLoadStats', kind: 'opaque', ageSeconds: 9 }),
      ]),
    );
    expect(out).toBe(
      [
        'Relay:        HEALTHY at unix:/var/run/ecs/appnet_admin.sock, up 1h00m, 6 active streams (9 since start)',
        'Upstream:     CONNECTED ecs-sc.us-west-2.api.aws via 127.0.0.1:45127 (TLS) since 2026-11-21T08:48:19.813Z',
        'Credentials:  VALID from container-credentials, expires 2026-11-21T09:48:19.812Z',
        '',
        'NODE ID                                                           CLUSTER   CDS               LDS               EDS              RDS  SDS  STREAMS  AGE    LAST NACK',
        'arn:aws:ecs:us-west-2:1234567890…eckout/ecs-svc/1234567890123456  checkout  NOT SENT          -                 -                -    -    1        1s',
        'mesh/apps/virtualNode/serviceA                                    serviceA  SYNCED 1503230b…  SYNCED 7          -                -    -    1        1h02m',
        'mesh/apps/virtualNode/serviceB                                    serviceB  SYNCED 1503230b…  NACKED 67150f29…  STALE 1503230b…  -    -    2        12s    LDS: Error adding/updating listener(s) serviceb.apps.local:…',
        '',
        'Streams without a node: 2',
        '  PATH                                                               KIND    COUNT  PHASE      NEWEST',
        '  /envoy.service.load_stats.v3.LoadReportingService/StreamLoadStats  opaque  2      streaming  9s',
        '',
      ].join('\n'),
    );
  });

  it('says why the relay is unhealthy: upstream state, last error, credentials, reasons', () => {
    const base = relayStatus([]);
    const out = text({
      ...base,
      healthStatus: 'UNHEALTHY',
      reasons: ['management server ecs-sc.us-west-2.api.aws is NOT_CONNECTED: connect ECONNREFUSED 127.0.0.1:443', 'AWS credentials FAILED: no credentials'],
      upstream: { ...base.upstream, state: 'NOT_CONNECTED', lastError: { message: 'connect ECONNREFUSED 127.0.0.1:443', at: '2026-11-21T08:50:00.000Z' }, nextAttemptAt: '2026-11-21T08:50:02.000Z' },
      credentials: { ...base.credentials, state: 'FAILED', source: null, expiration: null, lastError: { message: 'no credentials', at: '2026-11-21T08:50:00.000Z' } },
    });
    expect(out).toBe(
      [
        'Relay:        UNHEALTHY at unix:/var/run/ecs/appnet_admin.sock, up 1h00m, 0 active streams (3 since start)',
        'Upstream:     NOT_CONNECTED ecs-sc.us-west-2.api.aws via 127.0.0.1:45127 (TLS) since 2026-11-21T08:48:19.813Z, next attempt 2026-11-21T08:50:02.000Z',
        '              last error: connect ECONNREFUSED 127.0.0.1:443 (2026-11-21T08:50:00.000Z)',
        'Credentials:  FAILED',
        '              last error: no credentials (2026-11-21T08:50:00.000Z)',
        'Reasons:      management server ecs-sc.us-west-2.api.aws is NOT_CONNECTED: connect ECONNREFUSED 127.0.0.1:443',
        '              AWS credentials FAILED: no credentials',
        '',
        'No xDS client has identified itself (no stream with a node).',
        '',
      ].join('\n'),
    );
  });

  it('colors states only when asked, without moving the columns', () => {
    const doc = relayStatus([stream(1, { id: 'n' }, [type(CDS, 'NACKED'), type(LDS, 'SYNCED')])]);
    const plain = text(doc);
    const colored = text(doc, COLOR);
    expect(plain).not.toContain('\u001b[');
    expect(colored).toContain('\u001b[31mNACKED 1503230b…');
    expect(colored).toContain('\u001b[32mHEALTHY\u001b[0m');
    expect(colored.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('shows a type cell as state and short version', () => {
    expect(typeCell(undefined)).toBe('-');
    expect(typeCell({ ...type(CDS, 'NOT_SENT'), type: 'CDS', streamId: 1, lastNack: null })).toBe('NOT SENT');
    expect(typeCell({ ...type(CDS, 'STALE', { lastVersionSent: '' }), type: 'CDS', streamId: 1, lastNack: null })).toBe('STALE');
  });
});
