import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MgmtHealth, MgmtResources, NackSummary, Rejection, StreamRecord } from '../common/contracts/mgmt-admin';
import type { Logger } from '../common/logger';
import { errorMessage } from '../common/problem';

/** What the admin pages show, as the admin documents' contract types; the management server provides it. */
export interface AdminView {
  health(): MgmtHealth;
  streams(openOnly: boolean): StreamRecord[];
  resources(nodeId: string | undefined): MgmtResources;
  rejections(): Rejection[];
  nacks(): NackSummary[];
}

/** One request for an extension, whole: method, path and query as received, headers, body bytes. */
export interface ExtensionRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** More pages under one path prefix (e.g. the App Mesh API under /v20190125), with request bodies. */
export interface AdminExtension {
  /** Requests for exactly this path or below it go to `handle`. */
  prefix: string;
  /** `body` is sent as JSON; `text` (with its content-type in `headers`) as it is. */
  handle(req: ExtensionRequest): Promise<{ status: number; body?: unknown; text?: string | Buffer; headers?: Record<string, string> }>;
  /** A response that stays open (server-sent events): return true when it took the request, before any body is read. */
  handleRaw?(req: http.IncomingMessage, res: http.ServerResponse): boolean;
}

/** Request bodies larger than this are refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface AdminServer {
  port: number;
  close(): Promise<void>;
  forceClose(): void;
}

export const ADMIN_ROUTES = ['/healthz', '/streams', '/resources', '/rejections', '/nacks'] as const;

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function extensionFor(extensions: readonly AdminExtension[], pathname: string): AdminExtension | undefined {
  return extensions.find((e) => pathname === e.prefix || pathname.startsWith(`${e.prefix}/`));
}

/** Read a request body up to MAX_BODY_BYTES; undefined when it is larger. */
function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The route table: pure apart from reading the view. */
export function route(view: AdminView, method: string, rawUrl: string, extraPages: readonly string[] = []): { status: number; body: unknown } {
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
      return { status: 404, body: { error: `no such page ${url.pathname}`, pages: [...ADMIN_ROUTES, ...extraPages] } };
  }
}

/** A small HTTP/1.1 JSON server for operators and tests. */
export function startAdminServer(host: string, port: number, view: AdminView, logger: Logger, extensions: readonly AdminExtension[] = []): Promise<AdminServer> {
  const fail = (res: http.ServerResponse, url: string | undefined, e: unknown) => {
    logger.error({ err: errorMessage(e), url }, 'admin page failed');
    if (!res.headersSent) send(res, 500, { error: 'internal error' });
  };
  const server = http.createServer((req, res) => {
    try {
      const method = req.method ?? 'GET';
      const pathname = new URL(req.url ?? '/', 'http://admin.invalid').pathname;
      const ext = extensionFor(extensions, pathname);
      if (!ext) {
        const { status, body } = route(view, method, req.url ?? '/', extensions.map((e) => e.prefix));
        send(res, status, body);
        return;
      }
      if (ext.handleRaw?.(req, res)) return;
      readBody(req)
        .then(async (body) => {
          if (body === undefined) {
            res.setHeader('connection', 'close');
            send(res, 413, { error: 'request body too large', problems: [`the limit is ${MAX_BODY_BYTES} bytes`] });
            return;
          }
          const a = await ext.handle({ method, url: req.url ?? '/', headers: req.headers, body });
          if (a.text !== undefined) {
            res.writeHead(a.status, { 'cache-control': 'no-store', ...a.headers });
            res.end(a.text);
          } else send(res, a.status, a.body, a.headers);
        })
        .catch((e: unknown) => fail(res, req.url, e));
    } catch (e) {
      fail(res, req.url, e);
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
