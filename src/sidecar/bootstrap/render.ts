import { ConfigError } from '../../common/env';
import type { Problem } from '../../common/problem';
import type { BootstrapConfig } from '../config/bootstrap-config';
import { type CustomDocument, mergeCustomConfig } from './custom-files';
import { readCustomDocuments } from './custom-files-reader';
import { generateBootstrap } from './generate';
import { type PlatformDeps, collectPlatformFacts } from './platform';
import type { FileToWrite, GeneratedBootstrap, JsonObject } from './types';

export interface RenderedBootstrap {
  /** The merged bootstrap (proto3 JSON form plus whatever the custom files added). */
  bootstrap: JsonObject;
  yaml: string;
  /** Side files to write before the bootstrap (the X-Ray sampling rules). */
  files: FileToWrite[];
}

/**
 * The bootstrap as YAML (docs/reference-agent/bootstrap.md#output-format): map keys sorted
 * at every level like the reference, no anchors/aliases for shared objects, no line folding
 * (regexes stay on one line). Every string value is quoted: Envoy's YAML loader (yaml-cpp)
 * reads a plain `yes`, `on`, `0o17` or `1:20` as a bool or number, while a quoted scalar is
 * always a string. `yaml` is loaded here, when a bootstrap is written: the agent's
 * first /status does not need it (docs/agent-performance.md).
 */
export function bootstrapYaml(bootstrap: unknown): string {
  const { stringify } = require('yaml') as typeof import('yaml');
  return stringify(bootstrap, {
    sortMapEntries: true,
    aliasDuplicateObjects: false,
    lineWidth: 0,
    defaultStringType: 'QUOTE_SINGLE',
    defaultKeyType: 'PLAIN',
  });
}

async function attempt<T>(fn: () => T | Promise<T>, problems: Problem[]): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems);
    return undefined;
  }
}

/**
 * Collect the platform facts, generate, read and merge the custom files
 * (docs/reference-agent/bootstrap.md#generation-order). Generation and custom-file problems
 * are reported together in one ConfigError.
 */
export async function renderBootstrap(cfg: BootstrapConfig, deps: PlatformDeps): Promise<RenderedBootstrap> {
  const facts = await collectPlatformFacts(cfg, deps);
  const problems: Problem[] = [];
  const generated: GeneratedBootstrap | undefined = await attempt(() => generateBootstrap(cfg, facts), problems);
  const docs: CustomDocument[] | undefined = await attempt(() => readCustomDocuments(cfg), problems);
  generated?.warnings.forEach((w) => deps.warn(w));
  if (!generated || !docs) throw new ConfigError(problems);
  const merged = mergeCustomConfig(generated.bootstrap as unknown as JsonObject, docs);
  merged.warnings.forEach((w) => deps.warn(w));
  return { bootstrap: merged.bootstrap, yaml: bootstrapYaml(merged.bootstrap), files: generated.files };
}
