import type { BootstrapConfig } from '../config/bootstrap-config';
import { adminBlock, layeredRuntime, staticRuntime } from './admin-runtime';
import { LOCAL_CLUSTER, localCluster, sdsCluster } from './clusters';
import { dynamicResources } from './dynamic-resources';
import { Findings } from './findings';
import { nodeBlock, nodeMetadata } from './node';
import { isServiceConnect } from './node-id';
import type { PlatformFacts } from './platform-facts';
import { resolveRegion } from './region';
import { dogStatsdSink, statsConfig, statsFlushInterval } from './stats';
import { tracingPart } from './tracing';
import type { Bootstrap, Cluster, GeneratedBootstrap } from './types';

/**
 * The Envoy v3 bootstrap for a sidecar (docs/reference-agent/bootstrap.md), in proto3 JSON
 * form. Pure: all I/O results arrive in `facts`; files the bootstrap refers to (the X-Ray
 * sampling rules) are returned for the caller to write. Every problem is reported at once
 * in a ConfigError naming its variable; oddities that do not stop Envoy are warnings.
 */
export function generateBootstrap(cfg: BootstrapConfig, facts: PlatformFacts): GeneratedBootstrap {
  const f = new Findings();
  if (cfg.node.id === '') f.problem('APPMESH_RESOURCE_ARN', '', 'the ARN (or mesh/<mesh>/virtualNode/<name>) of the resource this Envoy represents');
  const serviceConnect = isServiceConnect(cfg.xds.endpoint);
  const region = resolveRegion(cfg, facts);

  const admin = adminBlock(cfg);
  const dynamic = dynamicResources(cfg, region, facts, f);
  const runtime = staticRuntime(cfg);
  const node = nodeBlock(cfg, nodeMetadata(cfg, facts, runtime, f), region);

  const bootstrap: Bootstrap = {
    node,
    admin,
    dynamicResources: dynamic,
    layeredRuntime: layeredRuntime(runtime),
    clusterManager: { outlierDetection: { eventLogPath: cfg.outlierDetectionEventLogPath } },
  };
  const clusters: Cluster[] = [];
  if (serviceConnect) {
    bootstrap.clusterManager.localClusterName = LOCAL_CLUSTER;
    clusters.push(localCluster());
  }
  const tracing = tracingPart(cfg, facts, f);
  if (tracing.tracing) bootstrap.tracing = tracing.tracing;
  if (tracing.cluster) clusters.push(tracing.cluster);
  if (cfg.sdsSocketPath !== undefined) clusters.push(sdsCluster(cfg.sdsSocketPath));
  if (clusters.length > 0) bootstrap.staticResources = { clusters };

  const stats = statsConfig(cfg, f);
  if (stats) bootstrap.statsConfig = stats;
  const flush = statsFlushInterval(cfg, f);
  if (flush !== undefined) bootstrap.statsFlushInterval = flush;
  const sink = dogStatsdSink(cfg, f);
  if (sink) bootstrap.statsSinks = [sink];

  f.throwIfAny();
  return { bootstrap, files: tracing.files, warnings: f.warnings };
}
