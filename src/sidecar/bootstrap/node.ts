import type { BootstrapConfig } from '../config/bootstrap-config';
import type { Findings } from './findings';
import type { PlatformFacts } from './platform-facts';
import { platformInfo } from './platform-info';
import type { ResolvedRegion } from './region';
import type { JsonObject, Node } from './types';

/**
 * `node.metadata` (docs/reference-agent/bootstrap.md#node-metadata), keys in the
 * reference's collector order.
 */
export function nodeMetadata(cfg: BootstrapConfig, facts: PlatformFacts, runtime: JsonObject, f: Findings): JsonObject {
  const md: JsonObject = {
    'aws.appmesh.static_runtime': { ...runtime },
    'aws.appmesh.task.interfaces': structuredClone(facts.interfaces) as JsonObject,
  };
  if (cfg.stats.metricExtension) md['aws.appmesh.metric_filter'] = { level: '1' };
  const platform = platformInfo(cfg, facts, f);
  if (platform !== undefined) md['aws.appmesh.platformInfo'] = platform;
  if (cfg.containerIpMapping !== undefined) md['aws.ecs.serviceconnect.ClusterIPMapping'] = structuredClone(cfg.containerIpMapping) as JsonObject;
  if (cfg.listenerPortMapping !== undefined) md['aws.ecs.serviceconnect.ListenerPortMapping'] = structuredClone(cfg.listenerPortMapping) as JsonObject;
  const sd: JsonObject = {};
  if (cfg.namespace.name !== undefined) sd.NamespaceName = cfg.namespace.name;
  if (cfg.namespace.arn !== undefined) sd.NamespaceArn = cfg.namespace.arn;
  if (Object.keys(sd).length > 0) md['aws.ecs.serviceconnect.ServiceDiscovery'] = sd;
  return md;
}

/**
 * The node (docs/reference-agent/bootstrap.md#node-id-cluster-and-locality): id, cluster,
 * locality when the AZ ID and the region are both known.
 */
export function nodeBlock(cfg: BootstrapConfig, metadata: JsonObject, region: ResolvedRegion): Node {
  const node: Node = { id: cfg.node.id, cluster: cfg.node.cluster, metadata };
  const platform = metadata['aws.appmesh.platformInfo'] as JsonObject | undefined;
  const zone = platform?.AvailabilityZoneID;
  if (typeof zone === 'string' && zone !== '' && region.ok) node.locality = { region: region.value, zone };
  return node;
}
