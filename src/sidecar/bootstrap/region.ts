import type { BootstrapConfig } from '../config/bootstrap-config';
import type { PlatformFacts } from './platform-facts';

export type ResolvedRegion = { ok: true; region: string } | { ok: false; error: string };

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** AWS_REGION, else the region instance metadata reported (docs/reference-agent/bootstrap.md#region). */
export function resolveRegion(cfg: BootstrapConfig, facts: PlatformFacts): ResolvedRegion {
  if (cfg.region !== undefined) return { ok: true, region: cfg.region };
  const looked = facts.imdsRegion;
  if (looked === undefined) return { ok: false, error: 'AWS_REGION is not set' };
  if (!looked.ok) return { ok: false, error: `AWS_REGION is not set and the instance metadata lookup failed: ${looked.error}` };
  if (!REGION_RE.test(looked.value)) return { ok: false, error: `AWS_REGION is not set and instance metadata answered ${JSON.stringify(looked.value)}` };
  return { ok: true, region: looked.value };
}
