import type { MetricFamily } from './model';

/** The prefix Envoy puts on the App Mesh metrics-extension stats. */
export const METRICS_EXTENSION_PREFIX = 'envoy_appmesh_';

/**
 * The `filter=metrics_extension` transform of `/stats/prometheus` and of the stats
 * snapshotter (docs/reference-agent/status-and-admin.md#statsprometheus): keep only the
 * families whose name starts with `envoy_appmesh_`, and strip that prefix. Everything else
 * is unchanged. A family named exactly `envoy_appmesh_` becomes `""`, which the consistency
 * check of `render.ts` rejects as an invalid name.
 */
export function metricsExtension(families: readonly MetricFamily[]): MetricFamily[] {
  return families
    .filter((f) => f.name.startsWith(METRICS_EXTENSION_PREFIX))
    .map((f) => ({ ...f, name: f.name.slice(METRICS_EXTENSION_PREFIX.length) }));
}
