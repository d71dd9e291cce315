import * as http from 'node:http';
import type { Logger } from '../common/logger';
import { TokenBucket } from '../common/token-bucket';
import { listenUnix, prepareSocketPath } from '../common/unix-socket';
import type { AdminListen } from './config';

export type AdminHandler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void | Promise<void>;

export interface AdminServerOptions {
  listen: AdminListen;
  routes: Readonly<Record<string, AdminHandler>>;
  log: Logger;
  /** Shared by every known path; 404s take no token. Default 10/s, burst 20 (the reference's). */
  rateLimit?: { perSecond: number; burst: number };
  /** Mode of the Unix socket file. */
  socketMode?: number;
}

export function sendText(res: http.ServerResponse, status: number, body: string, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(body);
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value, null, 2));
}

/** Collapse `//`, `.` and `..` the way Go's path.Clean does for the reference's router. */
export function cleanPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const cleaned = '/' + out.join('/');
  return p.endsWith('/') && cleaned !== '/' ? cleaned + '/' : cleaned;
}

/**
 * The local admin HTTP/1.1 API of the relay and the agent: TCP (dual-stack by
 * default) or a Unix socket, exact-path routing, a shared token-bucket rate
 * limit, and handler failures turned into 500s (never a crash).
 */
export class AdminServer {
  private constructor(
    private readonly server: http.Server,
    readonly address: string,
  ) {}

  static async start(opts: AdminServerOptions): Promise<AdminServer> {
    const rl = opts.rateLimit ?? { perSecond: 10, burst: 20 };
    const bucket = new TokenBucket(rl.perSecond, rl.burst);
    const server = http.createServer((req, res) => {
      const raw = req.url ?? '/';
      // Prefix rather than resolve: "//status" is a path here, not a host.
      const url = new URL(raw.startsWith('/') ? `http://admin${raw}` : raw, 'http://admin');
      const clean = cleanPath(url.pathname);
      if (clean !== url.pathname) {
        res.writeHead(301, { Location: clean + url.search });
        res.end();
        return;
      }
      const handler = opts.routes[url.pathname];
      if (!handler) return sendText(res, 404, '404 page not found\n');
      if (!bucket.tryTake()) return sendText(res, 429, 'Too Many Requests\n');
      Promise.resolve()
        .then(() => handler(req, res, url))
        .catch((err: Error) => {
          opts.log.error({ path: url.pathname, err: err.message }, 'admin handler failed');
          if (!res.headersSent) sendText(res, 500, 'internal error\n');
          else res.destroy();
        });
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    const listen = opts.listen;
    let address: string;
    if (listen.mode === 'uds') {
      // A stale regular file is replaced too, as the reference does with its admin socket.
      await prepareSocketPath(listen.path, 'APPNET_AGENT_ADMIN_UDS_PATH', { replaceRegularFile: true });
      await listenUnix(server, listen.path, opts.socketMode ?? 0o660);
      address = `unix:${listen.path}`;
    } else {
      const dual = listen.host === '::';
      try {
        await listenTcp(server, { host: listen.host, port: listen.port, ...(dual ? { ipv6Only: false } : {}) });
      } catch (err) {
        if (!dual || (err as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT') throw err;
        opts.log.warn('IPv6 is not available: admin API listens on 0.0.0.0 only');
        await listenTcp(server, { host: '0.0.0.0', port: listen.port });
      }
      const a = server.address() as { address: string; port: number };
      address = `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
    }
    opts.log.info({ address }, 'admin API listening');
    return new AdminServer(server, address);
  }

  get port(): number | undefined {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function listenTcp(server: http.Server, o: { host: string; port: number; ipv6Only?: boolean }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}
