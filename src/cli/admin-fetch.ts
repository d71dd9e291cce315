import * as http from 'node:http';
import type { AdminAddress } from './admin-address';

/** The I/O of `appnet status`: GET /status from an admin API over a Unix socket or TCP. */

export class FetchError extends Error {
  override readonly name = 'FetchError';
}

export interface FetchOptions {
  timeoutMs: number;
  /** The admin APIs answer 429 past 10 requests/s: wait this long and ask once more. */
  retryAfter429Ms?: number;
  maxBytes?: number;
}

const MAX_BYTES = 64 * 1024 * 1024;

function reason(err: NodeJS.ErrnoException, a: AdminAddress): string {
  switch (err.code) {
    case 'ENOENT':
      return a.kind === 'uds' ? `no socket at ${a.path}` : err.message;
    case 'ECONNREFUSED':
      return a.kind === 'uds' ? 'connection refused (a socket file with nobody listening: is it running?)' : 'connection refused (is it running, with its admin API on this port?)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (the admin socket is mode 0660: run as its owner or group, or with sudo)';
    case 'ENOTSOCK':
      return `${a.kind === 'uds' ? a.path : 'it'} is not a socket`;
    default:
      return err.message;
  }
}

function getOnce(a: AdminAddress, o: FetchOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = a.kind === 'uds' ? { socketPath: a.path } : { host: a.host, port: a.port };
    const req = http.get({ ...target, path: '/status', headers: { accept: 'application/json' }, timeout: o.timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > (o.maxBytes ?? MAX_BYTES)) req.destroy(new FetchError(`the answer is larger than ${o.maxBytes ?? MAX_BYTES} bytes`));
        else chunks.push(d);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => reject(e instanceof FetchError ? e : new FetchError(reason(e, a))));
    });
    req.on('timeout', () => req.destroy(new FetchError(`no answer within ${o.timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(e instanceof FetchError ? e : new FetchError(reason(e, a))));
  });
}

/** The parsed JSON of GET /status; FetchError (with a plain reason) when there is none. */
export async function fetchStatus(a: AdminAddress, o: FetchOptions): Promise<unknown> {
  let r = await getOnce(a, o);
  if (r.status === 429 && o.retryAfter429Ms !== undefined) {
    await new Promise((done) => setTimeout(done, o.retryAfter429Ms));
    r = await getOnce(a, o);
  }
  if (r.status !== 200) {
    const hint = r.status === 404 ? ' (no /status here: is this an appnet admin API?)' : r.status === 429 ? ' (rate limited: too many requests to the admin API)' : '';
    throw new FetchError(`/status answered HTTP ${r.status}${hint}`);
  }
  try {
    return JSON.parse(r.body) as unknown;
  } catch {
    throw new FetchError('/status did not answer JSON (is this an appnet admin API?)');
  }
}
