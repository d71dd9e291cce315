import { type FileWatch, watchFile } from '../../common/file-watch';
import * as fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Logger } from '../../common/logger';
import { formatForPath, type DocumentFormat } from '../resource-document';
import { substituteEnv } from './env-subst';
import { AppMeshModelError, type AppMeshStore } from './store';

/**
 * The model file (`--appmesh <file>`, .json or .yaml/.yml): environment
 * substitution (env-subst.ts), then JSON or YAML. `parseModelText` is pure;
 * `ModelFileWatcher` re-reads the file when it changes and replaces the
 * store's model; a bad edit is logged and the model in service stays. Changes
 * made through the HTTP API live until the file next changes.
 */

export type ModelText = { ok: true; document: unknown } | { ok: false; problems: string[] };

export function parseModelText(text: string, format: DocumentFormat, env: Readonly<Record<string, string | undefined>>): ModelText {
  const sub = substituteEnv(text, env);
  if (!sub.ok) return sub;
  try {
    const document = format === 'json' ? JSON.parse(sub.text) : parseYaml(sub.text, { prettyErrors: true, uniqueKeys: true, maxAliasCount: 1000 });
    return { ok: true, document: document ?? {} };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { ok: false, problems: [`not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${msg}`] };
  }
}

/** Read and parse the file now; throws AppMeshModelError naming every problem. */
export function readModelFile(file: string, env: Readonly<Record<string, string | undefined>>): { document: unknown; text: string } {
  const format = formatForPath(file);
  if (!format) throw new AppMeshModelError([`${file}: the file name must end in .json, .yaml or .yml`], 'invalid App Mesh model file');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppMeshModelError([`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`], 'invalid App Mesh model file');
  }
  const parsed = parseModelText(text, format, env);
  if (!parsed.ok) throw new AppMeshModelError(parsed.problems, `invalid App Mesh model file ${file}`);
  return { document: parsed.document, text };
}

export interface ModelFileWatcherOptions {
  env: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  /** Wait this long after the last file event before reading (default 100 ms). */
  debounceMs?: number;
  /** The text the store's model came from (so an unchanged file is not applied again). */
  initialText?: string;
}

export class ModelFileWatcher {
  private watcher: FileWatch | undefined;
  private lastText: string | undefined;
  private error: string[] | undefined;

  constructor(
    readonly file: string,
    private readonly store: AppMeshStore,
    private readonly opts: ModelFileWatcherOptions,
  ) {
    this.lastText = opts.initialText;
    this.watcher = watchFile(file, opts.debounceMs ?? 100, () => this.reload(), (err) => opts.logger?.error({ file, err: err.message }, 'cannot watch the App Mesh model file'));
  }

  /** The problems with the file as it is now, while the last good model stays in service. */
  get lastError(): string[] | undefined {
    return this.error;
  }

  /** Read the file again; returns true when a new model was committed. */
  reload(): boolean {
    let read: { document: unknown; text: string };
    try {
      read = readModelFile(this.file, this.opts.env);
    } catch (e) {
      this.error = e instanceof AppMeshModelError ? [...e.problems] : [String(e)];
      this.opts.logger?.error({ file: this.file, problems: this.error }, 'App Mesh model file rejected; keeping the model in service');
      return false;
    }
    if (read.text === this.lastText) {
      this.error = undefined;
      return false;
    }
    const result = this.store.apply({ op: 'replace', document: read.document });
    if (!result.ok) {
      this.error = result.problems;
      this.opts.logger?.error({ file: this.file, problems: result.problems }, 'App Mesh model file rejected; keeping the model in service');
      return false;
    }
    this.lastText = read.text;
    this.error = undefined;
    this.opts.logger?.info({ file: this.file, revision: result.revision }, 'App Mesh model loaded');
    return true;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
