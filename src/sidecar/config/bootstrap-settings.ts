import { GO_DURATION_FORM, parseGoDurationMs } from '../../common/duration';
import { type SettingDoc, bool, custom, int, port, text } from '../../common/settings';
import { signingNameSetting } from '../../sigv4/signing-name';

/**
 * The bootstrap variables (read only when a bootstrap is generated), each declared once:
 * readBootstrapConfig reads them, `appnet-agent --help` and the README's "Bootstrap" table
 * come from here. The Envoy admin variables and APPMESH_XDS_ENDPOINT, which the bootstrap
 * reads too, are declared with the agent's (agent-settings.ts).
 */

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** A JSON object variable (APPNET_CONTAINER_IP_MAPPING and friends). */
function jsonObject(env: string, example: string, help: string) {
  return custom<Record<string, unknown> | undefined>({
    env,
    default: undefined,
    form: `JSON object (\`${example}\`)`,
    help,
    read: (r, name) => {
      const v = r.raw(name);
      if (v === undefined) return undefined;
      try {
        const parsed: unknown = JSON.parse(v);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      } catch {
        /* reported below */
      }
      r.problem(name, v, 'a JSON object, e.g. {"App1":"172.10.1.1"}');
      return undefined;
    },
  });
}

/** Runtime keys of the bootstrap's runtime layer. */
const runtimeKey = (key: string) => `runtime key \`${key}\``;

export const BOOTSTRAP_SETTINGS = {
  nodeId: custom<string>({
    env: 'APPMESH_RESOURCE_ARN',
    or: ['APPMESH_RESOURCE_NAME', 'APPMESH_VIRTUAL_NODE_NAME'],
    default: '',
    shown: '*(required)*',
    form: '`arn:…:mesh/<mesh>/virtualNode/<name>`, `mesh/<mesh>/…`, or a Service Connect task-set ARN',
    help: 'node id: the resource this Envoy represents',
    read: (r, name, fallback) => {
      const id = r.string(name);
      if (id === undefined) r.problem(name, '', 'the ARN (or mesh/<mesh>/virtualNode/<name>) of the resource this Envoy represents');
      return id ?? fallback;
    },
  }),
  cluster: text({ env: 'APPMESH_RESOURCE_CLUSTER', or: ['APPMESH_VIRTUAL_NODE_CLUSTER'], shown: 'the node id', help: 'node cluster' }),
  region: custom<string | undefined>({
    env: 'AWS_REGION',
    default: undefined,
    shown: 'instance metadata (App Mesh mode only)',
    form: 'a region name (`us-west-2`)',
    help: 'region for the endpoint, signing and locality',
    read: (r, name) => {
      const region = r.string(name);
      if (region !== undefined && !REGION.test(region)) r.problem(name, region, 'a region name such as us-west-2');
      return region;
    },
  }),
  preview: bool({ env: 'APPMESH_PREVIEW', default: false, help: 'preview App Mesh endpoints' }),
  dualstack: bool({ env: 'APPMESH_DUALSTACK_ENDPOINT', default: false, help: 'dual-stack App Mesh endpoints' }),
  signingName: signingNameSetting({ shown: '`appmesh` (`appmesh-preview` with preview)', help: "SigV4 service for Envoy's IAM credentials (App Mesh mode)" }),
  initialFetchTimeout: int({ env: 'ENVOY_INITIAL_FETCH_TIMEOUT', default: 0, min: 0, unit: 'seconds', help: 'CDS/LDS initial fetch timeout' }),
  adminAccessLog: text({ env: 'ENVOY_ADMIN_ACCESS_LOG_FILE', default: '/tmp/envoy_admin_access.log', form: 'path', help: 'admin access log' }),
  adminIpv6: bool({ env: 'ENVOY_ADMIN_ACCESS_ENABLE_IPV6', default: false, help: 'admin on `::` (IPv4 too)' }),
  outlierLog: text({ env: 'ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH', default: '/dev/stdout', form: 'path', help: 'outlier event log' }),
  setTracingDecision: bool({ env: 'APPMESH_SET_TRACING_DECISION', default: true, help: runtimeKey('envoy.reloadable_features.http_set_tracing_decision_in_request_id') }),
  noExtensionLookupByName: bool({ env: 'ENVOY_NO_EXTENSION_LOOKUP_BY_NAME', default: true, help: runtimeKey('envoy.reloadable_features.no_extension_lookup_by_name') }),
  useHttpClientForAwsCredentials: bool({
    env: 'ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS',
    default: false,
    help: runtimeKey('envoy.reloadable_features.use_http_client_to_fetch_aws_credentials'),
  }),
  maxRequestsPerIoCycle: int({ env: 'MAX_REQUESTS_PER_IO_CYCLE', default: -1, shown: 'unset', help: '`http.max_requests_per_io_cycle` when > 0' }),
  xray: bool({ env: 'ENABLE_ENVOY_XRAY_TRACING', default: false, help: 'X-Ray tracer (only one tracer at a time)' }),
  xrayPort: port({ env: 'XRAY_DAEMON_PORT', default: 2000, help: 'X-Ray daemon port' }),
  xrayAddress: custom({
    env: 'AWS_XRAY_DAEMON_ADDRESS',
    shown: '`127.0.0.1`',
    form: '`host:port`, `[v6]:port`, a bare IPv6, or `tcp:h:p udp:h:p`',
    help: 'X-Ray daemon address (checked when the bootstrap is generated)',
  }),
  xraySamplingRate: custom<string | undefined>({
    env: 'XRAY_SAMPLING_RATE',
    default: undefined,
    shown: "X-Ray's 5 %",
    form: '0–1',
    help: 'rounded to 2 decimals; writes a sampling-rules file',
    read: (r, name) => {
      const rate = r.string(name);
      if (rate !== undefined && (!/^\d*\.?\d+$/.test(rate) || Number(rate) < 0 || Number(rate) > 1)) r.problem(name, rate, 'a decimal between 0 and 1.00 (100%)');
      return rate;
    },
  }),
  xraySamplingManifest: text({ env: 'XRAY_SAMPLING_RULE_MANIFEST', form: 'path', help: 'a version-2 sampling manifest (validated)' }),
  xraySegmentName: text({ env: 'XRAY_SEGMENT_NAME', shown: '`<mesh>/<name>`', help: 'segment name' }),
  datadog: bool({ env: 'ENABLE_ENVOY_DATADOG_TRACING', default: false, help: 'Datadog tracer' }),
  datadogAddress: text({ env: 'DATADOG_TRACER_ADDRESS', default: '127.0.0.1', form: 'IP or host', help: 'Datadog agent address' }),
  datadogPort: port({ env: 'DATADOG_TRACER_PORT', default: 8126, help: 'Datadog agent port' }),
  datadogService: text({ env: 'DD_SERVICE', shown: '`envoy-<mesh>/<name>`', help: 'Datadog service name' }),
  jaeger: bool({ env: 'ENABLE_ENVOY_JAEGER_TRACING', default: false, help: 'Jaeger (Zipkin) tracer' }),
  jaegerAddress: text({ env: 'JAEGER_TRACER_ADDRESS', default: '127.0.0.1', form: 'IP or host', help: 'Jaeger collector address' }),
  jaegerPort: port({ env: 'JAEGER_TRACER_PORT', default: 9411, help: 'Jaeger collector port' }),
  jaegerJson: custom<boolean>({
    env: 'JAEGER_TRACER_VERSION',
    default: false,
    shown: 'proto',
    form: 'text; containing `json` (any case) → JSON',
    help: 'collector encoding: proto, or JSON',
    read: (r, name) => /json/i.test(r.string(name, '')),
  }),
  tracingConfigFile: text({ env: 'ENVOY_TRACING_CFG_FILE', form: 'path', help: 'your own `tracing` (replaces the generated one)' }),
  statsTags: bool({ env: 'ENABLE_ENVOY_STATS_TAGS', default: false, help: '`appmesh.mesh` / `appmesh.<type>` tags' }),
  metricExtension: custom<boolean>({
    env: 'APPMESH_METRIC_EXTENSION_VERSION',
    default: false,
    shown: '`0`',
    form: '`0`, `1`',
    help: '`1` enables the metrics-extension tags and metadata',
    read: (r, name) => r.string(name, '0') === '1',
  }),
  statsConfigFile: text({ env: 'ENVOY_STATS_CONFIG_FILE', form: 'path', help: 'your own `stats_config`' }),
  statsFlushInterval: custom<number | undefined>({
    env: 'ENVOY_STATS_FLUSH_INTERVAL',
    default: undefined,
    shown: "Envoy's 5 s",
    form: 'Go duration (`5000ms`, `1m30s`)',
    help: 'stats flush interval',
    read: (r, name) => {
      const t = r.raw(name);
      if (t === undefined) return undefined;
      const ms = parseGoDurationMs(t);
      if (ms === undefined || ms <= 0) r.problem(name, t, GO_DURATION_FORM);
      return ms;
    },
  }),
  dogStatsd: bool({ env: 'ENABLE_ENVOY_DOG_STATSD', default: false, help: 'DogStatsD sink (UDP, or the socket when `STATSD_SOCKET_PATH` is set)' }),
  statsdAddress: text({ env: 'STATSD_ADDRESS', default: '127.0.0.1', form: 'IP or host', help: 'DogStatsD address' }),
  statsdPort: port({ env: 'STATSD_PORT', default: 8125, help: 'DogStatsD port' }),
  statsdSocketPath: text({ env: 'STATSD_SOCKET_PATH', form: 'path', help: 'DogStatsD Unix socket' }),
  statsSinksConfigFile: text({ env: 'ENVOY_STATS_SINKS_CFG_FILE', form: 'path', help: 'your own `stats_sinks` (appended)' }),
  resourcesConfigFile: text({ env: 'ENVOY_RESOURCES_CONFIG_FILE', form: 'path', help: 'extra bootstrap keys merged last (static resources appended, others replace)' }),
  sdsSocketPath: text({ env: 'APPMESH_SDS_SOCKET_PATH', form: 'path', help: 'a static SDS cluster over that socket' }),
  k8sVersion: text({ env: 'APPMESH_PLATFORM_K8S_VERSION', help: 'Kubernetes platform metadata (all three `APPMESH_PLATFORM_*` needed), AZ from instance metadata' }),
  k8sPodUid: text({ env: 'APPMESH_PLATFORM_K8S_POD_UID', help: 'Kubernetes platform metadata: the pod' }),
  k8sControllerVersion: text({ env: 'APPMESH_PLATFORM_APP_MESH_CONTROLLER_VERSION', help: 'Kubernetes platform metadata: the App Mesh controller' }),
  executionEnv: text({ env: 'AWS_EXECUTION_ENV', help: 'ECS platform metadata (with the task metadata endpoint: cluster, task, AZ, limits, IP families)' }),
  ecsMetadataUri: text({ env: 'ECS_CONTAINER_METADATA_URI_V4', or: ['ECS_CONTAINER_METADATA_URI'], form: 'URL', help: 'the ECS task metadata endpoint' }),
  ecsInstanceArn: text({ env: 'ECS_CONTAINER_INSTANCE_ARN', help: 'ECS platform metadata: the container instance' }),
  fipsMode: bool({ env: 'APPNET_FIPS_MODE_ENABLED', default: false, help: '`fipsModeEnabled` in platform metadata' }),
  namespaceName: text({ env: 'NAMESPACE_NAME', help: 'Cloud Map namespace metadata' }),
  namespaceArn: text({ env: 'NAMESPACE_ARN', help: 'Cloud Map namespace metadata' }),
  containerIpMapping: jsonObject('APPNET_CONTAINER_IP_MAPPING', '{"App1":"172.10.1.1"}', 'Service Connect metadata: container IPs'),
  listenerPortMapping: jsonObject('APPNET_LISTENER_PORT_MAPPING', '{"Listener1":15000}', 'Service Connect metadata: listener ports'),
  imdsHost: text({ env: 'EC2_METADATA_HOST_ONLY_FOR_TESTING', default: 'http://169.254.169.254', form: 'URL', help: 'instance metadata base URL' }),
} as const;

/** The bootstrap table, in the README's order. */
export const BOOTSTRAP_SETTINGS_TABLE: readonly SettingDoc[] = Object.values(BOOTSTRAP_SETTINGS);
