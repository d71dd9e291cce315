import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_MESH_ENV, SERVICE_CONNECT_ENV, TASK_SET_ARN, cfgFrom, facts, gen, problemsOf } from '../../../test/fixtures/bootstrap-env';
import { generateBootstrap } from './generate';

const CHANNEL_ARGS = {
  args: {
    'grpc.http2.max_pings_without_data': { intValue: '0' },
    'grpc.keepalive_time_ms': { intValue: '10000' },
    'grpc.keepalive_timeout_ms': { intValue: '20000' },
    'grpc.initial_reconnect_backoff_ms': { intValue: '10000' },
    'grpc.max_connection_age_ms': { intValue: '2400000' },
    'grpc.max_connection_age_grace_ms': { intValue: '5000' },
  },
};

const STATIC_RUNTIME = {
  'envoy.features.enable_all_deprecated_features': true,
  're2.max_program_size.error_level': 1000,
  'envoy.reloadable_features.http_set_tracing_decision_in_request_id': true,
  'envoy.reloadable_features.no_extension_lookup_by_name': true,
  'envoy.reloadable_features.use_http_client_to_fetch_aws_credentials': false,
};

const LISTENER_TAGS = [
  { tagName: 'appmesh.listener_protocol', regex: '.*?\\.ingress\\.((\\w+?)\\.)[0-9]+?\\.(.+?)$' },
  { tagName: 'appmesh.listener_port', regex: '.*?\\.ingress\\.\\w+?\\.(([0-9]+?)\\.)(.+?)$' },
  { tagName: 'envoy_rds_route_config', regex: '.*?\\.ingress\\.\\w+?\\.[0-9]+?\\.rds\\.((.*?)\\.)(.+?)$' },
];

// docs/reference-agent/bootstrap.md#default-bootstrap
describe('generateBootstrap: the default App Mesh bootstrap', () => {
  it('matches the reference default bootstrap field by field', () => {
    const interfaces = { ipv4: { lo: ['127.0.0.1/8'] }, ipv6: { lo: ['::1/128'] } };
    const { bootstrap, files, warnings } = gen(APP_MESH_ENV, { interfaces });
    expect(files).toEqual([]);
    expect(warnings).toEqual([]);
    expect(bootstrap).toEqual({
      admin: {
        accessLog: [{ typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', path: '/tmp/envoy_admin_access.log' } }],
        address: { socketAddress: { address: '0.0.0.0', portValue: 9901 } },
      },
      clusterManager: { outlierDetection: { eventLogPath: '/dev/stdout' } },
      dynamicResources: {
        adsConfig: {
          apiType: 'GRPC',
          transportApiVersion: 'V3',
          grpcServices: [
            {
              googleGrpc: {
                statPrefix: 'ads',
                targetUri: 'appmesh-envoy-management.us-west-2.amazonaws.com:443',
                channelCredentials: { sslCredentials: { rootCerts: { filename: '/etc/pki/tls/cert.pem' } } },
                credentialsFactoryName: 'envoy.grpc_credentials.aws_iam',
                callCredentials: [
                  {
                    fromPlugin: {
                      name: 'envoy.grpc_credentials.aws_iam',
                      typedConfig: { '@type': 'type.googleapis.com/envoy.config.grpc_credential.v3.AwsIamConfig', serviceName: 'appmesh', region: 'us-west-2' },
                    },
                  },
                ],
                channelArgs: CHANNEL_ARGS,
              },
            },
          ],
        },
        cdsConfig: { ads: {}, initialFetchTimeout: '0s', resourceApiVersion: 'V3' },
        ldsConfig: { ads: {}, initialFetchTimeout: '0s', resourceApiVersion: 'V3' },
      },
      layeredRuntime: {
        layers: [
          { name: 'static_layer_0', staticLayer: STATIC_RUNTIME },
          { name: 'admin_layer', adminLayer: {} },
        ],
      },
      node: {
        id: 'mesh/foo/virtualNode/bar',
        cluster: 'mesh/foo/virtualNode/bar',
        metadata: {
          'aws.appmesh.static_runtime': STATIC_RUNTIME,
          'aws.appmesh.task.interfaces': interfaces,
          'aws.appmesh.platformInfo': { systemInfo: { systemPlatform: 'x86_64', systemKernelVersion: '5.10.0-test' } },
        },
      },
      statsConfig: { statsTags: LISTENER_TAGS },
    });
  });

  it('takes the node cluster and the deprecated id fallbacks', () => {
    expect(gen({ ...APP_MESH_ENV, APPMESH_RESOURCE_CLUSTER: 'c1' }).bootstrap.node).toMatchObject({ id: 'mesh/foo/virtualNode/bar', cluster: 'c1' });
    const b = gen({ AWS_REGION: 'us-west-2', APPMESH_VIRTUAL_NODE_NAME: 'mesh/m/virtualNode/n', APPMESH_VIRTUAL_NODE_CLUSTER: 'vc' }).bootstrap;
    expect(b.node).toMatchObject({ id: 'mesh/m/virtualNode/n', cluster: 'vc' });
  });

  it('sets the locality from the AZ ID and the region', () => {
    const ecsTask = { AvailabilityZone: 'us-east-1a', AvailabilityZoneID: 'use1-az1' };
    const env = { ...APP_MESH_ENV, AWS_EXECUTION_ENV: 'AWS_ECS_EC2', ECS_CONTAINER_METADATA_URI_V4: 'http://x' };
    expect(gen(env, { ecsTask }).bootstrap.node.locality).toEqual({ region: 'us-west-2', zone: 'use1-az1' });
    expect(gen(APP_MESH_ENV).bootstrap.node.locality).toBeUndefined();
    // Service Connect without AWS_REGION: the region instance metadata gave, or no locality.
    const sc = { ...SERVICE_CONNECT_ENV, AWS_EXECUTION_ENV: 'AWS_ECS_EC2', ECS_CONTAINER_METADATA_URI_V4: 'http://x' };
    expect(gen(sc, { ecsTask, imdsRegion: { ok: true, value: 'us-east-1' } }).bootstrap.node.locality).toEqual({ region: 'us-east-1', zone: 'use1-az1' });
    expect(gen(sc, { ecsTask }).bootstrap.node.locality).toBeUndefined();
  });

  it('uses the region instance metadata reported when AWS_REGION is unset, and names AWS_REGION when there is none', () => {
    const env = { APPMESH_RESOURCE_ARN: 'mesh/foo/virtualNode/bar' };
    const g = gen(env, { imdsRegion: { ok: true, value: 'eu-west-1' } }).bootstrap.dynamicResources.adsConfig.grpcServices[0]!.googleGrpc;
    expect(g.targetUri).toBe('appmesh-envoy-management.eu-west-1.amazonaws.com:443');
    expect(problemsOf(() => gen(env, { imdsRegion: { ok: false, error: 'timed out after 1000 ms' } }))).toEqual([
      ['AWS_REGION', 'a region for the App Mesh xDS endpoint and SigV4 signing (AWS_REGION is not set and the instance metadata lookup failed: timed out after 1000 ms)'],
    ]);
  });
});

describe('generateBootstrap: Service Connect', () => {
  it('uses the unix:// endpoint without TLS or signing, adds local_cluster, no stats config', () => {
    const { bootstrap } = gen(SERVICE_CONNECT_ENV);
    expect(bootstrap.dynamicResources.adsConfig.grpcServices).toEqual([{ googleGrpc: { statPrefix: 'ads', targetUri: 'unix:///tmp/relay_xds.sock', channelArgs: CHANNEL_ARGS } }]);
    expect(bootstrap.node.id).toBe(TASK_SET_ARN);
    expect(bootstrap.clusterManager).toEqual({ outlierDetection: { eventLogPath: '/dev/stdout' }, localClusterName: 'local_cluster' });
    expect(bootstrap.staticResources).toEqual({
      clusters: [{ name: 'local_cluster', type: 'EDS', edsClusterConfig: { edsConfig: { ads: {}, initialFetchTimeout: '0.001s', resourceApiVersion: 'V3' } } }],
    });
    expect(bootstrap.statsConfig).toBeUndefined();
  });

  it('needs no region and never probes for one', () => {
    expect(problemsOf(() => gen(SERVICE_CONNECT_ENV, { envoyBuild: undefined }))).toEqual([]);
  });

  it('refuses a unix:// endpoint without an absolute path', () => {
    expect(problemsOf(() => gen({ ...SERVICE_CONNECT_ENV, APPMESH_XDS_ENDPOINT: 'unix://relay.sock' })).map((p) => p[0])).toEqual(['APPMESH_XDS_ENDPOINT']);
  });
});

describe('generateBootstrap: admin, runtime, fetch timeouts, SDS', () => {
  it.each([
    [{}, { socketAddress: { address: '0.0.0.0', portValue: 9901 } }],
    [{ ENVOY_ADMIN_ACCESS_PORT: '9000' }, { socketAddress: { address: '0.0.0.0', portValue: 9000 } }],
    [{ ENVOY_ADMIN_ACCESS_ENABLE_IPV6: 'true' }, { socketAddress: { address: '::', portValue: 9901, ipv4Compat: true } }],
    [{ ENVOY_ADMIN_MODE: 'uds', ENVOY_ADMIN_ACCESS_PORT: '9000', ENVOY_ADMIN_ACCESS_ENABLE_IPV6: '1' }, { pipe: { path: '/tmp/envoy_admin.sock', mode: 384 } }],
    [{ APPNET_AGENT_ADMIN_MODE: 'uds' }, { socketAddress: { address: '0.0.0.0', portValue: 9901 } }],
  ])('admin address for %j', (env, address) => {
    expect(gen({ ...APP_MESH_ENV, ...env }).bootstrap.admin.address).toEqual(address);
  });

  it('writes the admin access log where ENVOY_ADMIN_ACCESS_LOG_FILE says', () => {
    expect(gen({ ...APP_MESH_ENV, ENVOY_ADMIN_ACCESS_LOG_FILE: '/var/log/a.log' }).bootstrap.admin.accessLog[0]!.typedConfig.path).toBe('/var/log/a.log');
  });

  it.each([
    [{ APPMESH_SET_TRACING_DECISION: 'false' }, { 'envoy.reloadable_features.http_set_tracing_decision_in_request_id': false }],
    [{ ENVOY_NO_EXTENSION_LOOKUP_BY_NAME: 'false' }, { 'envoy.reloadable_features.no_extension_lookup_by_name': false }],
    [{ ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS: 'true' }, { 'envoy.reloadable_features.use_http_client_to_fetch_aws_credentials': true }],
    [{ MAX_REQUESTS_PER_IO_CYCLE: '1' }, { 'http.max_requests_per_io_cycle': 1 }],
    [{ MAX_REQUESTS_PER_IO_CYCLE: '0' }, {}],
    [{ MAX_REQUESTS_PER_IO_CYCLE: '-1' }, {}],
  ])('runtime for %j', (env, changed) => {
    const { bootstrap } = gen({ ...APP_MESH_ENV, ...env });
    const expected = { ...STATIC_RUNTIME, ...changed };
    expect(bootstrap.layeredRuntime.layers[0]!.staticLayer).toEqual(expected);
    expect(bootstrap.node.metadata['aws.appmesh.static_runtime']).toEqual(expected);
    expect(bootstrap.layeredRuntime.layers[1]).toEqual({ name: 'admin_layer', adminLayer: {} });
  });

  it('sets the LDS/CDS initial fetch timeout and the outlier event log path', () => {
    const { bootstrap } = gen({ ...APP_MESH_ENV, ENVOY_INITIAL_FETCH_TIMEOUT: '180', ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH: '/tmp/outlier.log' });
    expect(bootstrap.dynamicResources.cdsConfig.initialFetchTimeout).toBe('180s');
    expect(bootstrap.dynamicResources.ldsConfig.initialFetchTimeout).toBe('180s');
    expect(bootstrap.clusterManager.outlierDetection.eventLogPath).toBe('/tmp/outlier.log');
  });

  it('adds the SDS cluster after local_cluster and the tracer cluster', () => {
    const { bootstrap } = gen({ ...SERVICE_CONNECT_ENV, APPMESH_SDS_SOCKET_PATH: '/run/sds.sock', ENABLE_ENVOY_DATADOG_TRACING: '1' });
    expect(bootstrap.staticResources!.clusters.map((c) => c.name)).toEqual(['local_cluster', 'datadog_agent', 'static_cluster_sds_unix_socket']);
    expect(bootstrap.staticResources!.clusters[2]).toEqual({
      name: 'static_cluster_sds_unix_socket',
      type: 'STATIC',
      connectTimeout: '1s',
      http2ProtocolOptions: {},
      loadAssignment: { clusterName: 'static_cluster_sds_unix_socket', endpoints: [{ lbEndpoints: [{ endpoint: { address: { pipe: { path: '/run/sds.sock' } } } }] }] },
    });
  });
});

describe('generateBootstrap: budget and errors', () => {
  it('generates in well under 50 ms', () => {
    const cfg = cfgFrom({ ...APP_MESH_ENV, ENABLE_ENVOY_XRAY_TRACING: '1', ENABLE_ENVOY_STATS_TAGS: '1', ENABLE_ENVOY_DOG_STATSD: '1' });
    const f = facts();
    generateBootstrap(cfg, f); // warm
    const start = performance.now();
    for (let i = 0; i < 100; i++) generateBootstrap(cfg, f);
    expect((performance.now() - start) / 100).toBeLessThan(5);
  });

  it('never loads protobuf definitions (cold start budget)', () => {
    const dir = __dirname;
    for (const file of fs.readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      expect(text, file).not.toMatch(/from '(protobufjs|@grpc\/[^']+|[^']*envoy-protos)'/);
    }
  });

  it('reports every problem at once, each naming its variable', () => {
    const env = {
      APPMESH_RESOURCE_ARN: 'mesh/foo/virtualNode/bar',
      ENABLE_ENVOY_XRAY_TRACING: '1',
      AWS_XRAY_DAEMON_ADDRESS: 'xray-daemon:1234',
      ENVOY_STATS_FLUSH_INTERVAL: '10m',
      ENABLE_ENVOY_DOG_STATSD: '1',
      STATSD_ADDRESS: 'statsd.local',
    };
    expect(problemsOf(() => gen(env)).map((p) => p[0])).toEqual(['AWS_REGION', 'AWS_XRAY_DAEMON_ADDRESS', 'ENVOY_STATS_FLUSH_INTERVAL', 'STATSD_ADDRESS']);
  });

  it('requires a node id', () => {
    const cfg = cfgFrom(APP_MESH_ENV);
    expect(problemsOf(() => generateBootstrap({ ...cfg, node: { id: '', cluster: '' } }, facts())).map((p) => p[0])).toEqual(['APPMESH_RESOURCE_ARN']);
  });
});
