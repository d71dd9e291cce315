import * as http from 'node:http';

export interface HttpResult {
  status: number;
  body: string;
}

export interface HttpOptions {
  method?: 'GET' | 'PUT';
  headers?: Record<string, string>;
  /** Whole-request deadline: connect, send, and read the body. */
  timeoutMs: number;
  /** Bodies larger than this are an error (metadata documents are small). */
  maxBytes?: number;
}

/**
 * One plain-HTTP request with a hard deadline (the metadata endpoints are link-local
 * http:// services). Resolves with any status; rejects on network errors, timeouts,
 * oversized bodies and non-http URLs.
 */
export function httpRequest(url: string, opts: HttpOptions): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return reject(new Error(`not a URL: ${url}`));
    }
    if (target.protocol !== 'http:') return reject(new Error(`only http:// is supported: ${url}`));
    const maxBytes = opts.maxBytes ?? 1 << 20;
    const req = http.request(target, { method: opts.method ?? 'GET', headers: opts.headers, agent: false });
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) req.destroy(new Error(`response larger than ${maxBytes} bytes`));
        else chunks.push(c);
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end();
  });
}

/** GET a JSON document; non-2xx statuses and unparsable bodies are errors. */
export async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  const res = await httpRequest(url, { timeoutMs });
  if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status} from ${url}`);
  try {
    return JSON.parse(res.body) as unknown;
  } catch {
    throw new Error(`the answer of ${url} is not JSON`);
  }
}
