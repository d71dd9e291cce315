import { isIP } from 'node:net';
import type { BootstrapConfig } from '../config/bootstrap-config';
import type { Findings } from './findings';
import { isTaskSetArn, parseMeshResource } from './node-id';
import { anyOf, protoDuration } from './proto-json';
import type { Bootstrap, StatsSink, StatsTag } from './types';

/** `^appmesh(?:\..+?\..+?)*(\.<name>\.<value>)(?:\..+?\..+?)*\.(?:.+)$`: one dimension of an `appmesh.` stat name. */
function appmeshTag(name: string, value: string): StatsTag {
  return { tagName: name, regex: `^appmesh(?:\\..+?\\..+?)*(\\.${name}\\.${value})(?:\\..+?\\..+?)*\\.(?:.+)$` };
}

const NOT_A_DIMENSION = '((?:(?!\\.(ClusterName|ServiceName|Direction)).)+)';

/** Service Connect's metric-extension tags (docs/reference-agent/bootstrap.md#stats-tags). */
export const SERVICE_CONNECT_TAGS: readonly StatsTag[] = [
  appmeshTag('ServiceName', '(.+?)'),
  appmeshTag('ClusterName', '(.+?)'),
  appmeshTag('Direction', '(.+?)'),
  appmeshTag('DiscoveryName', NOT_A_DIMENSION),
  appmeshTag('TargetDiscoveryName', NOT_A_DIMENSION),
];

/** The ingress listener tags every App Mesh bootstrap has. */
export const LISTENER_TAGS: readonly StatsTag[] = [
  { tagName: 'appmesh.listener_protocol', regex: '.*?\\.ingress\\.((\\w+?)\\.)[0-9]+?\\.(.+?)$' },
  { tagName: 'appmesh.listener_port', regex: '.*?\\.ingress\\.\\w+?\\.(([0-9]+?)\\.)(.+?)$' },
  { tagName: 'envoy_rds_route_config', regex: '.*?\\.ingress\\.\\w+?\\.[0-9]+?\\.rds\\.((.*?)\\.)(.+?)$' },
];

/**
 * statsConfig (docs/reference-agent/bootstrap.md#stats-tags). A node id that is neither a
 * task-set ARN nor a mesh resource no longer fails generation
 * (docs/reference-agent/quirks.md#q12-an-odd-node-id-is-fatal): the tags that need the mesh
 * and resource name are left out, with a warning.
 */
export function statsConfig(cfg: BootstrapConfig, f: Findings): Bootstrap['statsConfig'] {
  if (cfg.stats.configFile !== undefined) return undefined;
  const id = cfg.node.id;
  if (isTaskSetArn(id)) return cfg.stats.metricExtension ? { statsTags: [...SERVICE_CONNECT_TAGS] } : undefined;
  const mesh = parseMeshResource(id);
  if (!mesh && (cfg.stats.tagsEnabled || cfg.stats.metricExtension)) {
    f.warn(`node id "${id}" is neither a task-set ARN nor mesh/<mesh>/<type>/<name>: the mesh and resource stats tags are left out`);
  }
  const tags: StatsTag[] = [];
  if (mesh && cfg.stats.tagsEnabled) {
    tags.push({ tagName: 'appmesh.mesh', fixedValue: mesh.mesh }, { tagName: `appmesh.${mesh.snakeType}`, fixedValue: mesh.name });
  }
  if (cfg.stats.metricExtension) {
    tags.push(appmeshTag('TargetVirtualNode', '(.+?)'), appmeshTag('TargetVirtualService', '([^MVT]+)'));
    if (mesh) tags.push({ tagName: 'Mesh', fixedValue: mesh.mesh }, { tagName: mesh.upperCamelType, fixedValue: mesh.name });
  }
  tags.push(...LISTENER_TAGS);
  return { statsTags: tags };
}

/** Envoy accepts a flush interval from 1 ms to under 5 minutes. */
const FLUSH_MIN_MS = 1;
const FLUSH_MAX_MS = 300_000;

/**
 * statsFlushInterval (docs/reference-agent/bootstrap.md#stats-flush-interval); absent when
 * unset (Envoy's 5 s default applies).
 */
export function statsFlushInterval(cfg: BootstrapConfig, f: Findings): string | undefined {
  const ms = cfg.stats.flushIntervalMs;
  if (ms === undefined) return undefined;
  if (ms < FLUSH_MIN_MS || ms >= FLUSH_MAX_MS) {
    f.problem('ENVOY_STATS_FLUSH_INTERVAL', protoDuration(ms), 'a duration from 1ms to under 5m (Envoy refuses others)');
    return undefined;
  }
  return protoDuration(ms);
}

/**
 * The DogStatsD sink (docs/reference-agent/bootstrap.md#dogstatsd-sink): UDS when
 * STATSD_SOCKET_PATH is set, else UDP to an IP address.
 */
export function dogStatsdSink(cfg: BootstrapConfig, f: Findings): StatsSink | undefined {
  const d = cfg.stats.dogStatsd;
  if (!d.enabled || cfg.stats.sinksConfigFile !== undefined) return undefined;
  let address;
  if (d.socketPath !== undefined) address = { pipe: { path: d.socketPath } };
  else {
    if (isIP(d.address) === 0) f.problem('STATSD_ADDRESS', d.address, 'an IP address (Envoy does not resolve the DogStatsD sink address)');
    address = { socketAddress: { protocol: 'UDP', address: d.address, portValue: d.port } };
  }
  return { name: 'envoy.stat_sinks.dog_statsd', typedConfig: anyOf('envoy.config.metrics.v3.DogStatsdSink', { address }) };
}
