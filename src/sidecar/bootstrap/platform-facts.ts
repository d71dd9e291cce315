/**
 * What the I/O shell (platform.ts) found out about the host, in raw form; the pure
 * generator turns it into node metadata, the region and the xDS endpoint. A collector
 * that failed leaves its field undefined (or carries an `error` where the generator
 * must be able to name the cause of a fatal problem).
 */

/**
 * Host addresses in `ip/prefix` form, by family and interface name
 * (docs/reference-agent/bootstrap.md#interfaces).
 */
export interface InterfaceAddresses {
  ipv4?: Record<string, string[]>;
  ipv6?: Record<string, string[]>;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

export interface EnvoyBuild {
  /** The `--version` output (trimmed). */
  version: string;
  fips: boolean;
}

export interface PlatformFacts {
  interfaces: InterfaceAddresses;
  /** `uname -m` / `uname -r` equivalents; a field is absent when it could not be read. */
  system: { platform?: string; kernelVersion?: string };
  /** IMDS placement answers (Kubernetes only); absent keys were not available. */
  imdsPlacement?: { availabilityZone?: string; availabilityZoneId?: string };
  /** ECS task metadata documents, parsed JSON (`<uri>/task` and `<uri>`), when fetched. */
  ecsTask?: unknown;
  ecsContainer?: unknown;
  /** The region from instance metadata; looked up only when AWS_REGION is unset and a region is needed. */
  imdsRegion?: Outcome<string>;
  /** `<ENVOY_BIN> --version`; probed only when the App Mesh endpoint must be derived. */
  envoyBuild?: Outcome<EnvoyBuild>;
  /** Text of XRAY_SAMPLING_RULE_MANIFEST, read only when X-Ray tracing uses it. */
  xraySamplingManifest?: Outcome<string>;
  /** Where generated side files (the sampling rules) go; `/tmp` in a container. */
  tmpDir: string;
}

/** Facts for a host where nothing could be collected (tests start from this). */
export function emptyFacts(tmpDir = '/tmp'): PlatformFacts {
  return { interfaces: {}, system: {}, tmpDir };
}
