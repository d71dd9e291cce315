import { fail, ok, problem, type Result } from '../../common/problem';
import type { BootstrapConfig } from '../config/bootstrap-config';
import type { PlatformFacts } from './platform-facts';

/** The region, or why there is none (the problem's `where` left to the caller, which names AWS_REGION). */
export type ResolvedRegion = Result<string>;

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** AWS_REGION, else the region instance metadata reported (docs/reference-agent/bootstrap.md#region). */
export function resolveRegion(cfg: BootstrapConfig, facts: PlatformFacts): ResolvedRegion {
  if (cfg.region !== undefined) return ok(cfg.region);
  const looked = facts.imdsRegion;
  if (looked === undefined) return fail(problem('', 'AWS_REGION is not set'));
  if (!looked.ok) return fail(problem('', `AWS_REGION is not set and the instance metadata lookup failed: ${looked.error}`));
  if (!REGION_RE.test(looked.value)) return fail(problem('', `AWS_REGION is not set and instance metadata answered ${JSON.stringify(looked.value)}`));
  return ok(looked.value);
}
