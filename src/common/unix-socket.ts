import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export class SocketPathError extends Error {
  override name = 'SocketPathError';
}

/** Is something accepting connections on this Unix socket? */
export function socketIsLive(socketPath: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socketPath);
    const done = (live: boolean) => {
      clearTimeout(t);
      c.destroy();
      resolve(live);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    c.once('connect', () => done(true));
    c.once('error', () => done(false));
  });
}

export interface PreparePathOptions {
  /**
   * Also replace a regular file found at the path (the reference agent removes
   * whatever is at its admin socket's path). Directories, symbolic links and
   * live sockets are never replaced.
   */
  replaceRegularFile?: boolean;
}

/**
 * Make `socketPath` free to bind: its directory must already exist (it is never
 * created, deleted or re-created, so bind mounts of it stay valid); a stale
 * socket file is removed; a live socket or any other kind of file is an error
 * (but see `replaceRegularFile`).
 */
export async function prepareSocketPath(socketPath: string, variable: string, o: PreparePathOptions = {}): Promise<void> {
  const dir = path.dirname(socketPath);
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch {
    throw new SocketPathError(`${variable}: directory ${dir} does not exist (it is not created automatically)`);
  }
  if (!dirStat.isDirectory()) throw new SocketPathError(`${variable}: ${dir} is not a directory`);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(socketPath);
  } catch {
    return; // nothing there
  }
  if (st.isFile() && o.replaceRegularFile) return fs.unlinkSync(socketPath);
  if (!st.isSocket()) throw new SocketPathError(`${variable}: ${socketPath} exists and is not a socket; refusing to replace it`);
  if (await socketIsLive(socketPath)) throw new SocketPathError(`${variable}: another process is already listening on ${socketPath}`);
  fs.unlinkSync(socketPath);
}

/**
 * Listen on a Unix socket that has `mode` from the moment it exists: the umask
 * is narrowed around the synchronous bind inside listen(), so there is no window
 * with wider permissions (a chmod afterwards would leave one).
 */
export function listenUnix(server: net.Server, socketPath: string, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    const old = process.umask(0o777 & ~mode);
    try {
      server.listen(socketPath, () => {
        server.removeListener('error', onError);
        resolve();
      });
    } finally {
      process.umask(old);
    }
  });
}
