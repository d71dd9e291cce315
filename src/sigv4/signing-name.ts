import type { EnvReader } from '../common/env';

/**
 * A SigV4 service name goes into the credential scope (`date/region/service/aws4_request`)
 * and the string to sign: a space or a "/" there makes every signature wrong,
 * so only the characters AWS service names use are accepted.
 */
const SIGNING_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FORM = 'a SigV4 service name: letters, digits, ".", "_" or "-", at most 64 characters (e.g. appmesh)';

/** APPMESH_SIGNING_NAME, checked; a bad value is reported with the others and `fallback` is used meanwhile. */
export function readSigningName(r: EnvReader, fallback: string): string;
export function readSigningName(r: EnvReader): string | undefined;
export function readSigningName(r: EnvReader, fallback?: string): string | undefined {
  const v = r.string('APPMESH_SIGNING_NAME');
  if (v === undefined) return fallback;
  if (SIGNING_NAME.test(v)) return v;
  r.problem('APPMESH_SIGNING_NAME', v, FORM);
  return fallback;
}
