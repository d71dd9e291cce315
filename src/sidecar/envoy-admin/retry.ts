/**
 * The retrying flavour's policy (docs/reference-agent/status-and-admin.md#retries), as the
 * reference's HTTP client applies it: up to 3 retries (4 attempts) after a transport error,
 * HTTP 429 or any 5xx except 501; the wait before retry n (0-based) is 100 ms x 2^n capped
 * at 1 s, except that a valid Retry-After on a 429 or 503 (delay-seconds or an HTTP date)
 * is honoured instead. Pure: no I/O.
 */

export interface RetryPolicy {
  /** Retries after the first attempt (3 = 4 attempts in all). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * Upper bound on an honoured Retry-After (the reference has none; a bound
   * keeps a confused server from parking a drain or a scrape for hours).
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 30_000 };

/** 429, 5xx except 501 (Not Implemented will not change by asking again). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

/**
 * Retry-After as milliseconds: delay-seconds (digits only) or an HTTP date
 * (a date in the past means now); undefined when absent or malformed.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined; // "-5", "1.5": neither form
  const at = Date.parse(v);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - now);
}

/** The wait before retry `attempt` (0 for the first retry), given what the failed attempt got. */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  reply: { status: number; retryAfter: string | string[] | undefined } | undefined,
  now: number,
): number {
  if (reply && (reply.status === 429 || reply.status === 503)) {
    const ra = parseRetryAfter(reply.retryAfter, now);
    if (ra !== undefined) return Math.min(ra, policy.maxRetryAfterMs);
  }
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
}
