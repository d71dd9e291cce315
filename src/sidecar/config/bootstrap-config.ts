import { GO_DURATION_FORM, parseGoDurationMs } from '../../common/duration';
import type { EnvReader } from '../../common/env';
import { readSigningName } from '../../sigv4/signing-name';
import { envoyAdminUdsPath } from './agent-config';

export interface TracerEndpoint {
  enabled: boolean;
  address: string;
  port: number;
}

/**
 * Everything the bootstrap generator reads from the environment
 * (docs/reference-agent/variables.md#bootstrap-variables).
 */
export interface BootstrapConfig {
  node: { id: string; cluster: string };
  region: string | undefined;
  xds: {
    /** APPMESH_XDS_ENDPOINT: `unix://...` = Service Connect mode, else an App Mesh host:port. */
    endpoint: string | undefined;
    preview: boolean;
    dualstack: boolean;
    signingName: string | undefined;
    initialFetchTimeoutS: number;
  };
  admin: { mode: 'tcp' | 'uds'; port: number; accessLogFile: string; ipv6: boolean; udsPath: string };
  outlierDetectionEventLogPath: string;
  runtime: { setTracingDecision: boolean; noExtensionLookupByName: boolean; useHttpClientForAwsCredentials: boolean; maxRequestsPerIoCycle: number };
  tracing: {
    configFile: string | undefined;
    xray: { enabled: boolean; daemonPort: number; daemonAddress: string | undefined; samplingRate: string | undefined; samplingRuleManifest: string | undefined; segmentName: string | undefined };
    datadog: TracerEndpoint & { serviceName: string | undefined };
    jaeger: TracerEndpoint & { json: boolean };
  };
  stats: {
    tagsEnabled: boolean;
    metricExtension: boolean;
    configFile: string | undefined;
    /** ENVOY_STATS_FLUSH_INTERVAL in ms; undefined = Envoy's default. */
    flushIntervalMs: number | undefined;
    dogStatsd: TracerEndpoint & { socketPath: string | undefined };
    sinksConfigFile: string | undefined;
  };
  resourcesConfigFile: string | undefined;
  sdsSocketPath: string | undefined;
  k8s: { version: string; podUid: string; controllerVersion: string } | undefined;
  ecs: { launchType: string; metadataUri: string | undefined; containerInstanceArn: string | undefined } | undefined;
  fipsModeEnabled: boolean;
  namespace: { name: string | undefined; arn: string | undefined };
  imdsHost: string;
  containerIpMapping: Record<string, unknown> | undefined;
  listenerPortMapping: Record<string, unknown> | undefined;
}

/** A JSON object variable (APPNET_CONTAINER_IP_MAPPING and friends). */
function jsonObject(r: EnvReader, name: string): Record<string, unknown> | undefined {
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
}

function firstOf(r: EnvReader, names: string[]): string | undefined {
  for (const n of names) {
    const v = r.string(n);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Read and check the bootstrap variables; call only when a bootstrap is to be generated. */
export function readBootstrapConfig(r: EnvReader): BootstrapConfig {
  const id = firstOf(r, ['APPMESH_RESOURCE_ARN', 'APPMESH_RESOURCE_NAME', 'APPMESH_VIRTUAL_NODE_NAME']);
  if (id === undefined) r.problem('APPMESH_RESOURCE_ARN', '', 'the ARN (or mesh/<mesh>/virtualNode/<name>) of the resource this Envoy represents');
  const nodeId = id ?? '';
  const region = r.string('AWS_REGION');
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) r.problem('AWS_REGION', region, 'a region name such as us-west-2');

  const flushText = r.raw('ENVOY_STATS_FLUSH_INTERVAL');
  let flushIntervalMs: number | undefined;
  if (flushText !== undefined) {
    flushIntervalMs = parseGoDurationMs(flushText);
    if (flushIntervalMs === undefined || flushIntervalMs <= 0) r.problem('ENVOY_STATS_FLUSH_INTERVAL', flushText, GO_DURATION_FORM);
  }
  const samplingRate = r.string('XRAY_SAMPLING_RATE');
  if (samplingRate !== undefined) {
    const n = Number(samplingRate);
    if (!/^\d*\.?\d+$/.test(samplingRate) || n < 0 || n > 1) r.problem('XRAY_SAMPLING_RATE', samplingRate, 'a decimal between 0 and 1.00 (100%)');
  }
  const k8sVersion = r.string('APPMESH_PLATFORM_K8S_VERSION');
  const podUid = r.string('APPMESH_PLATFORM_K8S_POD_UID');
  const controllerVersion = r.string('APPMESH_PLATFORM_APP_MESH_CONTROLLER_VERSION');
  const launchType = r.string('AWS_EXECUTION_ENV');

  return {
    node: { id: nodeId, cluster: firstOf(r, ['APPMESH_RESOURCE_CLUSTER', 'APPMESH_VIRTUAL_NODE_CLUSTER']) ?? nodeId },
    region,
    xds: {
      endpoint: r.string('APPMESH_XDS_ENDPOINT'),
      preview: r.bool('APPMESH_PREVIEW', false),
      dualstack: r.bool('APPMESH_DUALSTACK_ENDPOINT', false),
      signingName: readSigningName(r),
      initialFetchTimeoutS: r.int('ENVOY_INITIAL_FETCH_TIMEOUT', 0, { min: 0 }),
    },
    admin: {
      mode: r.oneOf('ENVOY_ADMIN_MODE', ['tcp', 'uds'] as const, 'tcp'),
      port: r.port('ENVOY_ADMIN_ACCESS_PORT', 9901),
      accessLogFile: r.string('ENVOY_ADMIN_ACCESS_LOG_FILE', '/tmp/envoy_admin_access.log'),
      ipv6: r.bool('ENVOY_ADMIN_ACCESS_ENABLE_IPV6', false),
      udsPath: envoyAdminUdsPath(r),
    },
    outlierDetectionEventLogPath: r.string('ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH', '/dev/stdout'),
    runtime: {
      setTracingDecision: r.bool('APPMESH_SET_TRACING_DECISION', true),
      noExtensionLookupByName: r.bool('ENVOY_NO_EXTENSION_LOOKUP_BY_NAME', true),
      useHttpClientForAwsCredentials: r.bool('ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS', false),
      maxRequestsPerIoCycle: r.int('MAX_REQUESTS_PER_IO_CYCLE', -1),
    },
    tracing: {
      configFile: r.string('ENVOY_TRACING_CFG_FILE'),
      xray: {
        enabled: r.bool('ENABLE_ENVOY_XRAY_TRACING', false),
        daemonPort: r.port('XRAY_DAEMON_PORT', 2000),
        daemonAddress: r.string('AWS_XRAY_DAEMON_ADDRESS'),
        samplingRate,
        samplingRuleManifest: r.string('XRAY_SAMPLING_RULE_MANIFEST'),
        segmentName: r.string('XRAY_SEGMENT_NAME'),
      },
      datadog: {
        enabled: r.bool('ENABLE_ENVOY_DATADOG_TRACING', false),
        address: r.string('DATADOG_TRACER_ADDRESS', '127.0.0.1'),
        port: r.port('DATADOG_TRACER_PORT', 8126),
        serviceName: r.string('DD_SERVICE'),
      },
      jaeger: {
        enabled: r.bool('ENABLE_ENVOY_JAEGER_TRACING', false),
        address: r.string('JAEGER_TRACER_ADDRESS', '127.0.0.1'),
        port: r.port('JAEGER_TRACER_PORT', 9411),
        json: /json/i.test(r.string('JAEGER_TRACER_VERSION', '')),
      },
    },
    stats: {
      tagsEnabled: r.bool('ENABLE_ENVOY_STATS_TAGS', false),
      metricExtension: r.string('APPMESH_METRIC_EXTENSION_VERSION', '0') === '1',
      configFile: r.string('ENVOY_STATS_CONFIG_FILE'),
      flushIntervalMs,
      dogStatsd: {
        enabled: r.bool('ENABLE_ENVOY_DOG_STATSD', false),
        address: r.string('STATSD_ADDRESS', '127.0.0.1'),
        port: r.port('STATSD_PORT', 8125),
        socketPath: r.string('STATSD_SOCKET_PATH'),
      },
      sinksConfigFile: r.string('ENVOY_STATS_SINKS_CFG_FILE'),
    },
    resourcesConfigFile: r.string('ENVOY_RESOURCES_CONFIG_FILE'),
    sdsSocketPath: r.string('APPMESH_SDS_SOCKET_PATH'),
    k8s: k8sVersion && podUid && controllerVersion ? { version: k8sVersion, podUid, controllerVersion } : undefined,
    ecs: launchType
      ? {
          launchType,
          metadataUri: r.string('ECS_CONTAINER_METADATA_URI_V4') ?? r.string('ECS_CONTAINER_METADATA_URI'),
          containerInstanceArn: r.string('ECS_CONTAINER_INSTANCE_ARN'),
        }
      : undefined,
    fipsModeEnabled: r.bool('APPNET_FIPS_MODE_ENABLED', false),
    namespace: { name: r.string('NAMESPACE_NAME'), arn: r.string('NAMESPACE_ARN') },
    imdsHost: r.string('EC2_METADATA_HOST_ONLY_FOR_TESTING', 'http://169.254.169.254'),
    containerIpMapping: jsonObject(r, 'APPNET_CONTAINER_IP_MAPPING'),
    listenerPortMapping: jsonObject(r, 'APPNET_LISTENER_PORT_MAPPING'),
  };
}
