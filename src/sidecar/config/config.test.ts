import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/env';
import { parseGoDurationMs } from '../../common/duration';
import { renderProblem } from '../../common/problem';
import { loadSidecarConfig, peekMode } from './index';
import { parseAgentFlags } from './flags';

const NODE = { APPMESH_RESOURCE_ARN: 'mesh/foo/virtualNode/bar', AWS_REGION: 'us-west-2' };
const load = (env: Record<string, string>, argv: string[] = [], generateBootstrap = true) => loadSidecarConfig({ ...NODE, ...env }, argv, { generateBootstrap });
function bad(env: Record<string, string>, argv: string[] = []): Array<[string, string]> {
  try {
    load(env, argv);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => [p.where, p.accepted ?? `(nothing accepted; ${p.message})`]);
    throw e;
  }
  return [];
}

describe('sidecar config: agent variables', () => {
  it('has the reference defaults', () => {
    const { agent } = load({});
    expect(agent).toEqual({
      adminApi: undefined,
      loggingResetTimeoutS: 300,
      readinessIntervalS: 5,
      readinessTimeoutS: 180,
      envoyRestartCount: 3,
      pidPollIntervalMs: 100,
      healthPollIntervalMs: 10_000,
      disconnectedTimeoutS: 604_800,
      drainWaitS: 20,
      envoyAdmin: { mode: 'tcp', port: 9901, udsPath: '/tmp/envoy_admin.sock' },
      envoyLogLevel: 'info',
      envoyConcurrency: -1,
      disableHotRestart: true,
      skipDeprecatedLogs: true,
      envoyConfigFile: undefined,
      envoyBin: '/usr/bin/envoy',
      statsSnapshot: false,
      statsSnapshotIntervalMs: 60_000,
      log: { destination: undefined, name: 'appnet_envoy.log', maxFileBytes: 1_048_576, retention: 5 },
      xdsEndpoint: undefined,
      relayMode: false,
      readinessProbe: false,
      agentLogLevel: 'info',
    });
    expect(load({ ENVOY_LOG_LEVEL: 'critical' }).agent.agentLogLevel).toBe('error');
    expect(load({ ENVOY_LOG_LEVEL: 'warning', APPNET_LOG_LEVEL: 'debug' }).agent.agentLogLevel).toBe('debug');
  });

  it.each([
    ['APPNET_AGENT_LOGGING_RESET_TIMEOUT', '60', 'loggingResetTimeoutS', 60, '0'],
    ['APPNET_ENVOY_RESTART_COUNT', '10', 'envoyRestartCount', 10, '11'],
    ['PID_POLL_INTERVAL_MS', '1000', 'pidPollIntervalMs', 1000, '50'],
    ['HC_POLL_INTERVAL_MS', '2000', 'healthPollIntervalMs', 2000, '1999'],
    ['HC_DISCONNECTED_TIMEOUT_S', '3600', 'disconnectedTimeoutS', 3600, '60'],
    ['LISTENER_DRAIN_WAIT_TIME_S', '5', 'drainWaitS', 5, '111'],
    ['ENVOY_CONCURRENCY', '2', 'envoyConcurrency', 2, 'two'],
    ['DISABLE_HOT_RESTART', 'false', 'disableHotRestart', false, 'nope'],
    ['ENVOY_SKIP_DEPRECATED_LOGS', 'F', 'skipDeprecatedLogs', false, 'x'],
    ['ENABLE_STATS_SNAPSHOT', '1', 'statsSnapshot', true, '2'],
    ['APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S', '-1', 'readinessTimeoutS', -1, '1.5'],
    ['ENVOY_LOG_LEVEL', 'WARNING', 'envoyLogLevel', 'warning', 'loud'],
  ])('%s: good %s, bad %s', (name, good, field, value, badValue) => {
    expect((load({ [name]: good }).agent as unknown as Record<string, unknown>)[field]).toEqual(value);
    expect(bad({ [name]: badValue }).map((p) => p[0])).toEqual([name]);
  });

  it('lets the Envoy admin socket move (ENVOY_ADMIN_UDS_PATH), for the agent and the bootstrap alike', () => {
    const c = load({ ENVOY_ADMIN_MODE: 'uds', ENVOY_ADMIN_UDS_PATH: '/run/envoy/admin.sock' });
    expect([c.agent.envoyAdmin.udsPath, c.bootstrap!.admin.udsPath]).toEqual(['/run/envoy/admin.sock', '/run/envoy/admin.sock']);
    expect(bad({ ENVOY_ADMIN_UDS_PATH: 'relative.sock' }).map((p) => p[0])).toEqual(['ENVOY_ADMIN_UDS_PATH']);
    expect(load({ APPNET_STATS_SNAPSHOT_INTERVAL: '5s' }).agent.statsSnapshotIntervalMs).toBe(5000);
  });

  it('takes the health interval from the readiness interval when HC_POLL_INTERVAL_MS is absent', () => {
    expect(load({ APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S: '6' }).agent.healthPollIntervalMs).toBe(6000);
    expect(load({ APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S: '1' }).agent.healthPollIntervalMs).toBe(10_000);
    expect(load({ HC_POLL_INTERVAL_MS: '3000', APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S: '6' }).agent.healthPollIntervalMs).toBe(3000);
  });

  it('reads the Envoy admin, log file and admin API settings', () => {
    const { agent } = load({
      ENVOY_ADMIN_MODE: 'UDS',
      ENVOY_ADMIN_ACCESS_PORT: '9000',
      APPNET_ENVOY_LOG_DESTINATION: '/var/log/appnet',
      APPNET_ENVOY_LOG_NAME: 'x.log',
      APPNET_AGENT_MAX_LOG_FILE_SIZE: '0.5',
      APPNET_AGENT_MAX_RETENTION_COUNT: '2',
      APPNET_AGENT_ADMIN_MODE: 'tcp',
      APPNET_AGENT_HTTP_PORT: '9903',
      APPNET_AGENT_HTTP_BIND_ADDRESS: '127.0.0.1',
    });
    expect(agent.envoyAdmin).toEqual({ mode: 'uds', port: 9000, udsPath: '/tmp/envoy_admin.sock' });
    expect(agent.log).toEqual({ destination: '/var/log/appnet', name: 'x.log', maxFileBytes: 524_288, retention: 2 });
    expect(agent.adminApi).toEqual({ mode: 'tcp', host: '127.0.0.1', port: 9903 });
    expect(bad({ ENVOY_ADMIN_MODE: 'http', APPNET_AGENT_MAX_LOG_FILE_SIZE: '-1' }).map((p) => p[0]).sort()).toEqual(['APPNET_AGENT_MAX_LOG_FILE_SIZE', 'ENVOY_ADMIN_MODE']);
  });

  it('parses the command-line flags the Go way', () => {
    expect(parseAgentFlags(['-envoyConfigPath', '/x.yaml', '--logLevel=debug', '-envoyReadiness'])).toEqual({ envoyConfigPath: '/x.yaml', logLevel: 'debug', envoyReadiness: true, problems: [] });
    expect(parseAgentFlags(['-bogus']).problems).toEqual([{ where: '-bogus', message: 'unknown flag', accepted: 'one of -envoyConfigPath, -logLevel, -envoyReadiness, -help' }]);
    expect(parseAgentFlags(['x', '-logLevel']).problems.map(renderProblem)).toEqual(['x: unexpected argument; expected a flag', '-logLevel: no value; expected -logLevel <value>']);
    expect(load({}, ['-logLevel', 'DEBUG']).agent.envoyLogLevel).toBe('debug'); // lower-cased, unlike the reference
    expect(load({ ENVOY_CONFIG_FILE: '/env.yaml' }, ['-envoyConfigPath=/flag.yaml']).agent.envoyConfigFile).toBe('/flag.yaml');
    expect(peekMode({ APPNET_ENABLE_RELAY_MODE_FOR_XDS: '1', ENVOY_CONFIG_FILE: ' /c.yaml ' }, ['-envoyReadiness'])).toEqual({ relayMode: true, configPath: '/c.yaml', readinessProbe: true });
  });
});

describe('sidecar config: bootstrap variables', () => {
  it('requires a node id, with the deprecated fallbacks', () => {
    expect(bad({ APPMESH_RESOURCE_ARN: '' }).map((p) => p[0])).toEqual(['APPMESH_RESOURCE_ARN']);
    const c = loadSidecarConfig({ APPMESH_VIRTUAL_NODE_NAME: 'mesh/m/virtualNode/n', APPMESH_VIRTUAL_NODE_CLUSTER: 'cl' }, [], { generateBootstrap: true });
    expect(c.bootstrap!.node).toEqual({ id: 'mesh/m/virtualNode/n', cluster: 'cl' });
    expect(load({}).bootstrap!.node).toEqual({ id: 'mesh/foo/virtualNode/bar', cluster: 'mesh/foo/virtualNode/bar' });
  });

  it('does not read the bootstrap variables when no bootstrap is generated', () => {
    const c = loadSidecarConfig({ ENABLE_ENVOY_XRAY_TRACING: 'bogus' }, [], { generateBootstrap: false });
    expect(c.bootstrap).toBeUndefined();
  });

  it.each([
    ['ENVOY_INITIAL_FETCH_TIMEOUT', '180', 'x'],
    ['APPMESH_PREVIEW', '1', 'maybe'],
    ['APPMESH_DUALSTACK_ENDPOINT', 'true', 'yesno'],
    ['ENVOY_ADMIN_ACCESS_ENABLE_IPV6', 'true', '3'],
    ['APPMESH_SET_TRACING_DECISION', 'false', 'no way'],
    ['ENVOY_NO_EXTENSION_LOOKUP_BY_NAME', 'false', 'z'],
    ['ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS', 'true', 'z'],
    ['MAX_REQUESTS_PER_IO_CYCLE', '1', 'one'],
    ['ENABLE_ENVOY_XRAY_TRACING', '1', 'on-ish'],
    ['XRAY_DAEMON_PORT', '1234', '70000'],
    ['XRAY_SAMPLING_RATE', '0.1451', '1.5'],
    ['DATADOG_TRACER_PORT', '8127', 'TCP'],
    ['JAEGER_TRACER_PORT', '9412', '-1'],
    ['ENABLE_ENVOY_STATS_TAGS', '1', '11'],
    ['ENVOY_STATS_FLUSH_INTERVAL', '1m30s', '5000'],
    ['ENABLE_ENVOY_DOG_STATSD', '1', 'x'],
    ['STATSD_PORT', '8126', 'TCP'],
    ['APPNET_FIPS_MODE_ENABLED', 'TRUE', 'fips'],
    ['APPNET_CONTAINER_IP_MAPPING', '{"App1":"172.10.1.1"}', '["172.10.1.1"]'],
    ['APPNET_LISTENER_PORT_MAPPING', '{"Listener1":15000}', '{bad json'],
    ['AWS_REGION', 'cn-north-1', 'Oregon'],
  ])('%s: accepts %s, rejects %s', (name, good, badValue) => {
    expect(bad({ [name]: good })).toEqual([]);
    expect(bad({ [name]: badValue }).map((p) => p[0])).toEqual([name]);
  });

  it('reads tracing, stats and platform settings', () => {
    const b = load({
      ENABLE_ENVOY_JAEGER_TRACING: '1',
      JAEGER_TRACER_VERSION: 'v2-JSON',
      ENVOY_STATS_FLUSH_INTERVAL: '5000ms',
      APPMESH_METRIC_EXTENSION_VERSION: '1',
      STATSD_SOCKET_PATH: '/tmp/dsd.sock',
      APPMESH_PLATFORM_K8S_VERSION: 'v1.29',
      APPMESH_PLATFORM_K8S_POD_UID: 'uid',
      APPMESH_PLATFORM_APP_MESH_CONTROLLER_VERSION: 'v1.12',
      AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
      ECS_CONTAINER_METADATA_URI: 'http://169.254.170.2/v3/x',
      ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x',
      NAMESPACE_NAME: 'ns',
    }).bootstrap!;
    expect(b.tracing.jaeger).toEqual({ enabled: true, address: '127.0.0.1', port: 9411, json: true });
    expect(b.stats).toMatchObject({ flushIntervalMs: 5000, metricExtension: true, dogStatsd: { enabled: false, socketPath: '/tmp/dsd.sock' } });
    expect(b.k8s).toEqual({ version: 'v1.29', podUid: 'uid', controllerVersion: 'v1.12' });
    expect(b.ecs).toEqual({ launchType: 'AWS_ECS_FARGATE', metadataUri: 'http://169.254.170.2/v4/x', containerInstanceArn: undefined });
    expect(b.namespace).toEqual({ name: 'ns', arn: undefined });
  });

  it('refuses two trace drivers at once, unless a tracing file overrides them', () => {
    expect(bad({ ENABLE_ENVOY_XRAY_TRACING: '1', ENABLE_ENVOY_DATADOG_TRACING: '1' })).toEqual([
      ['ENABLE_ENVOY_DATADOG_TRACING', 'only one trace driver at a time (ENABLE_ENVOY_XRAY_TRACING and ENABLE_ENVOY_DATADOG_TRACING are both set)'],
    ]);
    expect(bad({ ENABLE_ENVOY_XRAY_TRACING: '1', ENABLE_ENVOY_DATADOG_TRACING: '1', ENVOY_TRACING_CFG_FILE: '/t.yaml' })).toEqual([]);
  });

  it('validates APPMESH_SIGNING_NAME (a SigV4 service name)', () => {
    expect(load({ APPMESH_SIGNING_NAME: 'custom' }).bootstrap?.xds.signingName).toBe('custom');
    expect(bad({ APPMESH_SIGNING_NAME: 'bad name/with slash' }).map((p) => p[0])).toEqual(['APPMESH_SIGNING_NAME']);
  });

  it('reports problems of both families together', () => {
    expect(bad({ APPNET_ENVOY_RESTART_COUNT: '-1', STATSD_PORT: 'x', APPMESH_RESOURCE_ARN: '' }).map((p) => p[0]).sort()).toEqual(['APPMESH_RESOURCE_ARN', 'APPNET_ENVOY_RESTART_COUNT', 'STATSD_PORT']);
  });

  it('parses Go durations', () => {
    expect([parseGoDurationMs('15s'), parseGoDurationMs('1m30s'), parseGoDurationMs('1.5h'), parseGoDurationMs('250us'), parseGoDurationMs('10')]).toEqual([15_000, 90_000, 5_400_000, 0.25, undefined]);
  });
});
