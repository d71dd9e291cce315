import type { AccessLog, ConnectionPool, IpPreference, OutlierDetection } from './types';
import { duration } from './xds-route';

/**
 * The rest of a listener's and a spec's policies as Envoy fields (proto JSON,
 * each a fragment to spread into its resource). Pure.
 */

type Obj = Record<string, unknown>;

const FILE_LOG = 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog';

/**
 * A virtual node listener's `outlierDetection`, on the clusters its callers
 * use: `maxServerErrors` consecutive 5xx eject a host for
 * `baseEjectionDuration` (times the number of ejections, as Envoy does),
 * scanned every `interval`, at most `maxEjectionPercent` of the hosts. Only
 * consecutive 5xx: Envoy's success-rate ejection, on by default, is turned off.
 */
export function outlierDetection(od: OutlierDetection | undefined): Obj {
  if (!od) return {};
  return {
    outlier_detection: {
      consecutive_5xx: od.maxServerErrors,
      enforcing_consecutive_5xx: 100,
      enforcing_success_rate: 0,
      interval: duration(od.intervalMs),
      base_ejection_time: duration(od.baseEjectionMs),
      max_ejection_percent: od.maxEjectionPercent,
    },
  };
}

/** A `connectionPool` as the cluster's circuit breaker thresholds (default priority). */
export function circuitBreakers(cp: ConnectionPool | undefined): Obj {
  if (!cp) return {};
  return {
    circuit_breakers: {
      thresholds: [
        {
          ...(cp.maxConnections !== undefined ? { max_connections: cp.maxConnections } : {}),
          ...(cp.maxPendingRequests !== undefined ? { max_pending_requests: cp.maxPendingRequests } : {}),
          ...(cp.maxRequests !== undefined ? { max_requests: cp.maxRequests } : {}),
        },
      ],
    },
  };
}

/**
 * `logging.accessLog.file` as an `access_log` for an HTTP connection manager
 * or tcp_proxy: Envoy's default format, or the text format (a newline added
 * when it has none, one line per request) or JSON fields given.
 */
export function accessLog(al: AccessLog | undefined): Obj {
  if (!al) return {};
  const f = al.format;
  const format =
    f?.kind === 'text'
      ? { log_format: { text_format_source: { inline_string: f.text.endsWith('\n') ? f.text : `${f.text}\n` } } }
      : f?.kind === 'json'
        ? { log_format: { json_format: Object.fromEntries(f.fields.map((x) => [x.key, x.value])) } }
        : {};
  return { access_log: [{ name: 'envoy.access_loggers.file', typed_config: { '@type': FILE_LOG, path: al.path, ...format } }] };
}

const FAMILY: Record<IpPreference, string> = {
  IPv6_PREFERRED: 'AUTO',
  IPv4_PREFERRED: 'V4_PREFERRED',
  IPv4_ONLY: 'V4_ONLY',
  IPv6_ONLY: 'V6_ONLY',
};

/** `ipPreference` (the node's DNS, else its mesh's) as a DNS cluster's lookup family. */
export function dnsLookupFamily(p: IpPreference | undefined): Obj {
  return p ? { dns_lookup_family: FAMILY[p] } : {};
}
