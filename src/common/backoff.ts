export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  /** Fraction of the delay randomised either way, e.g. 0.2 = +/-20 %. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000, multiplier: 1.6, jitter: 0.2 };

/** Exponential backoff with jitter (the gRPC connection-backoff shape). */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly opts: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call grows the next one. */
  next(): number {
    const base = Math.min(this.opts.maxMs, this.opts.initialMs * this.opts.multiplier ** this.attempt);
    this.attempt++;
    const spread = base * this.opts.jitter;
    return Math.max(0, Math.round(base - spread + this.random() * 2 * spread));
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/** A value scaled down by up to `fraction` at random: spreads timers that would fire together. */
export function jitterDown(value: number, fraction: number, random: () => number = Math.random): number {
  return Math.round(value * (1 - fraction * random()));
}
