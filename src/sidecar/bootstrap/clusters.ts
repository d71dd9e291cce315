import { adsConfigSource } from './dynamic-resources';
import type { Address, Cluster } from './types';

export const LOCAL_CLUSTER = 'local_cluster';
export const SDS_CLUSTER = 'static_cluster_sds_unix_socket';

function singleEndpoint(name: string, address: Address): Cluster['loadAssignment'] {
  return { clusterName: name, endpoints: [{ lbEndpoints: [{ endpoint: { address } }] }] };
}

/**
 * Service Connect's EDS `local_cluster`
 * (docs/reference-agent/bootstrap.md#cluster-manager-and-local_cluster): 1 ms initial fetch
 * timeout so that Envoy does not wait for it when zone-aware routing is off.
 */
export function localCluster(): Cluster {
  return { name: LOCAL_CLUSTER, type: 'EDS', edsClusterConfig: { edsConfig: adsConfigSource(1) } };
}

/**
 * A tracer's collector (docs/reference-agent/bootstrap.md#tracing): STRICT_DNS (hostnames
 * allowed), 1 s connect timeout, round robin.
 */
export function tracerCluster(name: string, address: string, port: number): Cluster {
  return {
    name,
    type: 'STRICT_DNS',
    connectTimeout: '1s',
    loadAssignment: singleEndpoint(name, { socketAddress: { address, portValue: port } }),
  };
}

/** The SDS agent over a Unix socket, HTTP/2 (docs/reference-agent/bootstrap.md#sds-cluster). */
export function sdsCluster(socketPath: string): Cluster {
  return {
    name: SDS_CLUSTER,
    type: 'STATIC',
    connectTimeout: '1s',
    http2ProtocolOptions: {},
    loadAssignment: singleEndpoint(SDS_CLUSTER, { pipe: { path: socketPath } }),
  };
}
