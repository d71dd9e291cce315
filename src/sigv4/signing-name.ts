import { custom, type Setting, type SettingSpec } from '../common/settings';

/**
 * A SigV4 service name goes into the credential scope (`date/region/service/aws4_request`)
 * and the string to sign: a space or a "/" there makes every signature wrong,
 * so only the characters AWS service names use are accepted.
 */
const SIGNING_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FORM = 'a SigV4 service name: letters, digits, ".", "_" or "-", at most 64 characters (e.g. appmesh)';

/**
 * APPMESH_SIGNING_NAME, as the relay and the agent's bootstrap each declare it (their
 * defaults differ); a bad value is reported with the others and the default used meanwhile.
 */
export function signingNameSetting(spec: Omit<SettingSpec, 'env'> & { default: string }): Setting<string>;
export function signingNameSetting(spec: Omit<SettingSpec, 'env'>): Setting<string | undefined>;
export function signingNameSetting(spec: Omit<SettingSpec, 'env'> & { default?: string }): Setting<string | undefined> {
  return custom<string | undefined>({
    form: 'letters, digits, `.`, `_`, `-`; at most 64 characters',
    ...spec,
    env: 'APPMESH_SIGNING_NAME',
    default: spec.default,
    read: (r, name, fallback) => {
      const v = r.string(name);
      if (v === undefined) return fallback;
      if (SIGNING_NAME.test(v)) return v;
      r.problem(name, v, FORM);
      return fallback;
    },
  });
}
