import { renderProblems } from '../../../common/problem';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StateBackendError, StateConflictError, type BackendStatus, type StateBackend, type StoredState } from './backend';
import type { ControlPlaneState } from './state';
import { decodeState, encodeState } from './state-file';

/**
 * The state in one file of the data directory (`--data-dir`), written so that
 * a process killed at any instant leaves either the old or the new state,
 * never a mix: the new text goes to a temporary file, is fsync'ed, renamed
 * over the state file, and the directory is fsync'ed (the rename itself
 * durable) — all before the API answers. A lock file keeps a second
 * appnet-mgmt off the same directory (two writers would lose each other's
 * changes).
 */

export const STATE_FILE = 'appmesh-state.json';
export const LOCK_FILE = 'appnet-mgmt.lock';
const TEMP_PREFIX = `${STATE_FILE}.tmp-`;

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.code ? `${err.code}: ${err.message}` : String(e);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FileBackend implements StateBackend {
  readonly durable = true;
  readonly file: string;
  private readonly lockFile: string;
  private locked = false;
  private writes = 0;
  /** The token of the state on disk (this process is its only writer: the lock). */
  private token: number | undefined;
  private lastError: string | undefined;

  private constructor(readonly dir: string) {
    this.file = path.join(dir, STATE_FILE);
    this.lockFile = path.join(dir, LOCK_FILE);
  }

  get description(): string {
    return `file ${this.file}`;
  }

  /** Create the directory if needed, take its lock, remove temporary files a killed process left. */
  static open(dir: string): FileBackend {
    const b = new FileBackend(path.resolve(dir));
    try {
      fs.mkdirSync(b.dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new StateBackendError(`cannot create the data directory ${b.dir} (${errnoText(e)})`);
    }
    b.lock();
    for (const f of fs.readdirSync(b.dir)) {
      if (f.startsWith(TEMP_PREFIX)) fs.rmSync(path.join(b.dir, f), { force: true });
    }
    return b;
  }

  private lock(): void {
    const take = () => {
      const fd = fs.openSync(this.lockFile, 'wx', 0o600);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      this.locked = true;
    };
    try {
      take();
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateBackendError(`cannot lock the data directory ${this.dir} (${errnoText(e)})`);
    }
    const holder = Number.parseInt(fs.readFileSync(this.lockFile, 'utf8').trim(), 10);
    // A pid equal to ours is a previous life of this process (a container restarted: same pid 1).
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
      throw new StateBackendError(`the data directory ${this.dir} is in use by another appnet-mgmt (pid ${holder}, ${this.lockFile})`);
    }
    fs.rmSync(this.lockFile, { force: true });
    try {
      take();
    } catch (e) {
      throw new StateBackendError(`cannot lock the data directory ${this.dir} (${errnoText(e)})`);
    }
  }

  async load(): Promise<StoredState | undefined> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateBackendError(`cannot read ${this.file} (${errnoText(e)})`);
    }
    const decoded = decodeState(text);
    if (!decoded.ok) {
      throw new StateBackendError(`${this.file} is not a state this server can load; it was left as it is (move it away to start empty):\n  ${renderProblems(decoded.problems).join('\n  ')}`);
    }
    // The state's own revision orders the writes of the one writer.
    this.token = decoded.value.revision;
    return { state: decoded.value, token: this.token };
  }

  async save(state: ControlPlaneState, basedOn: number | undefined): Promise<number> {
    if (basedOn !== this.token) throw new StateConflictError();
    const tmp = path.join(this.dir, `${TEMP_PREFIX}${process.pid}-${++this.writes}`);
    try {
      const fh = await fs.promises.open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(encodeState(state), 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.promises.rename(tmp, this.file);
      const dir = await fs.promises.open(this.dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (e) {
      await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
      this.lastError = `cannot write ${this.file} (${errnoText(e)})`;
      throw new StateBackendError(this.lastError);
    }
    this.lastError = undefined;
    this.token = state.revision;
    return this.token;
  }

  status(): BackendStatus {
    return { kind: 'file', reachable: this.lastError === undefined, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  close(): Promise<void> {
    if (this.locked) {
      this.locked = false;
      fs.rmSync(this.lockFile, { force: true });
    }
    return Promise.resolve();
  }
}
