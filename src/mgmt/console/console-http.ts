import { timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ViewContext } from '../appmesh/api/views';
import type { ModelStore } from '../appmesh/state/model-store';
import type { AdminExtension, ExtensionRequest } from '../admin-http';
import type { ManagementServer } from '../server';
import type { ReplicaBoard } from '../appmesh/state/backend';
import { ReplicaNoteSchema, type ConsoleClients, type ConsoleWhoami, type ReplicaNote } from '../../common/contracts/mgmt-console';
import { clientViews, type ClientView } from './client-view';
import { consoleModel } from './model-view';

/**
 * The web console on appnet-mgmt's HTTP port, under /ui: a single page (static
 * files served from the package, Preact and htm from its dependencies, no CDN)
 * that reads the model and the connected clients from /ui/api/*, follows
 * changes through server-sent events (/ui/events), and changes the model only
 * through the App Mesh API itself (same validation, same versions).
 *
 * Protection: when the API requires SigV4, so does the console's data — a
 * browser cannot sign, so the console takes a token instead
 * (--console-token-file): the page sends it as `Authorization: Bearer`, the
 * event stream as `?token=`, and the App Mesh API accepts it in place of a
 * signature. Without a token the console is off while SigV4 is on.
 */

export const CONSOLE_PREFIX = '/ui';

export interface ConsoleOptions {
  store: ModelStore;
  view: ViewContext;
  /** Required before any data is served; undefined = open (the API is open too). */
  token: string | undefined;
  /** SigV4 is required by the API: then no token means no console. */
  apiSigned: boolean;
  /** The host this replica listens on; with its xDS port (known once it listens) it names the replica in the clients list. */
  host: string;
  /** With replicas (a shared store): where each publishes its clients, so every console shows all of them. */
  board?: ReplicaBoard;
}

/** How often a replica refreshes its note even when nothing changed (the note's lease outlives several). */
const REPUBLISH_MS = 5000;

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The page's own files (beside this module, copied into dist by the build) and the vendored modules. */
function loadAssets(): Map<string, { type: string; body: Buffer }> {
  const out = new Map<string, { type: string; body: Buffer }>();
  const own = path.join(__dirname, 'static');
  for (const f of fs.readdirSync(own)) out.set(`/${f}`, { type: TYPES[path.extname(f)] ?? 'application/octet-stream', body: fs.readFileSync(path.join(own, f)) });
  const vendor: Record<string, string> = {
    '/vendor/preact.mjs': path.join(path.dirname(require.resolve('preact')), 'preact.module.js'),
    '/vendor/hooks.mjs': path.join(path.dirname(require.resolve('preact/hooks')), 'hooks.module.js'),
    '/vendor/htm.mjs': path.join(path.dirname(require.resolve('htm')), 'htm.module.js'),
  };
  for (const [p, file] of Object.entries(vendor)) out.set(p, { type: TYPES['.mjs']!, body: fs.readFileSync(file) });
  return out;
}

function sameToken(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bearer token of a request (Authorization header, or ?token= for EventSource), if any. */
export function requestToken(headers: http.IncomingHttpHeaders, url: URL): string | undefined {
  const auth = headers['authorization'];
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  return url.searchParams.get('token') ?? undefined;
}

export class WebConsole implements AdminExtension {
  readonly prefix = CONSOLE_PREFIX;
  private readonly assets = loadAssets();
  private server: ManagementServer | undefined;
  private replica = '';
  private readonly listeners = new Set<http.ServerResponse>();

  constructor(private readonly o: ConsoleOptions) {}

  /** Whether a request may read the console's data. */
  allowed(headers: http.IncomingHttpHeaders, url: URL): boolean {
    if (this.o.token === undefined) return !this.o.apiSigned;
    const given = requestToken(headers, url);
    return given !== undefined && sameToken(given, this.o.token);
  }

  /** Follow the server's streams (for the clients list and its events). */
  attach(server: ManagementServer): void {
    this.server = server;
    // A wildcard listen address names no replica: the host name does.
    const host = ['0.0.0.0', '::', ''].includes(this.o.host) ? os.hostname() : this.o.host;
    this.replica = `${host.includes(':') ? `[${host}]` : host}:${server.port}`;
    let timer: NodeJS.Timeout | undefined;
    const clientsChanged = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        this.broadcast('clients', {});
        this.publish();
      }, 250);
      timer.unref();
    };
    for (const e of ['stream-open', 'stream-close', 'request', 'nack'] as const) server.on(e, clientsChanged);
    this.o.store.onChange((revision) => this.broadcast('model', { revision }));
    if (this.o.board) {
      this.stopWatchingPeers = this.o.board.watch(() => this.broadcast('clients', {}));
      this.republish = setInterval(() => this.publish(), REPUBLISH_MS);
      this.republish.unref();
      this.publish();
    }
  }

  private stopWatchingPeers: (() => void) | undefined;
  private republish: NodeJS.Timeout | undefined;

  private ownClients(): ClientView[] {
    return clientViews(this.server?.streams(true) ?? [], this.replica);
  }

  /** This replica's clients, for the other replicas' consoles (best effort: a failed write is retried by the next change or tick). */
  private publish(): void {
    const note: ReplicaNote = { at: new Date().toISOString(), clients: this.ownClients() };
    this.o.board?.publish(this.replica, note).catch(() => undefined);
  }

  /** Every replica's clients: this one's live, the others' from their latest notes. */
  private async allClients(): Promise<ClientView[]> {
    const own = this.ownClients();
    if (!this.o.board) return own;
    let notes: Map<string, unknown>;
    try {
      notes = await this.o.board.list();
    } catch {
      return own;
    }
    // A note that is not a replica note (another version, a damaged key) is left out rather than shown half.
    const others = [...notes].filter(([name]) => name !== this.replica).flatMap(([, doc]) => ReplicaNoteSchema.safeParse(doc).data?.clients ?? []);
    return [...own, ...others].sort((a, b) => a.nodeId.localeCompare(b.nodeId) || a.replica.localeCompare(b.replica) || a.streamId - b.streamId);
  }

  private broadcast(event: string, data: unknown): void {
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.listeners) res.write(text);
  }

  handleRaw(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    if (url.pathname !== `${CONSOLE_PREFIX}/events`) return false;
    if (!this.allowed(req.headers, url)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('the console token is missing or wrong\n');
      return true;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`event: hello\ndata: ${JSON.stringify({ revision: this.o.store.revision })}\n\n`);
    this.listeners.add(res);
    const beat = setInterval(() => res.write(': keepalive\n\n'), 15_000);
    beat.unref();
    req.on('close', () => {
      clearInterval(beat);
      this.listeners.delete(res);
    });
    return true;
  }

  async handle(req: ExtensionRequest): Promise<{ status: number; body?: unknown; text?: string | Buffer; headers?: Record<string, string> }> {
    const url = new URL(req.url, 'http://console.invalid');
    const sub = url.pathname.slice(CONSOLE_PREFIX.length) || '/';
    if (req.method !== 'GET') return { status: 405, body: { error: 'the console is read-only; changes go through the App Mesh API' } };
    if (sub === '/api/model' || sub === '/api/clients' || sub === '/api/whoami') {
      if (!this.allowed(req.headers, url)) return { status: 401, body: { error: 'the console token is missing or wrong' } };
      if (sub === '/api/model') return { status: 200, body: consoleModel(this.o.store.state, this.o.view) };
      if (sub === '/api/whoami') return { status: 200, body: { replica: this.replica, account: this.o.view.account, region: this.o.view.region } satisfies ConsoleWhoami };
      return { status: 200, body: { replica: this.replica, clients: await this.allClients() } satisfies ConsoleClients };
    }
    if (this.o.token === undefined && this.o.apiSigned) {
      return {
        status: 403,
        text: 'The console is off: the App Mesh API requires SigV4 (--sigv4-credentials), which a browser cannot sign.\nStart appnet-mgmt with --console-token-file <file> to turn it on; open /ui/#token=<the token>.\n',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      };
    }
    const asset = this.assets.get(sub === '/' ? '/index.html' : sub);
    if (!asset) return { status: 404, body: { error: `no console page ${url.pathname}` } };
    return { status: 200, text: asset.body, headers: { 'content-type': asset.type, 'cache-control': 'no-cache' } };
  }

  close(): void {
    this.stopWatchingPeers?.();
    if (this.republish) clearInterval(this.republish);
    for (const res of this.listeners) res.end();
    this.listeners.clear();
  }
}
