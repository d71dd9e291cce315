import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/env';
import { loadRelayConfig } from './config';
import { defaultManagementDomain } from './management-domain';

const facts = { fileExists: (p: string) => p === '/ca.pem', fipsEnabled: false };
const load = (env: Record<string, string>) => loadRelayConfig({ AWS_REGION: 'us-west-2', ...env }, facts);
function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => p.where);
    throw e;
  }
  return [];
}

describe('relay config', () => {
  it('has the reference defaults', () => {
    const c = load({});
    expect(c).toMatchObject({
      listenerPath: '/tmp/relay_xds.sock',
      signingName: 'appmesh',
      streamIdleTimeoutMs: 2_400_000,
      bufferLimitBytes: 10_485_760,
      drainTimeoutMs: 20_000,
      admin: undefined,
      upstream: { domain: 'ecs-sc.us-west-2.api.aws', port: 443, connectHosts: ['ecs-sc.us-west-2.api.aws'], tls: true, keepaliveIntervalMs: 10_000, keepaliveTimeoutMs: 5000, maxConnectionDurationMs: 2_400_000, connectTimeoutMs: 5000 },
    });
  });

  it('takes several management addresses (replicas), and names a bad one', () => {
    expect(load({ APPNET_MANAGEMENT_DOMAIN_NAME: 'mgmt.example.com', APPNET_MANAGEMENT_ADDRESS: '127.0.0.1,127.0.0.2' }).upstream).toMatchObject({ domain: 'mgmt.example.com', connectHosts: ['127.0.0.1', '127.0.0.2'] });
    expect(problems({ APPNET_MANAGEMENT_ADDRESS: '127.0.0.1,,x y' })).toEqual(['APPNET_MANAGEMENT_ADDRESS']);
  });

  it('honors APPNET_MANAGEMENT_DOMAIN_NAME over APPMESH_XDS_ENDPOINT, and takes a port from the endpoint', () => {
    expect(load({ APPNET_MANAGEMENT_DOMAIN_NAME: 'mgmt.example.com', APPMESH_XDS_ENDPOINT: 'other.example.com' }).upstream.domain).toBe('mgmt.example.com');
    const e = load({ APPMESH_XDS_ENDPOINT: 'https://ecs-sc.us-west-2.aws.api:8443' }).upstream;
    expect([e.domain, e.port]).toEqual(['ecs-sc.us-west-2.aws.api', 8443]);
    expect(load({ APPMESH_XDS_ENDPOINT: 'x.example.com:8443', APPNET_MANAGEMENT_PORT: '9000' }).upstream.port).toBe(9000);
  });

  it('derives China, FIPS and GovCloud domains', () => {
    expect(defaultManagementDomain('cn-north-1', false)).toBe('ecs-sc.cn-north-1.api.amazonwebservices.com.cn');
    expect(defaultManagementDomain('us-west-2', true)).toBe('ecs-sc-fips.us-west-2.api.aws');
    expect(defaultManagementDomain('us-gov-west-1', false)).toBe('ecs-sc-fips.us-gov-west-1.api.aws');
    expect(load({ AWS_REGION: 'us-isof-south-1' }).upstream.ecdhCurve).toBe('P-384');
  });

  it('accepts Envoy duration strings and 0 to disable', () => {
    const c = load({ RELAY_STREAM_IDLE_TIMEOUT: '1.5s', RELAY_MAX_CONNECTION_DURATION: '0', RELAY_DRAIN_TIMEOUT: '250ms' });
    expect([c.streamIdleTimeoutMs, c.upstream.maxConnectionDurationMs, c.drainTimeoutMs]).toEqual([1500, 0, 250]);
  });

  it('uses the CA file given, else /etc/pki/tls/cert.pem when present', () => {
    expect(load({ RELAY_TRUSTED_CA_FILE: '/ca.pem' }).upstream.caFile).toBe('/ca.pem');
    expect(loadRelayConfig({ AWS_REGION: 'us-west-2' }, { fileExists: (p) => p === '/etc/pki/tls/cert.pem', fipsEnabled: false }).upstream.caFile).toBe('/etc/pki/tls/cert.pem');
    expect(load({}).upstream.caFile).toBeUndefined();
  });

  it('reports every bad variable at once, each by name', () => {
    const names = problems({
      AWS_REGION: 'mars',
      APPNET_RELAY_LISTENER_UDS_PATH: 'relative.sock',
      APPNET_MANAGEMENT_PORT: '70000',
      RELAY_STREAM_IDLE_TIMEOUT: '10 minutes',
      RELAY_BUFFER_LIMIT_BYTES: '12abc',
      RELAY_MAX_NEW_STREAMS_PER_SECOND: '0',
      APPNET_MANAGEMENT_TLS: 'maybe',
      RELAY_TRUSTED_CA_FILE: '/missing.pem',
      APPNET_AGENT_ADMIN_MODE: 'http',
      APPNET_AGENT_HTTP_PORT: '0',
      APPNET_LOG_LEVEL: 'loud',
    });
    expect(names.sort()).toEqual(
      [
        'AWS_REGION',
        'APPNET_RELAY_LISTENER_UDS_PATH',
        'APPNET_MANAGEMENT_PORT',
        'RELAY_STREAM_IDLE_TIMEOUT',
        'RELAY_BUFFER_LIMIT_BYTES',
        'RELAY_MAX_NEW_STREAMS_PER_SECOND',
        'APPNET_MANAGEMENT_TLS',
        'RELAY_TRUSTED_CA_FILE',
        'APPNET_AGENT_ADMIN_MODE',
        'APPNET_AGENT_HTTP_PORT',
        'APPNET_LOG_LEVEL',
      ].sort(),
    );
    expect(problems({ AWS_REGION: '' })).toEqual(['AWS_REGION']);
    expect(problems({ APPNET_RELAY_LISTENER_UDS_PATH: `/${'x'.repeat(120)}` })).toEqual(['APPNET_RELAY_LISTENER_UDS_PATH']);
  });

  it('validates APPMESH_SIGNING_NAME like every other variable (a bad one would make every signature wrong)', () => {
    expect(load({ APPMESH_SIGNING_NAME: 'appmesh-preview' }).signingName).toBe('appmesh-preview');
    for (const v of ['bad name/with slash', 'app mesh', 'app/mesh', 'appmesh;x', '-appmesh', 'x'.repeat(65)]) expect(problems({ APPMESH_SIGNING_NAME: v })).toEqual(['APPMESH_SIGNING_NAME']);
    try {
      load({ APPMESH_SIGNING_NAME: 'bad name/with slash' });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain('APPMESH_SIGNING_NAME="bad name/with slash": expected a SigV4 service name');
    }
  });

  it('says what form was expected', () => {
    try {
      load({ RELAY_STREAM_IDLE_TIMEOUT: 'soon' });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain('RELAY_STREAM_IDLE_TIMEOUT="soon": expected a duration such as 300s');
    }
  });

  it('reads the upstream pool: RELAY_UPSTREAM_CONNECTIONS and its hard maximum, which may not be below it', () => {
    expect(load({}).upstream).toMatchObject({ connections: 1, maxConnections: 128 });
    expect(load({ RELAY_UPSTREAM_CONNECTIONS: '1', RELAY_UPSTREAM_MAX_CONNECTIONS: '1' }).upstream).toMatchObject({ connections: 1, maxConnections: 1 });
    expect(problems({ RELAY_UPSTREAM_CONNECTIONS: '0' })).toEqual(['RELAY_UPSTREAM_CONNECTIONS']);
    expect(problems({ RELAY_UPSTREAM_CONNECTIONS: '65' })).toEqual(['RELAY_UPSTREAM_CONNECTIONS']);
    expect(() => load({ RELAY_UPSTREAM_CONNECTIONS: '8', RELAY_UPSTREAM_MAX_CONNECTIONS: '4' })).toThrow('RELAY_UPSTREAM_MAX_CONNECTIONS="4": expected at least RELAY_UPSTREAM_CONNECTIONS (8)');
  });

  it('reads the admin listener', () => {
    expect(load({ APPNET_AGENT_ADMIN_MODE: 'tcp' }).admin).toEqual({ mode: 'tcp', host: '::', port: 9902 });
    expect(load({ APPNET_AGENT_ADMIN_MODE: 'UDS', APPNET_AGENT_ADMIN_UDS_PATH: '/tmp/a.sock' }).admin).toEqual({ mode: 'uds', path: '/tmp/a.sock' });
  });
});
