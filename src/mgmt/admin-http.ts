import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../common/logger';

/** What the admin pages show; the management server provides it. */
export interface AdminView {
  health(): Record<string, unknown>;
  streams(openOnly: boolean): unknown;
  resources(nodeId: string | undefined): unknown;
  rejections(): unknown;
  nacks(): unknown;
}

export interface AdminServer {
  port: number;
  close(): Promise<void>;
  forceClose(): void;
}

export const ADMIN_ROUTES = ['/healthz', '/streams', '/resources', '/rejections', '/nacks'] as const;

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** The route table: pure apart from reading the view. */
export function route(view: AdminView, method: string, rawUrl: string): { status: number; body: unknown } {
  const url = new URL(rawUrl, 'http://admin.invalid');
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, body: { error: `method ${method} not allowed; use GET` } };
  switch (url.pathname) {
    case '/healthz':
      return { status: 200, body: view.health() };
    case '/streams':
      return { status: 200, body: view.streams(url.searchParams.get('open') === '1' || url.searchParams.get('open') === 'true') };
    case '/resources':
      return { status: 200, body: view.resources(url.searchParams.get('node') ?? undefined) };
    case '/rejections':
      return { status: 200, body: view.rejections() };
    case '/nacks':
      return { status: 200, body: view.nacks() };
    default:
      return { status: 404, body: { error: `no such page ${url.pathname}`, pages: ADMIN_ROUTES } };
  }
}

/** A small HTTP/1.1 JSON server for operators and tests. */
export function startAdminServer(host: string, port: number, view: AdminView, logger: Logger): Promise<AdminServer> {
  const server = http.createServer((req, res) => {
    try {
      const { status, body } = route(view, req.method ?? 'GET', req.url ?? '/');
      send(res, status, body);
    } catch (e) {
      logger.error({ err: e instanceof Error ? e.message : String(e), url: req.url }, 'admin page failed');
      send(res, 500, { error: 'internal error' });
    }
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
        forceClose: () => {
          server.close();
          server.closeAllConnections();
        },
      });
    });
  });
}
