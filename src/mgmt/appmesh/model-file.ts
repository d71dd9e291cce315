import * as fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { formatForPath, type DocumentFormat } from '../resource-document';
import { substituteEnv } from './env-subst';
import { ModelLoadError } from './state/open-store';
import { errorMessage, fail, ok, problem, type Result } from '../../common/problem';

/**
 * The seed model file (`--appmesh <file>`, .json or .yaml/.yml): environment
 * substitution (env-subst.ts), then JSON or YAML. It is read once, at start,
 * and seeds an empty store (state/open-store.ts); from then on the model
 * changes through the App Mesh API only. `parseModelText` is pure.
 */

/** The parsed document (unknown: the model validation reads it), or what kept it from parsing. */
export type ModelText = Result<unknown>;

export function parseModelText(text: string, format: DocumentFormat, env: Readonly<Record<string, string | undefined>>): ModelText {
  const sub = substituteEnv(text, env);
  if (!sub.ok) return fail(sub.problems);
  try {
    const document = format === 'json' ? JSON.parse(sub.value) : parseYaml(sub.value, { prettyErrors: true, uniqueKeys: true, maxAliasCount: 1000 });
    return ok(document ?? {});
  } catch (e) {
    const msg = errorMessage(e).split('\n')[0];
    return fail(problem('', `not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${msg}`));
  }
}

/** Read and parse the file now; throws ModelLoadError naming every problem. */
export function readModelFile(file: string, env: Readonly<Record<string, string | undefined>>): { document: unknown; text: string } {
  const format = formatForPath(file);
  if (!format) throw new ModelLoadError([problem(file, 'the file name must end in .json, .yaml or .yml')], 'invalid App Mesh model file');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ModelLoadError([problem(file, `cannot read it: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)], 'invalid App Mesh model file');
  }
  const parsed = parseModelText(text, format, env);
  if (!parsed.ok) throw new ModelLoadError(parsed.problems, `invalid App Mesh model file ${file}`);
  return { document: parsed.value, text };
}
