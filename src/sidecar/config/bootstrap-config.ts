import type { EnvReader } from '../../common/env';
import { envoyAdminUdsPath } from './agent-config';
import { AGENT_SETTINGS } from './agent-settings';
import { BOOTSTRAP_SETTINGS } from './bootstrap-settings';

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

/** Read and check the bootstrap variables; call only when a bootstrap is to be generated. */
export function readBootstrapConfig(r: EnvReader): BootstrapConfig {
  const S = BOOTSTRAP_SETTINGS;
  const A = AGENT_SETTINGS;
  const nodeId = S.nodeId.read(r);
  const region = S.region.read(r);
  const flushIntervalMs = S.statsFlushInterval.read(r);
  const samplingRate = S.xraySamplingRate.read(r);
  const k8sVersion = S.k8sVersion.read(r);
  const podUid = S.k8sPodUid.read(r);
  const controllerVersion = S.k8sControllerVersion.read(r);
  const launchType = S.executionEnv.read(r);

  return {
    node: { id: nodeId, cluster: S.cluster.read(r) ?? nodeId },
    region,
    xds: {
      endpoint: A.xdsEndpoint.read(r),
      preview: S.preview.read(r),
      dualstack: S.dualstack.read(r),
      signingName: S.signingName.read(r),
      initialFetchTimeoutS: S.initialFetchTimeout.read(r),
    },
    admin: {
      mode: A.envoyAdminMode.read(r),
      port: A.envoyAdminPort.read(r),
      accessLogFile: S.adminAccessLog.read(r),
      ipv6: S.adminIpv6.read(r),
      udsPath: envoyAdminUdsPath(r),
    },
    outlierDetectionEventLogPath: S.outlierLog.read(r),
    runtime: {
      setTracingDecision: S.setTracingDecision.read(r),
      noExtensionLookupByName: S.noExtensionLookupByName.read(r),
      useHttpClientForAwsCredentials: S.useHttpClientForAwsCredentials.read(r),
      maxRequestsPerIoCycle: S.maxRequestsPerIoCycle.read(r),
    },
    tracing: {
      configFile: S.tracingConfigFile.read(r),
      xray: {
        enabled: S.xray.read(r),
        daemonPort: S.xrayPort.read(r),
        daemonAddress: S.xrayAddress.read(r),
        samplingRate,
        samplingRuleManifest: S.xraySamplingManifest.read(r),
        segmentName: S.xraySegmentName.read(r),
      },
      datadog: {
        enabled: S.datadog.read(r),
        address: S.datadogAddress.read(r),
        port: S.datadogPort.read(r),
        serviceName: S.datadogService.read(r),
      },
      jaeger: {
        enabled: S.jaeger.read(r),
        address: S.jaegerAddress.read(r),
        port: S.jaegerPort.read(r),
        json: S.jaegerJson.read(r),
      },
    },
    stats: {
      tagsEnabled: S.statsTags.read(r),
      metricExtension: S.metricExtension.read(r),
      configFile: S.statsConfigFile.read(r),
      flushIntervalMs,
      dogStatsd: {
        enabled: S.dogStatsd.read(r),
        address: S.statsdAddress.read(r),
        port: S.statsdPort.read(r),
        socketPath: S.statsdSocketPath.read(r),
      },
      sinksConfigFile: S.statsSinksConfigFile.read(r),
    },
    resourcesConfigFile: S.resourcesConfigFile.read(r),
    sdsSocketPath: S.sdsSocketPath.read(r),
    k8s: k8sVersion && podUid && controllerVersion ? { version: k8sVersion, podUid, controllerVersion } : undefined,
    ecs: launchType ? { launchType, metadataUri: S.ecsMetadataUri.read(r), containerInstanceArn: S.ecsInstanceArn.read(r) } : undefined,
    fipsModeEnabled: S.fipsMode.read(r),
    namespace: { name: S.namespaceName.read(r), arn: S.namespaceArn.read(r) },
    imdsHost: S.imdsHost.read(r),
    containerIpMapping: S.containerIpMapping.read(r),
    listenerPortMapping: S.listenerPortMapping.read(r),
  };
}
