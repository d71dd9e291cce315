import * as fs from 'node:fs';
import * as http from 'node:http';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, retryDelayMs, type RetryPolicy } from './retry';

/**
 * The agent's client for Envoy's admin interface
 * (docs/reference-agent/status-and-admin.md#envoys-admin-client): plain HTTP/1.1 to
 * http://127.0.0.1:<port><path>, or over the admin Unix socket in uds mode (the Host header
 * still says 127.0.0.1:<port>), each request on a fresh connection with `Connection: close`
 * and `User-Agent: appnetClient/1.0`. Two flavours: plain (one attempt) and retrying (see
 * retry.ts); the timeout is per attempt and covers the whole exchange, body included.
 */

export interface EnvoyAdminTarget {
  mode: 'tcp' | 'uds';
  port: number;
  udsPath: string;
}

export interface AdminReply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface AdminRequestOptions {
  timeoutMs: number;
  retry: boolean;
}

/** One failed call: the message names the call and the reason, e.g. "GET /ready: connect ECONNREFUSED 127.0.0.1:9901". */
export class EnvoyAdminError extends Error {
  override name = 'EnvoyAdminError';

  constructor(
    /** "GET /ready" */
    readonly call: string,
    readonly reason: string,
    readonly attempts: number,
    /** The last HTTP status, when the last attempt got one. */
    readonly status?: number,
  ) {
    super(`${call}: ${reason}`);
  }
}

export const USER_AGENT = 'appnetClient/1.0';
const MAX_BODY_BYTES = 64 * 1024 * 1024;

type Attempt = { ok: true; reply: AdminReply } | { ok: false; reason: string };

export interface EnvoyAdminClientOptions {
  policy?: RetryPolicy;
  /** Injected in tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class EnvoyAdminClient {
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    readonly target: EnvoyAdminTarget,
    o: EnvoyAdminClientOptions = {},
  ) {
    this.policy = o.policy ?? DEFAULT_RETRY_POLICY;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = o.now ?? Date.now;
  }

  /**
   * One call. Plain: any HTTP status is returned, only transport failures
   * throw. Retrying: a retryable status on the last attempt throws too
   * ("giving up after 4 attempts: HTTP 503 ..."); other statuses are returned.
   */
  async request(method: 'GET' | 'POST', pathAndQuery: string, opts: AdminRequestOptions): Promise<AdminReply> {
    const call = `${method} ${pathAndQuery}`;
    if (this.target.mode === 'uds' && !fs.existsSync(this.target.udsPath)) {
      throw new EnvoyAdminError(call, `Envoy admin socket ${this.target.udsPath} does not exist`, 0);
    }
    const attempts = opts.retry ? this.policy.maxRetries + 1 : 1;
    let last: Attempt = { ok: false, reason: 'no attempt made' };
    for (let i = 0; i < attempts; i++) {
      if (i > 0) {
        const prev = last.ok ? { status: last.reply.status, retryAfter: last.reply.headers['retry-after'] } : undefined;
        await this.sleep(retryDelayMs(this.policy, i - 1, prev, this.now()));
      }
      last = await this.attempt(method, pathAndQuery, opts.timeoutMs);
      if (last.ok && (!opts.retry || !isRetryableStatus(last.reply.status))) return last.reply;
    }
    const status = last.ok ? last.reply.status : undefined;
    const reason = last.ok ? `HTTP ${last.reply.status}${summary(last.reply.body)}` : last.reason;
    throw new EnvoyAdminError(call, attempts > 1 ? `giving up after ${attempts} attempts: ${reason}` : reason, attempts, status);
  }

  /** GET /ready (plain): the body is the server state, 200 only when LIVE. */
  ready(timeoutMs = 2000): Promise<AdminReply> {
    return this.request('GET', '/ready', { timeoutMs, retry: false });
  }

  /**
   * GET /stats?filter=<regex>&format=json (plain): numeric stats by name
   * (text readouts and histograms are left out). A non-200 answer or a body
   * that is not Envoy's stats JSON throws.
   */
  async statsJson(filter: string, timeoutMs = 2000): Promise<Map<string, number>> {
    const pathAndQuery = `/stats?filter=${encodeURIComponent(filter)}&format=json`;
    const reply = await this.request('GET', pathAndQuery, { timeoutMs, retry: false });
    const call = `GET ${pathAndQuery}`;
    if (reply.status !== 200) throw new EnvoyAdminError(call, `HTTP ${reply.status}${summary(reply.body)}`, 1, reply.status);
    let doc: unknown;
    try {
      doc = JSON.parse(reply.body);
    } catch (e) {
      throw new EnvoyAdminError(call, `the body is not JSON (${(e as Error).message})`, 1, reply.status);
    }
    const stats = (doc as { stats?: unknown } | null)?.stats;
    if (!Array.isArray(stats)) throw new EnvoyAdminError(call, 'the body has no "stats" list', 1, reply.status);
    const out = new Map<string, number>();
    for (const s of stats as Array<{ name?: unknown; value?: unknown }>) {
      if (typeof s?.name === 'string' && typeof s.value === 'number') out.set(s.name, s.value);
    }
    return out;
  }

  /** POST /drain_listeners?inboundonly (the Agent API) or ?graceful (SIGTERM), retrying, 250 ms per attempt. */
  drainListeners(mode: 'inboundonly' | 'graceful'): Promise<AdminReply> {
    return this.request('POST', `/drain_listeners?${mode}`, { timeoutMs: 250, retry: true });
  }

  /** POST /logging?level=<level> (percent-encoded), retrying, 250 ms per attempt. */
  setLogLevel(level: string): Promise<AdminReply> {
    return this.request('POST', `/logging?level=${encodeURIComponent(level)}`, { timeoutMs: 250, retry: true });
  }

  /** GET /stats?format=prometheus[&filter=..][&usedonly], retrying, 5 s per attempt. */
  prometheus(opts: { usedonly: boolean; filter?: string }, timeoutMs = 5000): Promise<AdminReply> {
    let q = '/stats?format=prometheus';
    if (opts.filter !== undefined) q += `&filter=${encodeURIComponent(opts.filter)}`;
    if (opts.usedonly) q += '&usedonly';
    return this.request('GET', q, { timeoutMs, retry: true });
  }

  private attempt(method: string, pathAndQuery: string, timeoutMs: number): Promise<Attempt> {
    const t = this.target;
    return new Promise((resolve) => {
      let settled = false;
      const done = (a: Attempt) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(a);
      };
      const req = http.request(
        {
          ...(t.mode === 'uds' ? { socketPath: t.udsPath } : { host: '127.0.0.1', port: t.port }),
          method,
          path: pathAndQuery,
          agent: false,
          headers: {
            Host: `127.0.0.1:${t.port}`,
            Connection: 'close',
            'User-Agent': USER_AGENT,
            ...(method === 'POST' ? { 'Content-Length': '0' } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY_BYTES) req.destroy(new Error(`the answer is larger than ${MAX_BODY_BYTES} bytes`));
            else chunks.push(c);
          });
          res.on('end', () => done({ ok: true, reply: { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers } }));
          res.on('error', (e) => done({ ok: false, reason: e.message }));
        },
      );
      const timer = setTimeout(() => {
        done({ ok: false, reason: `no complete answer within ${timeoutMs} ms` });
        req.destroy();
      }, timeoutMs);
      req.on('error', (e) => done({ ok: false, reason: e.message }));
      req.end();
    });
  }
}

function summary(body: string): string {
  const s = body.trim().split('\n')[0]?.slice(0, 120) ?? '';
  return s ? ` (${s})` : '';
}
