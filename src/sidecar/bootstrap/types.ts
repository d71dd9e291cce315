/**
 * The Envoy v3 bootstrap as the generator emits it: proto3 JSON form (lowerCamelCase
 * field names, enums by name, durations as "1.5s" strings, 64-bit integers as strings,
 * `Any` with an "@type" key). Only the parts the generator writes are typed; custom
 * files merged afterwards may add anything (see custom-files.ts).
 */

export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export interface TypedConfig {
  '@type': string;
  [field: string]: Json;
}

export interface SocketAddress {
  protocol?: 'TCP' | 'UDP';
  address: string;
  portValue: number;
  ipv4Compat?: boolean;
}

export interface Pipe {
  path: string;
  mode?: number;
}

export type Address = { socketAddress: SocketAddress } | { pipe: Pipe };

export interface ConfigSource {
  ads: Record<string, never>;
  initialFetchTimeout: string;
  resourceApiVersion: 'V3';
}

export interface GoogleGrpc {
  statPrefix: string;
  targetUri: string;
  channelCredentials?: { sslCredentials: { rootCerts: { filename: string } } };
  credentialsFactoryName?: string;
  callCredentials?: Array<{ fromPlugin: { name: string; typedConfig: TypedConfig } }>;
  channelArgs: { args: Record<string, { intValue: string }> };
}

export interface DynamicResources {
  adsConfig: { apiType: 'GRPC'; transportApiVersion: 'V3'; grpcServices: Array<{ googleGrpc: GoogleGrpc }> };
  cdsConfig: ConfigSource;
  ldsConfig: ConfigSource;
}

export interface Admin {
  accessLog: Array<{ typedConfig: TypedConfig }>;
  address: Address;
}

export interface RuntimeLayer {
  name: string;
  staticLayer?: JsonObject;
  adminLayer?: Record<string, never>;
}

export interface LbEndpoint {
  endpoint: { address: Address };
}

export interface Cluster {
  name: string;
  type: 'EDS' | 'STATIC' | 'STRICT_DNS';
  connectTimeout?: string;
  http2ProtocolOptions?: Record<string, never>;
  edsClusterConfig?: { edsConfig: ConfigSource };
  loadAssignment?: { clusterName: string; endpoints: Array<{ lbEndpoints: LbEndpoint[] }> };
}

export interface Node {
  id: string;
  cluster: string;
  locality?: { region: string; zone: string };
  metadata: JsonObject;
}

export type StatsTag = { tagName: string; regex: string } | { tagName: string; fixedValue: string };

export interface StatsSink {
  name: string;
  typedConfig: TypedConfig;
}

export interface Bootstrap {
  node: Node;
  admin: Admin;
  dynamicResources: DynamicResources;
  layeredRuntime: { layers: RuntimeLayer[] };
  clusterManager: { outlierDetection: { eventLogPath: string }; localClusterName?: string };
  staticResources?: { clusters: Cluster[] };
  tracing?: { http: { name: string; typedConfig: TypedConfig } };
  statsConfig?: { statsTags: StatsTag[] };
  statsFlushInterval?: string;
  statsSinks?: StatsSink[];
}

/** A file the generated bootstrap refers to; written by the shell before the bootstrap itself. */
export interface FileToWrite {
  /** The variable that asked for it, for error messages. */
  variable: string;
  path: string;
  content: string;
  mode: number;
}

export interface GeneratedBootstrap {
  bootstrap: Bootstrap;
  files: FileToWrite[];
  /** Things worth a warning log line; generation went on. */
  warnings: string[];
}
