import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../../../common/logger';
import type { TokenBucket } from '../../../common/token-bucket';
import { verifySigV4, type CredentialLookup } from '../../../sigv4/verify';
import type { ModelStore } from '../state/model-store';
import { runEndpoints, runOperation } from './dispatch';
import { matchEndpointsPath } from './endpoints-ext';
import { ApiError, errorAnswer } from './errors';
import { API_VERSION_PREFIX, matchOperation } from './operations';
import type { Answer, ApiContext } from './resource-ops';
import { errorMessage } from '../../../common/problem';

/**
 * The App Mesh API over HTTP, as the AWS SDKs and CLI speak it (restJson1 on
 * `/v20190125/...`): authentication (SigV4, service `appmesh`, when
 * credentials are configured), the request rate limit, JSON in and out, and
 * every refusal as a typed AWS error. The operations themselves are in
 * dispatch.ts.
 */

export interface ApiRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface ApiAuth {
  region: string;
  credentials: CredentialLookup;
  maxSkewMs?: number;
  /** The web console's token (--console-token-file): accepted as `Authorization: Bearer <token>` in place of a signature. */
  consoleToken?: string;
}

export interface AppMeshApiOptions {
  store: ModelStore;
  context: ApiContext;
  /** When set, every request must be signed with one of these credentials. */
  auth?: ApiAuth;
  /** When set, a request finding it empty is refused with TooManyRequestsException. */
  rateLimit?: TokenBucket;
  logger?: Logger;
  /** Told of every request: the operation's name (or "unknown") and "OK" or the error type. */
  onRequest?: (operation: string, code: string) => void;
}

export const APPMESH_API_PREFIX = API_VERSION_PREFIX;

const AUTH_ERRORS = {
  missing: ['MissingAuthenticationTokenException', 'Missing Authentication Token'],
  malformed: ['IncompleteSignatureException', 'The Authorization header is not a complete AWS Signature Version 4 header'],
  'unknown-key': ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
  rejected: ['InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.'],
} as const;

export class AppMeshApi {
  constructor(private readonly o: AppMeshApiOptions) {}

  private authenticate(req: ApiRequest): void {
    const auth = this.o.auth;
    if (!auth) return;
    const bearer = req.headers['authorization'];
    if (auth.consoleToken !== undefined && typeof bearer === 'string' && bearer.startsWith('Bearer ')) {
      const given = Buffer.from(bearer.slice(7).trim());
      const want = Buffer.from(auth.consoleToken);
      if (given.length === want.length && timingSafeEqual(given, want)) return;
      throw new ApiError('UnrecognizedClientException', 'The console token included in the request is invalid.');
    }
    const v = verifySigV4(
      { ...req.headers, ':method': req.method, ':path': req.url },
      { credentials: auth.credentials, region: auth.region, service: 'appmesh', payload: req.body, ...(auth.maxSkewMs !== undefined ? { maxSkewMs: auth.maxSkewMs } : {}) },
    );
    if (v.ok) return;
    const [type, message] = AUTH_ERRORS[v.failure];
    // The reason helps whoever signs the request; it never carries a secret (only the access key id).
    throw new ApiError(type, `${message} (${v.reason})`);
  }

  private async run(req: ApiRequest, url: URL, seen: { operation: string }): Promise<Answer> {
    // Which operation it is, known before authentication (for the metrics); refused only after it.
    const endpoints = matchEndpointsPath(url.pathname.split('/').filter((s) => s !== '').map((s) => safeDecode(s)));
    const m = matchOperation(req.method, url.pathname);
    if (endpoints) seen.operation = 'LocalEndpoints';
    else if (m.ok) seen.operation = m.op.name;
    this.authenticate(req);
    if (this.o.rateLimit && !this.o.rateLimit.tryTake()) throw new ApiError('TooManyRequestsException', 'Rate exceeded: too many App Mesh API requests; retry later');
    let body: unknown;
    if (req.body.length > 0) {
      try {
        body = JSON.parse(req.body.toString('utf8'));
      } catch {
        throw new ApiError('BadRequestException', 'The request body is not valid JSON');
      }
    }
    if (endpoints) return runEndpoints(this.o.store, req.method, endpoints, body);
    if (!m.ok) {
      const why = m.reason === 'method' ? `; this path takes ${m.allowed.join(', ')}` : m.reason === 'encoding' ? ' (bad percent-encoding)' : '';
      throw new ApiError('UnknownOperationException', `No App Mesh operation at ${req.method} ${url.pathname}${why}`);
    }
    const answer = await runOperation(this.o.store, this.o.context, m.op, m.labels, url.searchParams, body);
    if (req.method !== 'GET') this.o.logger?.info({ op: m.op.name, path: url.pathname, revision: this.o.store.revision }, 'App Mesh API change');
    return answer;
  }

  async handle(req: ApiRequest): Promise<ApiResponse> {
    const requestId = randomUUID();
    const url = new URL(req.url, 'http://api.invalid');
    const seen = { operation: 'unknown' };
    try {
      const a = await this.run(req, url, seen);
      this.o.onRequest?.(seen.operation, 'OK');
      return { status: a.status, headers: { 'x-amzn-requestid': requestId }, body: a.body };
    } catch (e) {
      let err: ApiError;
      if (e instanceof ApiError) err = e;
      else {
        this.o.logger?.error({ err: errorMessage(e), path: url.pathname, requestId }, 'App Mesh API request failed');
        err = new ApiError('InternalServerErrorException', `Internal error (request ${requestId})`);
      }
      if (err.status >= 500 || err.status === 403) this.o.logger?.warn({ path: url.pathname, method: req.method, error: err.type, reason: err.message, requestId }, 'App Mesh API request refused');
      this.o.onRequest?.(seen.operation, err.type);
      const a = errorAnswer(err);
      return { status: a.status, headers: { ...a.headers, 'x-amzn-requestid': requestId }, body: a.body };
    }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
