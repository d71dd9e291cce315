import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RotatingFileOptions {
  dir: string;
  name: string;
  /** Rotate when the file is larger than this (APPNET_AGENT_MAX_LOG_FILE_SIZE x 1 MiB). */
  maxBytes: number;
  /** Rotated files kept (APPNET_AGENT_MAX_RETENTION_COUNT). */
  retention: number;
  checkEveryMs?: number;
  now?: () => number;
}

/**
 * The combined agent + Envoy log file (APPNET_ENVOY_LOG_DESTINATION/APPNET_ENVOY_LOG_NAME).
 * Opened for appending (a restart never wipes the last run's logs); both the
 * agent and Envoy write to the same descriptor. Rotation is copy-truncate, so
 * writers never reopen: the file is copied to `<name>.<epoch seconds>`, truncated,
 * and only the newest `retention` copies are kept.
 */
export class RotatingLogFile {
  readonly file: string;
  readonly fd: number;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly o: RotatingFileOptions) {
    this.file = path.join(o.dir, o.name);
    this.fd = fs.openSync(this.file, 'a', 0o644);
  }

  /** Opens the file; throws an error that names the variable when the directory is unusable. */
  static open(o: RotatingFileOptions): RotatingLogFile {
    let st: fs.Stats;
    try {
      st = fs.statSync(o.dir);
    } catch {
      throw new Error(`APPNET_ENVOY_LOG_DESTINATION: directory ${o.dir} does not exist`);
    }
    if (!st.isDirectory()) throw new Error(`APPNET_ENVOY_LOG_DESTINATION: ${o.dir} is not a directory`);
    try {
      return new RotatingLogFile(o);
    } catch (err) {
      throw new Error(`APPNET_ENVOY_LOG_DESTINATION: cannot open ${path.join(o.dir, o.name)}: ${(err as Error).message}`);
    }
  }

  start(): void {
    this.timer = setInterval(() => this.rotateIfNeeded(), this.o.checkEveryMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Rotate when over the size limit; returns the rotated copy's path, if any. Never throws. */
  rotateIfNeeded(): string | undefined {
    try {
      if (fs.fstatSync(this.fd).size <= this.o.maxBytes) return undefined;
      let stamp = Math.floor((this.o.now ?? Date.now)() / 1000);
      while (fs.existsSync(`${this.file}.${stamp}`)) stamp++;
      const copy = `${this.file}.${stamp}`;
      fs.copyFileSync(this.file, copy);
      fs.ftruncateSync(this.fd, 0);
      this.prune();
      return copy;
    } catch {
      return undefined; // the rotation loop never logs (it would write to the file it rotates)
    }
  }

  private prune(): void {
    const prefix = `${this.o.name}.`;
    const rotated = fs
      .readdirSync(this.o.dir)
      .filter((f) => f.startsWith(prefix))
      .map((f) => ({ f, n: Number(f.slice(prefix.length)) }))
      .sort((a, b) => (Number.isFinite(b.n) ? b.n : -Infinity) - (Number.isFinite(a.n) ? a.n : -Infinity));
    for (const { f } of rotated.slice(this.o.retention)) fs.rmSync(path.join(this.o.dir, f), { force: true });
  }
}
