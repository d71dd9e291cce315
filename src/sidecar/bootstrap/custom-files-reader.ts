import * as fs from 'node:fs';
import type { BootstrapConfig } from '../config/bootstrap-config';
import type { CustomDocument, CustomFileVar } from './custom-files';
import { Findings } from './findings';

/** The custom file paths the configuration names, in merge order. */
export function customFilePaths(cfg: BootstrapConfig): Array<{ variable: CustomFileVar; path: string }> {
  const all: Array<[CustomFileVar, string | undefined]> = [
    ['ENVOY_TRACING_CFG_FILE', cfg.tracing.configFile],
    ['ENVOY_STATS_CONFIG_FILE', cfg.stats.configFile],
    ['ENVOY_STATS_SINKS_CFG_FILE', cfg.stats.sinksConfigFile],
    ['ENVOY_RESOURCES_CONFIG_FILE', cfg.resourcesConfigFile],
  ];
  return all.filter((e): e is [CustomFileVar, string] => e[1] !== undefined).map(([variable, path]) => ({ variable, path }));
}

/** Parse one file's text as YAML (JSON is accepted too); undefined for an empty document. `yaml` is loaded here, at first use. */
export function parseCustomText(text: string): unknown {
  const { parse } = require('yaml') as typeof import('yaml');
  return parse(text, { prettyErrors: true });
}

/**
 * Read and parse the custom files (the I/O half of
 * docs/reference-agent/bootstrap.md#custom-files). A file that cannot be read or parsed is
 * a problem naming its variable and path; all are reported together.
 */
export async function readCustomDocuments(cfg: BootstrapConfig): Promise<CustomDocument[]> {
  const f = new Findings();
  const entries = customFilePaths(cfg);
  const texts = await Promise.all(
    entries.map((e) =>
      fs.promises.readFile(e.path, 'utf8').then(
        (text) => ({ ok: true as const, text }),
        (err: NodeJS.ErrnoException) => ({ ok: false as const, error: err.code ? `${err.code}: ${err.message}` : String(err) }),
      ),
    ),
  );
  const docs: CustomDocument[] = [];
  entries.forEach((e, i) => {
    const read = texts[i]!;
    if (!read.ok) return void f.problem(e.variable, e.path, `a readable file (${read.error})`);
    try {
      docs.push({ ...e, doc: parseCustomText(read.text) });
    } catch (err) {
      f.problem(e.variable, e.path, `a YAML or JSON document (failure to parse ${e.variable} ${e.path}: ${(err as Error).message.split('\n')[0]})`);
    }
  });
  f.throwIfAny();
  return docs;
}
