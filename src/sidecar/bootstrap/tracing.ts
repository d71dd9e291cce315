import type { BootstrapConfig } from '../config/bootstrap-config';
import { tracerCluster } from './clusters';
import type { Findings } from './findings';
import { parseMeshResource } from './node-id';
import type { PlatformFacts } from './platform-facts';
import { anyOf } from './proto-json';
import type { Bootstrap, Cluster, FileToWrite, JsonObject } from './types';
import { parseXrayDaemonAddress } from './xray-daemon-address';
import { roundSamplingRate, samplingRateFile, validateSamplingManifest } from './xray-sampling';

export interface TracingPart {
  tracing?: NonNullable<Bootstrap['tracing']>;
  cluster?: Cluster;
  files: FileToWrite[];
}

const DRIVER_VARS = { xray: 'ENABLE_ENVOY_XRAY_TRACING', datadog: 'ENABLE_ENVOY_DATADOG_TRACING', jaeger: 'ENABLE_ENVOY_JAEGER_TRACING' } as const;

/** The sampling manifest path X-Ray should use, and the file to write for a fixed rate. */
function xraySampling(cfg: BootstrapConfig, facts: PlatformFacts, f: Findings): { manifest?: string; file?: FileToWrite } {
  const x = cfg.tracing.xray;
  if (x.samplingRuleManifest !== undefined) {
    const read = facts.xraySamplingManifest;
    const name = 'XRAY_SAMPLING_RULE_MANIFEST';
    if (read === undefined) f.problem(name, x.samplingRuleManifest, 'a readable X-Ray sampling rule manifest (it was not read)');
    else if (!read.ok) f.problem(name, x.samplingRuleManifest, `a readable X-Ray sampling rule manifest (${read.error})`);
    else {
      const issues = validateSamplingManifest(read.value);
      if (issues.length > 0) f.problem(name, x.samplingRuleManifest, `a valid X-Ray sampling rule manifest: ${issues.join('; ')}`);
    }
    return { manifest: x.samplingRuleManifest };
  }
  if (x.samplingRate !== undefined) {
    const rate = roundSamplingRate(x.samplingRate);
    if (rate === undefined) {
      f.problem('XRAY_SAMPLING_RATE', x.samplingRate, 'a decimal between 0 and 1.00 (100%)');
      return {};
    }
    const file = samplingRateFile(rate, facts.tmpDir);
    return file ? { manifest: file.path, file } : {};
  }
  return {};
}

function xray(cfg: BootstrapConfig, facts: PlatformFacts, f: Findings): TracingPart {
  const x = cfg.tracing.xray;
  const mesh = parseMeshResource(cfg.node.id);
  let segmentName = x.segmentName;
  if (segmentName === undefined) {
    if (mesh) segmentName = `${mesh.mesh}/${mesh.name}`;
    else {
      segmentName = cfg.node.cluster;
      f.warn(`node id "${cfg.node.id}" is not a mesh resource: the X-Ray segment is named after the node cluster "${segmentName}" (set XRAY_SEGMENT_NAME to choose)`);
    }
  }
  let daemon = { address: '127.0.0.1', port: x.daemonPort };
  if (x.daemonAddress !== undefined) {
    const r = parseXrayDaemonAddress(x.daemonAddress, x.daemonPort);
    if (r.ok) daemon = r.value;
    else f.addAt('AWS_XRAY_DAEMON_ADDRESS', x.daemonAddress, r.problems);
  }
  const segmentFields: JsonObject = { origin: 'AWS::AppMesh::Proxy' };
  if (mesh) segmentFields.aws = { app_mesh: { mesh_name: mesh.mesh, virtual_node_name: mesh.name } };
  const sampling = xraySampling(cfg, facts, f);
  const config: JsonObject = {
    segmentName,
    daemonEndpoint: { protocol: 'UDP', address: daemon.address, portValue: daemon.port },
    segmentFields,
  };
  if (sampling.manifest !== undefined) config.samplingRuleManifest = { filename: sampling.manifest };
  return {
    tracing: { http: { name: 'envoy.tracers.xray', typedConfig: anyOf('envoy.config.trace.v3.XRayConfig', config) } },
    files: sampling.file ? [sampling.file] : [],
  };
}

function datadog(cfg: BootstrapConfig): TracingPart {
  const d = cfg.tracing.datadog;
  const mesh = parseMeshResource(cfg.node.id);
  const serviceName = d.serviceName ?? (mesh ? `envoy-${mesh.mesh}/${mesh.name}` : 'envoy');
  return {
    tracing: {
      http: {
        name: 'envoy.tracers.datadog',
        typedConfig: anyOf('envoy.config.trace.v3.DatadogConfig', { collectorCluster: 'datadog_agent', serviceName }),
      },
    },
    cluster: tracerCluster('datadog_agent', d.address, d.port),
    files: [],
  };
}

function jaeger(cfg: BootstrapConfig): TracingPart {
  const j = cfg.tracing.jaeger;
  return {
    tracing: {
      http: {
        name: 'envoy.tracers.zipkin',
        typedConfig: anyOf('envoy.config.trace.v3.ZipkinConfig', {
          collectorCluster: 'jaeger',
          collectorEndpoint: '/api/v2/spans',
          collectorEndpointVersion: j.json ? 'HTTP_JSON' : 'HTTP_PROTO',
          sharedSpanContext: false,
        }),
      },
    },
    cluster: tracerCluster('jaeger', j.address, j.port),
    files: [],
  };
}

/**
 * Tracing (docs/reference-agent/bootstrap.md#tracing): one driver at most; nothing when
 * ENVOY_TRACING_CFG_FILE supplies it.
 */
export function tracingPart(cfg: BootstrapConfig, facts: PlatformFacts, f: Findings): TracingPart {
  if (cfg.tracing.configFile !== undefined) return { files: [] };
  const on = (['xray', 'datadog', 'jaeger'] as const).filter((t) => cfg.tracing[t].enabled);
  if (on.length > 1) {
    const names = on.map((t) => DRIVER_VARS[t]);
    f.problem(names[1]!, 'true', `only one trace driver at a time (${names.join(' and ')} are set)`);
    return { files: [] };
  }
  switch (on[0]) {
    case 'xray':
      return xray(cfg, facts, f);
    case 'datadog':
      return datadog(cfg);
    case 'jaeger':
      return jaeger(cfg);
    default:
      return { files: [] };
  }
}
