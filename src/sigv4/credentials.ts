import type { AwsCredentialIdentity } from '@smithy/types';
import { Backoff } from '../common/backoff';
import { errorMessage } from '../common/problem';

/** What the SDK credential chains look like: `forceRefresh` re-fetches. */
export type RefreshableProvider = (opts?: { forceRefresh?: boolean }) => Promise<AwsCredentialIdentity>;

export type { CredentialState, CredentialStatus } from '../common/contracts/relay-status';
import type { CredentialState, CredentialStatus } from '../common/contracts/relay-status';

export class CredentialsError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'CredentialsError';
  }
}

export interface CredentialManagerOptions {
  now?: () => number;
  /** Refresh at most this long before expiry (capped at half the credentials' lifetime). */
  refreshWindowMs?: number;
  /** After a failed fetch with nothing usable cached, fail new callers at once for this long. */
  failureHoldMs?: number;
  onRefresh?: (ok: boolean, error?: Error) => void;
}

const SOURCE_NAMES: Record<string, string> = {
  CREDENTIALS_ENV_VARS: 'environment',
  CREDENTIALS_HTTP: 'container-credentials',
  CREDENTIALS_IMDS: 'instance-metadata',
  CREDENTIALS_PROFILE: 'shared-config-profile',
  CREDENTIALS_PROFILE_SOURCE_PROFILE: 'shared-config-profile',
  CREDENTIALS_STS_ASSUME_ROLE_WEB_ID: 'web-identity',
  CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN: 'web-identity',
  CREDENTIALS_PROCESS: 'credential-process',
  CREDENTIALS_SSO: 'sso',
};

export function describeSource(creds: AwsCredentialIdentity): string {
  const tags = (creds as { $source?: Record<string, unknown> }).$source;
  const keys = tags ? Object.keys(tags) : [];
  if (keys.length === 0) return 'custom';
  return [...new Set(keys.map((k) => SOURCE_NAMES[k] ?? k.toLowerCase()))].join('+');
}

/**
 * Holds the AWS credentials used for signing. One fetch at a time; once
 * started, credentials are refreshed on a timer before they expire (at most 5
 * minutes, at least half their lifetime, ahead) and failed fetches are retried
 * with backoff, so callers block only when nothing valid is cached. Everything
 * it knows shows in `status()`; the keys themselves never do.
 */
export class CredentialManager {
  private current: AwsCredentialIdentity | undefined;
  private obtainedAt = 0;
  private inflight: Promise<AwsCredentialIdentity> | undefined;
  private lastFailure: { error: CredentialsError; at: number } | undefined;
  private lastRefreshAt: number | undefined;
  private refreshes = 0;
  private failures = 0;
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly holdMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly retry = new Backoff({ initialMs: 1000, maxMs: 30_000, multiplier: 2, jitter: 0.2 });

  constructor(
    private readonly provider: RefreshableProvider,
    private readonly opts: CredentialManagerOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.windowMs = opts.refreshWindowMs ?? 5 * 60_000;
    this.holdMs = opts.failureHoldMs ?? 1000;
  }

  /** Fetch now and keep the credentials fresh on a timer (refresh before expiry, retry on failure). */
  start(): void {
    this.running = true;
    this.refresh().catch(() => undefined);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Credentials for one signature; the signer calls this for every stream. */
  readonly get = async (): Promise<AwsCredentialIdentity> => {
    const cur = this.current;
    const now = this.now();
    if (cur && !this.isExpired(cur, now)) {
      if (this.inRefreshWindow(cur, now)) this.refresh().catch(() => undefined);
      return cur;
    }
    if (!this.inflight && this.lastFailure && now - this.lastFailure.at < this.holdMs) throw this.lastFailure.error;
    return this.refresh();
  };

  /** Fetch now (shared with any fetch already under way). */
  refresh(): Promise<AwsCredentialIdentity> {
    if (this.inflight) return this.inflight;
    const first = this.current === undefined && this.refreshes === 0 && this.failures === 0;
    const p = (first ? this.provider() : this.provider({ forceRefresh: true })).then(
      (creds) => {
        this.current = creds;
        this.obtainedAt = this.now();
        this.lastRefreshAt = this.obtainedAt;
        // A source can answer with credentials that are already past their
        // expiration (a stale cache, a skewed clock): signing with them would only
        // earn rejections upstream, so this counts as a failed fetch.
        if (this.isExpired(creds, this.obtainedAt)) {
          throw this.failed(`${describeSource(creds)} returned credentials that expired at ${creds.expiration!.toISOString()}`);
        }
        this.lastFailure = undefined;
        this.refreshes++;
        this.retry.reset();
        this.opts.onRefresh?.(true);
        if (creds.expiration) this.schedule(Math.max(0, creds.expiration.getTime() - this.windowFor(creds) - this.now()));
        return creds;
      },
      (err: unknown) => {
        throw this.failed(errorMessage(err), err);
      },
    );
    this.inflight = p.finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Record a failed fetch (and retry later); returns the error for callers. */
  private failed(reason: string, cause?: unknown): CredentialsError {
    const error = new CredentialsError(`could not load AWS credentials for SigV4 signing: ${reason}`, cause);
    this.lastFailure = { error, at: this.now() };
    this.failures++;
    this.opts.onRefresh?.(false, error);
    this.schedule(this.retry.next());
    return error;
  }

  status(): CredentialStatus {
    const cur = this.current;
    const now = this.now();
    let state: CredentialState = 'NOT_LOADED';
    if (cur) state = this.isExpired(cur, now) ? 'EXPIRED' : 'VALID';
    if (this.lastFailure && !cur) state = 'FAILED';
    return {
      state,
      source: cur ? describeSource(cur) : null,
      expiration: cur?.expiration ? cur.expiration.toISOString() : null,
      lastRefresh: this.lastRefreshAt !== undefined ? new Date(this.lastRefreshAt).toISOString() : null,
      lastError: this.lastFailure
        ? { message: this.lastFailure.error.message, at: new Date(this.lastFailure.at).toISOString() }
        : null,
      refreshes: this.refreshes,
      failures: this.failures,
    };
  }

  /** Usable for signing right now (or not yet tried). */
  get healthy(): boolean {
    const s = this.status().state;
    return s === 'VALID' || s === 'NOT_LOADED';
  }

  private isExpired(c: AwsCredentialIdentity, now: number): boolean {
    return c.expiration !== undefined && c.expiration.getTime() <= now;
  }

  private windowFor(c: AwsCredentialIdentity): number {
    return c.expiration ? Math.min(this.windowMs, (c.expiration.getTime() - this.obtainedAt) / 2) : 0;
  }

  private inRefreshWindow(c: AwsCredentialIdentity, now: number): boolean {
    return c.expiration !== undefined && c.expiration.getTime() - now <= this.windowFor(c);
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh().catch(() => undefined);
    }, delayMs);
    this.timer.unref();
  }
}
