import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ResourceError, type ResourceCodec } from './resource-codec';
import type { EncodedResource } from './snapshot';
import { errorMessage } from '../common/problem';

/**
 * A resource file, JSON or YAML (chosen by the file extension):
 *
 *   resources:                      # served to every node
 *     - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
 *       name: ingress
 *       ...                         # the rest in proto JSON, snake_case
 *   nodes:                          # optional per-node resources, laid over the base
 *     "node-1":                     #   (same type and name replaces)
 *       resources: [ ... ]
 */
export interface ResourceDocument {
  resources: EncodedResource[];
  nodes: Record<string, EncodedResource[]>;
}

export type DocumentFormat = 'json' | 'yaml';

export function formatForPath(file: string): DocumentFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return undefined;
}

function parseText(text: string, format: DocumentFormat): unknown {
  if (format === 'json') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ResourceError([`not valid JSON: ${errorMessage(e)}`]);
    }
  }
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true, maxAliasCount: 1000 });
  } catch (e) {
    throw new ResourceError([`not valid YAML: ${errorMessage(e).split('\n')[0]}`]);
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse and encode a whole document; throws one ResourceError naming every problem. */
export function parseResourceDocument(text: string, format: DocumentFormat, codec: ResourceCodec): ResourceDocument {
  const doc = parseText(text, format);
  if (!isObj(doc)) throw new ResourceError(['the document must be an object with a "resources" list']);
  const problems: string[] = [];
  for (const key of Object.keys(doc)) {
    if (key !== 'resources' && key !== 'nodes') problems.push(`unknown top-level key "${key}" (expected "resources" and optionally "nodes")`);
  }
  const encodeList = (list: unknown, where: string): EncodedResource[] => {
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) {
      problems.push(`${where}: expected a list of resources`);
      return [];
    }
    try {
      return codec.encodeAll(list, where);
    } catch (e) {
      if (e instanceof ResourceError) problems.push(...e.problems);
      else throw e;
      return [];
    }
  };
  if (doc['resources'] === undefined && doc['nodes'] === undefined) problems.push('missing "resources" list');
  const resources = encodeList(doc['resources'], 'resources');
  const nodes: Record<string, EncodedResource[]> = {};
  const rawNodes = doc['nodes'];
  if (rawNodes !== undefined && rawNodes !== null) {
    if (!isObj(rawNodes)) problems.push('nodes: expected an object keyed by node id');
    else {
      for (const [id, entry] of Object.entries(rawNodes)) {
        if (!isObj(entry) || Object.keys(entry).some((k) => k !== 'resources')) {
          problems.push(`nodes["${id}"]: expected { resources: [...] }`);
          continue;
        }
        nodes[id] = encodeList(entry['resources'], `nodes["${id}"].resources`);
      }
    }
  }
  if (problems.length > 0) throw new ResourceError(problems);
  return { resources, nodes };
}
