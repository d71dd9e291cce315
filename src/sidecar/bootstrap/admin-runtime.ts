import type { BootstrapConfig } from '../config/bootstrap-config';
import { anyOf } from './proto-json';
import type { Admin, JsonObject, RuntimeLayer } from './types';

/**
 * The admin block (docs/reference-agent/bootstrap.md#admin): always an access log; a 0600
 * Unix socket or a TCP port.
 */
export function adminBlock(cfg: BootstrapConfig): Admin {
  const accessLog = [{ typedConfig: anyOf('envoy.extensions.access_loggers.file.v3.FileAccessLog', { path: cfg.admin.accessLogFile }) }];
  if (cfg.admin.mode === 'uds') return { accessLog, address: { pipe: { path: cfg.admin.udsPath, mode: 0o600 } } };
  const socketAddress = cfg.admin.ipv6
    ? { address: '::', portValue: cfg.admin.port, ipv4Compat: true }
    : { address: '0.0.0.0', portValue: cfg.admin.port };
  return { accessLog, address: { socketAddress } };
}

/**
 * The static runtime map (docs/reference-agent/bootstrap.md#runtime); also published as
 * node metadata `aws.appmesh.static_runtime`.
 */
export function staticRuntime(cfg: BootstrapConfig): JsonObject {
  const layer: JsonObject = {
    'envoy.features.enable_all_deprecated_features': true,
    're2.max_program_size.error_level': 1000,
    'envoy.reloadable_features.http_set_tracing_decision_in_request_id': cfg.runtime.setTracingDecision,
    'envoy.reloadable_features.no_extension_lookup_by_name': cfg.runtime.noExtensionLookupByName,
    'envoy.reloadable_features.use_http_client_to_fetch_aws_credentials': cfg.runtime.useHttpClientForAwsCredentials,
  };
  if (cfg.runtime.maxRequestsPerIoCycle > 0) layer['http.max_requests_per_io_cycle'] = cfg.runtime.maxRequestsPerIoCycle;
  return layer;
}

export function layeredRuntime(staticLayer: JsonObject): { layers: RuntimeLayer[] } {
  return {
    layers: [
      { name: 'static_layer_0', staticLayer: { ...staticLayer } },
      { name: 'admin_layer', adminLayer: {} },
    ],
  };
}
