import { fail, ok, problem, type Result } from '../../common/problem';

/**
 * `${NAME}` and `${NAME:-default}` in a model file are replaced by environment
 * variables before the file is parsed (so a mesh orchestrator can pass the
 * 127.0.0.1 ports it picked: `"127.0.0.1:${SERVICEB_PORT}"`); `$${` is a
 * literal `${`. An unset variable without a default is an error naming it.
 * Pure.
 */

export type Substitution = Result<string>;

const PATTERN = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>): Substitution {
  const missing = new Set<string>();
  const out = text.replace(PATTERN, (whole: string, escaped: string | undefined, name: string, fallback: string | undefined) => {
    if (escaped) return whole.slice(1);
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    missing.add(name);
    return whole;
  });
  if (missing.size > 0) {
    return fail([...missing].map((n) => problem(`\${${n}}`, `environment variable ${n} is not set (give it a value, or a default: \${${n}:-value})`)));
  }
  return ok(out);
}
