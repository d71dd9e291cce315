import type * as http2 from 'node:http2';
import type { Logger } from '../common/logger';

/**
 * A relayed stream's share of its upstream connection's data: bytes read from
 * the management server that its client has not taken yet (the upstream
 * stream's unread buffer and the downstream stream's unsent buffer).
 */
export interface BufferHolder {
  heldBytes(): number;
}

/**
 * The stream window every stream of a connection over its cap is left with:
 * HTTP/2's default. A stream whose client reads keeps moving (its window comes
 * back as its client takes the bytes) and a new stream can still get an
 * ordinary xDS response, while the relay holds at most this much more per
 * stream.
 */
export const THROTTLED_WINDOW = 65_535;
/** How often the held bytes are summed while any stream holds some. */
const SAMPLE_MS = 10;

/**
 * The connection window for a cap of `limitBytes` (0: no cap, the largest window).
 * Node takes a connection's DATA off the connection window as soon as it
 * arrives, so this window does not bound what the relay holds; it bounds what
 * the server may have committed to the connection (written into its socket,
 * in flight) that a lowered stream window can no longer hold back: the most
 * the relay takes in after it throttles. Half the limit: at most about 1.5×
 * the limit is held, and the connection still carries half the limit per round trip.
 */
export function connectionWindowFor(limitBytes: number, maxWindow: number): number {
  return limitBytes > 0 ? Math.min(maxWindow, Math.max(THROTTLED_WINDOW, Math.floor(limitBytes / 2))) : maxWindow;
}

export type CapState = 'open' | 'throttled';

/** The state a connection holding `held` bytes should be in: throttled at the limit, open again at half of it. */
export function nextCapState(state: CapState, held: number, limitBytes: number): CapState {
  if (state === 'open') return held >= limitBytes ? 'throttled' : 'open';
  return held <= limitBytes / 2 ? 'open' : 'throttled';
}

export interface BufferCapOptions {
  /** RELAY_UPSTREAM_BUFFER_LIMIT_BYTES; 0 = no cap. */
  limitBytes: number;
  /** The stream window the connection was opened with (RELAY_BUFFER_LIMIT_BYTES). */
  windowBytes: number;
  /** Where throttling is logged (info) and lifted (debug). */
  log: Logger;
  onChange?(state: CapState, heldBytes: number): void;
}

/**
 * Bounds what the relay holds of one upstream connection's data, across its
 * streams. Node acknowledges a connection's DATA (connection-level
 * WINDOW_UPDATE) as soon as it arrives, whether or not anything reads it, so
 * the connection window cannot hold the server back; only stream windows can,
 * and each stream's was granted in full when the connection was set up.
 * So while the streams hold more than the limit, the relay lowers the stream
 * window of every stream of the connection at once (SETTINGS
 * INITIAL_WINDOW_SIZE = THROTTLED_WINDOW); once they hold half of it or less,
 * it gives the full window back. See docs/relay-scale.md ("Fan-out").
 *
 * Streams report themselves when their client falls behind (`add`); they are
 * counted until they hold nothing, so the sampling costs nothing while no
 * client is behind.
 */
export class UpstreamBufferCap {
  private readonly holders = new Set<BufferHolder>();
  private timer: NodeJS.Timeout | undefined;
  private state: CapState = 'open';
  /** A SETTINGS frame is on its way and not acknowledged yet: no second one until it is. */
  private pending = false;
  /** The held bytes at the last sample. */
  heldBytes = 0;

  constructor(
    private readonly session: http2.ClientHttp2Session,
    private readonly o: BufferCapOptions,
  ) {}

  get throttled(): boolean {
    return this.state === 'throttled';
  }

  /** `h` has bytes its client has not taken: count them until it has none. */
  add(h: BufferHolder): void {
    if (this.o.limitBytes <= 0) return;
    this.holders.add(h);
    this.timer ??= setInterval(() => this.sample(), SAMPLE_MS).unref();
  }

  /** `h` ended. */
  remove(h: BufferHolder): void {
    this.holders.delete(h);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.holders.clear();
  }

  /** Sum what the streams hold and throttle or open the connection accordingly (the timer calls it). */
  sample(): void {
    let held = 0;
    for (const h of this.holders) {
      const b = h.heldBytes();
      if (b === 0) this.holders.delete(h);
      else held += b;
    }
    this.heldBytes = held;
    this.apply(nextCapState(this.state, held, this.o.limitBytes));
    if (this.holders.size === 0 && this.state === 'open' && !this.pending) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private apply(want: CapState): void {
    const s = this.session;
    if (want === this.state || this.pending || s.closed || s.destroyed) return;
    const initialWindowSize = want === 'throttled' ? Math.min(THROTTLED_WINDOW, this.o.windowBytes) : this.o.windowBytes;
    try {
      s.settings({ initialWindowSize }, () => {
        this.pending = false;
      });
    } catch {
      return; // the session is going away: its streams' windows no longer matter
    }
    this.pending = true;
    this.state = want;
    const fields = { heldBytes: this.heldBytes, limitBytes: this.o.limitBytes, streamWindowBytes: initialWindowSize };
    if (want === 'throttled') this.o.log.info(fields, 'clients behind on the upstream connection (RELAY_UPSTREAM_BUFFER_LIMIT_BYTES reached): its stream windows lowered');
    else this.o.log.debug(fields, 'clients caught up on the upstream connection: its stream windows restored');
    this.o.onChange?.(want, this.heldBytes);
  }
}
