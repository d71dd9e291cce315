import type { BootstrapConfig } from '../config/bootstrap-config';
import type { Findings } from './findings';
import { supportedIpFamilies } from './ip-families';
import type { PlatformFacts } from './platform-facts';
import type { JsonObject } from './types';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** A task-metadata limit as a string in shortest decimal form (5 -> "5", 0.25 -> "0.25"); absent -> undefined. */
function limit(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return v.trim();
  return undefined;
}

function ecsPlatformInfo(cfg: BootstrapConfig, facts: PlatformFacts, top: JsonObject, f: Findings): JsonObject {
  const ecs = cfg.ecs!;
  const info: JsonObject = { ecsLaunchType: ecs.launchType };
  if (ecs.containerInstanceArn !== undefined) info.ecsContainerInstanceArn = ecs.containerInstanceArn;
  const task = facts.ecsTask;
  if (isObj(task)) {
    if (nonEmpty(task.Cluster)) info.ecsClusterArn = task.Cluster;
    if (nonEmpty(task.TaskARN)) info.ecsTaskArn = task.TaskARN;
    // The task's placement wins over what IMDS said (Kubernetes on EC2 is not ECS, but be explicit).
    if (nonEmpty(task.AvailabilityZone)) top.AvailabilityZone = task.AvailabilityZone;
    if (nonEmpty(task.AvailabilityZoneID)) top.AvailabilityZoneID = task.AvailabilityZoneID;
  }
  const container = facts.ecsContainer;
  if (isObj(container) && isObj(container.Limits)) {
    // A missing Limits, CPU or Memory is simply left out (never "<nil>", never a crash:
    // docs/reference-agent/quirks.md#q13-ecs-and-instance-metadata-are-read-carelessly).
    const cpu = limit(container.Limits.CPU);
    const memory = limit(container.Limits.Memory);
    if (cpu !== undefined) info.CPU = cpu;
    if (memory !== undefined) info.Memory = memory;
  }
  if (task !== undefined) {
    const ip = supportedIpFamilies(task, cfg.containerIpMapping);
    // In the platform map itself, beside ecsPlatformInfo: where the reference writes it and consumers read it.
    if (ip.families !== undefined) top.supportedIPFamilies = ip.families;
    if (ip.note !== undefined) f.warn(ip.note);
  }
  return info;
}

/**
 * `aws.appmesh.platformInfo` (docs/reference-agent/bootstrap.md#platform-info): Kubernetes,
 * then ECS (whose placement overrides the Kubernetes one), then the system, then FIPS mode.
 * Undefined when empty.
 */
export function platformInfo(cfg: BootstrapConfig, facts: PlatformFacts, f: Findings): JsonObject | undefined {
  const info: JsonObject = {};
  if (cfg.k8s !== undefined) {
    info.k8sPlatformInfo = { k8sVersion: cfg.k8s.version, podUid: cfg.k8s.podUid, appMeshControllerVersion: cfg.k8s.controllerVersion };
    const p = facts.imdsPlacement;
    if (nonEmpty(p?.availabilityZone)) info.AvailabilityZone = p.availabilityZone;
    if (nonEmpty(p?.availabilityZoneId)) info.AvailabilityZoneID = p.availabilityZoneId;
  }
  if (cfg.ecs !== undefined) info.ecsPlatformInfo = ecsPlatformInfo(cfg, facts, info, f);
  const system: JsonObject = {};
  if (nonEmpty(facts.system.platform)) system.systemPlatform = facts.system.platform;
  if (nonEmpty(facts.system.kernelVersion)) system.systemKernelVersion = facts.system.kernelVersion;
  if (Object.keys(system).length > 0) info.systemInfo = system;
  if (cfg.fipsModeEnabled) info.fipsModeEnabled = true;
  return Object.keys(info).length > 0 ? info : undefined;
}
