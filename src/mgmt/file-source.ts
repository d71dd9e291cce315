import { type FileWatch, watchFile } from '../common/file-watch';
import * as fs from 'node:fs';
import type { Logger } from '../common/logger';
import { ResourceCodec, ResourceError } from './resource-codec';
import { formatForPath, parseResourceDocument, type DocumentFormat } from './resource-document';
import type { NodeInfo, ResourceSource, Snapshot } from './snapshot';
import { StaticResourceSource } from './static-source';
import { errorMessage } from '../common/problem';

export interface FileSourceOptions {
  codec?: ResourceCodec;
  logger?: Logger;
  /** Wait this long after the last file event before reading (editors write in bursts). Default 100 ms. */
  debounceMs?: number;
  /** Watch the file for changes (default true). */
  watch?: boolean;
}

/**
 * Resources read from a JSON or YAML file (see resource-document.ts), re-read when
 * the file changes. The directory is watched, not the file, so editors that
 * save by renaming a new file into place are seen too. A bad edit is logged and
 * the last good resources stay in service.
 */
export class FileResourceSource implements ResourceSource {
  private readonly inner = new StaticResourceSource();
  private readonly codec: ResourceCodec;
  private readonly format: DocumentFormat;
  private watcher: FileWatch | undefined;
  private lastText: string | undefined;
  private error: string | undefined;
  private loads = 0;

  /** Reads the file now; throws a ResourceError naming every problem if it cannot be served. */
  constructor(
    readonly file: string,
    private readonly opts: FileSourceOptions = {},
  ) {
    const format = formatForPath(file);
    if (!format) throw new ResourceError([`${file}: the file name must end in .json, .yaml or .yml`], 'invalid resource file');
    this.format = format;
    this.codec = opts.codec ?? new ResourceCodec();
    const problem = this.load();
    if (problem) throw new ResourceError(problem.problems, `invalid resource file ${file}`);
    if (opts.watch ?? true) this.startWatching();
  }

  snapshotFor(node: NodeInfo): Snapshot {
    return this.inner.snapshotFor(node);
  }

  onChange(listener: () => void): () => void {
    return this.inner.onChange(listener);
  }

  nodeIds(): string[] {
    return this.inner.nodeIds();
  }

  /** The problem with the file as it is now, when the last good resources are being served instead. */
  get lastError(): string | undefined {
    return this.error;
  }

  /** How many times the resources were (re)loaded successfully. */
  get loadCount(): number {
    return this.loads;
  }

  /** Read the file again now; returns true when new resources were applied. */
  reload(): boolean {
    const before = this.loads;
    const problem = this.load();
    if (problem) {
      this.error = problem.message;
      this.opts.logger?.error({ file: this.file, problems: problem.problems }, 'resource file rejected; keeping the last good resources');
    }
    return this.loads > before;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private load(): ResourceError | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      return new ResourceError([`cannot read ${this.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`], 'invalid resource file');
    }
    if (text === this.lastText) {
      this.error = undefined;
      return undefined;
    }
    try {
      const doc = parseResourceDocument(text, this.format, this.codec);
      this.lastText = text;
      this.error = undefined;
      this.loads++;
      this.inner.set(doc.resources, doc.nodes);
      const count = doc.resources.length + Object.values(doc.nodes).reduce((n, l) => n + l.length, 0);
      this.opts.logger?.info({ file: this.file, resources: count, nodes: Object.keys(doc.nodes).length }, 'resources loaded');
      return undefined;
    } catch (e) {
      if (e instanceof ResourceError) return new ResourceError(e.problems, `invalid resource file ${this.file}`);
      return new ResourceError([errorMessage(e)], `invalid resource file ${this.file}`);
    }
  }

  private startWatching(): void {
    this.watcher = watchFile(this.file, this.opts.debounceMs ?? 100, () => this.reload(), (err) => this.opts.logger?.error({ file: this.file, err: err.message }, 'cannot watch the resource file'));
  }
}
