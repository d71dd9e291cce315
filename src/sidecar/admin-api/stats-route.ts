import { type AdminHandler, sendText } from '../../admin/server';
import type { Logger } from '../../common/logger';
import type { DeltaSource } from '../../admin/prometheus/delta-response';
import { sendReferenceError } from './reference-text';

/** The parser and renderer, loaded at the first request that needs them (docs/agent-performance.md). */
const processing = () => import('./stats-processing.js');

export interface StatsRouteDeps {
  /** Envoy's GET /stats?format=prometheus[&filter=appmesh][&usedonly]; rejects on failure or non-200. */
  fetchLive(o: { usedonly: boolean; appmeshOnly: boolean }): Promise<string>;
  /** The snapshotter when ENABLE_STATS_SNAPSHOT is on (loaded and built at first use), else undefined. */
  snapshotter(): Promise<DeltaSource | undefined>;
  log: Logger;
}

const PROM_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const KEYS = new Set(['usedonly', 'filter', 'delta']);

/**
 * GET /stats/prometheus (docs/reference-agent/status-and-admin.md#statsprometheus):
 * usedonly, filter=metrics_extension and delta.
 */
export function statsRoute(d: StatsRouteDeps): AdminHandler {
  return async (req, res, url) => {
    if (req.method !== 'GET') return sendReferenceError(res, 405, `invalid method [${req.method}] in request`, 'use GET', { Allow: 'GET' });
    const n = Number(req.headers['content-length'] ?? 0) || 0;
    if (n > 0) return sendText(res, 400, `unexpected content in request. Body size [${n}]\n`);
    const q = url.searchParams;
    for (const key of q.keys()) if (!KEYS.has(key)) return sendText(res, 400, `unsupported query parameter: ${key}\n`);
    const filter = q.get('filter');
    if (filter !== null && filter !== 'metrics_extension') {
      return sendText(res, 400, `unsupported query value for parameter filter: ${filter}, usage: /stats/prometheus?filter=metrics_extension\n`);
    }
    const usedonly = q.has('usedonly');
    let extra: Record<string, string> = {};
    if (q.has('delta')) {
      if (!usedonly || filter === null) return sendText(res, 400, 'when delta is enabled, both usedonly and filter query parameters are required\n');
      const a = (await processing()).deltaAnswer(await d.snapshotter());
      if (a.kind === 'disabled') return sendText(res, a.status, `${a.body}\n`);
      if (a.kind === 'delta') return sendText(res, 200, a.body, { 'Content-Type': PROM_TYPE, ...a.headers });
      extra = { ...a.headers };
    }
    let live: string;
    try {
      live = await d.fetchLive({ usedonly, appmeshOnly: filter !== null });
    } catch (err) {
      d.log.error({ err: (err as Error).message }, 'could not fetch stats from Envoy');
      return sendReferenceError(res, 500, 'Failed to fetch stats from Envoy', (err as Error).message);
    }
    if (filter === null) return sendText(res, 200, live, { 'Content-Type': PROM_TYPE, ...extra });
    const r = (await processing()).metricsExtensionText(live);
    if (r.status !== 200) return sendText(res, r.status, r.body);
    sendText(res, 200, r.body, { 'Content-Type': PROM_TYPE, ...extra });
  };
}
