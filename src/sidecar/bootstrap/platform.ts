import * as fs from 'node:fs';
import * as os from 'node:os';
import type { BootstrapConfig } from '../config/bootstrap-config';
import { probeEnvoyBuild } from './envoy-version';
import { getJson } from './http-get';
import { ImdsClient } from './imds';
import { classifyInterfaceAddresses } from './interfaces';
import { UNIX_SCHEME, isServiceConnect } from './node-id';
import type { InterfaceAddresses, Outcome, PlatformFacts } from './platform-facts';
import { errorMessage } from '../../common/problem';

export interface PlatformDeps {
  /** The Envoy binary probed with `--version` (ENVOY_BIN, default /usr/bin/envoy). */
  envoyBin: string;
  warn: (message: string) => void;
  tmpDir?: string;
  timeouts?: Partial<PlatformTimeouts>;
  /** Test seams; default to the real host. */
  networkInterfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  system?: () => { platform?: string; kernelVersion?: string };
}

export interface PlatformTimeouts {
  /** Each ECS task metadata request. */
  ecsMs: number;
  /**
   * Each IMDS request for the Kubernetes placement lookups
   * (docs/reference-agent/bootstrap.md#instance-metadata-imds).
   */
  imdsMs: number;
  /** The IMDS region lookup, which is fatal when it fails (AWS SDK's default deadline). */
  imdsRegionMs: number;
  envoyVersionMs: number;
}

export const DEFAULT_TIMEOUTS: PlatformTimeouts = { ecsMs: 2000, imdsMs: 250, imdsRegionMs: 1000, envoyVersionMs: 2000 };

function hostInterfaces(deps: PlatformDeps): InterfaceAddresses {
  try {
    const raw: Record<string, string[]> = {};
    for (const [name, addrs] of Object.entries((deps.networkInterfaces ?? os.networkInterfaces)())) {
      raw[name] = (addrs ?? []).map((a) => a.cidr).filter((c): c is string => typeof c === 'string');
    }
    return classifyInterfaceAddresses(raw);
  } catch (e) {
    deps.warn(`cannot list the network interfaces: ${errorMessage(e)}`);
    return {};
  }
}

function systemInfo(deps: PlatformDeps): PlatformFacts['system'] {
  if (deps.system) return deps.system();
  const out: PlatformFacts['system'] = {};
  try {
    out.platform = os.machine();
  } catch (e) {
    deps.warn(`cannot read the machine type: ${errorMessage(e)}`);
  }
  try {
    out.kernelVersion = os.release();
  } catch (e) {
    deps.warn(`cannot read the kernel version: ${errorMessage(e)}`);
  }
  return out;
}

async function ecsMetadata(uri: string, t: PlatformTimeouts, warn: (m: string) => void): Promise<Pick<PlatformFacts, 'ecsTask' | 'ecsContainer'>> {
  const base = uri.replace(/\/+$/, '');
  const [task, container] = await Promise.allSettled([getJson(`${base}/task`, t.ecsMs), getJson(base, t.ecsMs)]);
  const out: Pick<PlatformFacts, 'ecsTask' | 'ecsContainer'> = {};
  if (task.status === 'fulfilled') out.ecsTask = task.value;
  else warn(`ECS task metadata unavailable: ${errorMessage(task.reason)}`);
  if (container.status === 'fulfilled') out.ecsContainer = container.value;
  else warn(`ECS container metadata unavailable: ${errorMessage(container.reason)}`);
  return out;
}

async function imdsPlacement(imds: ImdsClient, warn: (m: string) => void): Promise<NonNullable<PlatformFacts['imdsPlacement']>> {
  const [az, azId] = await Promise.allSettled([imds.get('placement/availability-zone'), imds.get('placement/availability-zone-id')]);
  const out: NonNullable<PlatformFacts['imdsPlacement']> = {};
  if (az.status === 'fulfilled') out.availabilityZone = az.value;
  else warn(`availability zone unavailable: ${errorMessage(az.reason)}`);
  if (azId.status === 'fulfilled') out.availabilityZoneId = azId.value;
  else warn(`availability zone ID unavailable: ${errorMessage(azId.reason)}`);
  return out;
}

async function lookupRegion(imds: ImdsClient, t: PlatformTimeouts): Promise<Outcome<string>> {
  try {
    return { ok: true, value: await imds.get('placement/region', t.imdsRegionMs) };
  } catch (e) {
    return { ok: false, error: errorMessage(e) };
  }
}

function knownZoneId(facts: PlatformFacts): boolean {
  const task = facts.ecsTask as { AvailabilityZoneID?: unknown } | undefined;
  return (typeof task?.AvailabilityZoneID === 'string' && task.AvailabilityZoneID !== '') || (facts.imdsPlacement?.availabilityZoneId ?? '') !== '';
}

/**
 * Find out what the bootstrap needs from the host (the I/O shell of the generator,
 * docs/reference-agent/bootstrap.md): the interfaces and system, the ECS task metadata, the
 * Kubernetes placement from IMDS, the region from IMDS when AWS_REGION is unset and a
 * region is needed, the Envoy build when the App Mesh endpoint is derived, and the X-Ray
 * sampling manifest. The independent lookups run concurrently; a failing one logs a warning
 * and leaves its fact out (the generator decides whether that is fatal). Never throws.
 */
export async function collectPlatformFacts(cfg: BootstrapConfig, deps: PlatformDeps): Promise<PlatformFacts> {
  const t: PlatformTimeouts = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
  const warn = deps.warn;
  const facts: PlatformFacts = { interfaces: hostInterfaces(deps), system: systemInfo(deps), tmpDir: deps.tmpDir ?? os.tmpdir() };
  const imds = new ImdsClient(cfg.imdsHost, t.imdsMs);
  const serviceConnect = isServiceConnect(cfg.xds.endpoint);
  const jobs: Array<Promise<void>> = [];

  if (cfg.k8s !== undefined) jobs.push(imdsPlacement(imds, warn).then((p) => void (facts.imdsPlacement = p)));
  if (cfg.ecs?.metadataUri !== undefined) jobs.push(ecsMetadata(cfg.ecs.metadataUri, t, warn).then((m) => void Object.assign(facts, m)));
  if (!serviceConnect && cfg.region === undefined) jobs.push(lookupRegion(imds, t).then((r) => void (facts.imdsRegion = r)));
  if (!serviceConnect && cfg.xds.endpoint === undefined) {
    // A failed probe is reported by the generator (as a warning, or as the cause of a GovCloud refusal).
    jobs.push(probeEnvoyBuild(deps.envoyBin, t.envoyVersionMs).then((b) => void (facts.envoyBuild = b)));
  }
  const x = cfg.tracing.xray;
  if (cfg.tracing.configFile === undefined && x.enabled && x.samplingRuleManifest !== undefined) {
    const file = x.samplingRuleManifest;
    jobs.push(
      fs.promises.readFile(file, 'utf8').then(
        (text) => void (facts.xraySamplingManifest = { ok: true, value: text }),
        (e: unknown) => void (facts.xraySamplingManifest = { ok: false, error: errorMessage(e) }),
      ),
    );
  }
  if (serviceConnect) {
    const socket = cfg.xds.endpoint!.slice(UNIX_SCHEME.length);
    jobs.push(fs.promises.access(socket).catch(() => warn(`the xDS socket ${socket} (APPMESH_XDS_ENDPOINT) does not exist yet`)));
  }
  await Promise.all(jobs);

  // The node locality needs the region too; look it up only when a zone ID was found.
  if (cfg.region === undefined && facts.imdsRegion === undefined && knownZoneId(facts)) {
    facts.imdsRegion = await lookupRegion(imds, t);
    if (!facts.imdsRegion.ok) warn(`region unavailable, node locality left out: ${facts.imdsRegion.error}`);
  }
  return facts;
}
