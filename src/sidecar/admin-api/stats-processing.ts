import { answerDelta, type DeltaAnswer, type DeltaSource } from '../../admin/prometheus/delta-response';
import { metricsExtension } from '../../admin/prometheus/metrics-extension';
import type { MetricFamily } from '../../admin/prometheus/model';
import { parsePrometheusText } from '../../admin/prometheus/parse';
import { renderFamilies } from '../../admin/prometheus/render';

/**
 * The Prometheus half of GET /stats/prometheus: the text parser, the
 * metrics-extension filter, the renderer and the delta decision. stats-route.ts
 * loads this module at the first request that needs it, not at the agent's
 * start (docs/agent-performance.md).
 */

export function deltaAnswer(source: DeltaSource | undefined): DeltaAnswer {
  return answerDelta(source);
}

/** Envoy's live text as the `envoy_appmesh_*` families (prefix stripped, sorted), or the reference's 500 body. */
export function metricsExtensionText(live: string): { status: 200 | 500; body: string } {
  let families: MetricFamily[];
  try {
    families = parsePrometheusText(live);
  } catch (err) {
    // The reference's words, then the parser's: "text format parsing error in line N: ..."
    return { status: 500, body: `error processing prometheus stats: error parsing prometheus stats: ${(err as Error).message}\n` };
  }
  try {
    return { status: 200, body: renderFamilies(metricsExtension(families)) };
  } catch (err) {
    return { status: 500, body: `error processing prometheus stats: ${(err as Error).message}\n` };
  }
}
