import type { MetricFamily } from './model';
import { renderFamilies } from './render';

/** What `/stats/prometheus?usedonly&filter=metrics_extension&delta` needs from the snapshotter. */
export interface DeltaSource {
  delta(): readonly MetricFamily[] | undefined;
  readonly deltaAt: Date | undefined;
}

export const DELTA_DISABLED_STATUS = 409;
export const DELTA_DISABLED_MESSAGE =
  'delta is not available: the stats snapshotter is disabled (ENABLE_STATS_SNAPSHOT is off); ' +
  'enable it, or ask without delta for live stats';

/** Which stats a 200 carries: the snapshotter's delta or Envoy's live values. */
export const STATS_SOURCE_HEADER = 'X-Appnet-Stats-Source';
/** When the served delta was computed (RFC 3339, milliseconds). */
export const DELTA_COMPUTED_AT_HEADER = 'X-Appnet-Stats-Delta-Computed-At';

export type DeltaAnswer =
  /** The snapshotter is off: answer `status` with `body`, never live stats. */
  | { readonly kind: 'disabled'; readonly status: 409; readonly body: string }
  /**
   * On, but no snapshot yet: serve the live filtered stats ("current − 0",
   * like a first delta) with `headers`, which say so.
   */
  | { readonly kind: 'live'; readonly headers: Readonly<Record<string, string>> }
  /** The latest delta, rendered, with headers saying when it was computed. */
  | { readonly kind: 'delta'; readonly status: 200; readonly body: string; readonly headers: Readonly<Record<string, string>> };

/**
 * The decision of the delta path of `/stats/prometheus` (step 8 of
 * docs/reference-agent/status-and-admin.md#statsprometheus), with the reference's
 * quirks (docs/reference-agent/quirks.md#q16-stats-deltas-and-errors-are-unclear) fixed:
 *
 * - snapshotter disabled (`source === undefined`) → 409 with
 *   `DELTA_DISABLED_MESSAGE`. The request is well formed but the agent is not
 *   configured for it, hence 409 Conflict rather than 400; the reference
 *   silently served live stats, which a caller summing deltas would
 *   double-count.
 * - the age of a delta (it is the same for up to 60 s, for every caller) is
 *   told in headers, not in the body, so the body stays byte-identical to
 *   the reference's: `X-Appnet-Stats-Source: delta`,
 *   `X-Appnet-Stats-Delta-Computed-At: <RFC 3339>` and `Last-Modified`.
 *   Callers can ignore a delta whose computed-at they have already seen.
 * - live fallback before the first snapshot carries `X-Appnet-Stats-Source: live`.
 *
 * Rendering may throw `InconsistentMetricsError` (500 for the caller); the
 * snapshotter only stores consistent sets, so that does not happen in practice.
 */
export function answerDelta(source: DeltaSource | undefined): DeltaAnswer {
  if (source === undefined) return { kind: 'disabled', status: DELTA_DISABLED_STATUS, body: DELTA_DISABLED_MESSAGE };
  const families = source.delta();
  const at = source.deltaAt;
  if (families === undefined || at === undefined) return { kind: 'live', headers: { [STATS_SOURCE_HEADER]: 'live' } };
  return {
    kind: 'delta',
    status: 200,
    body: renderFamilies(families),
    headers: {
      [STATS_SOURCE_HEADER]: 'delta',
      [DELTA_COMPUTED_AT_HEADER]: at.toISOString(),
      'Last-Modified': at.toUTCString(),
    },
  };
}
