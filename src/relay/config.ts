import { type Env, EnvReader } from '../common/env';
import { LOG_LEVELS, type LogLevel } from '../common/logger';
import { type AdminListen, checkSocketPath, readAdminListen } from '../admin/config';
import { readSigningName } from '../sigv4/signing-name';
import { HOSTNAME_RE, REGION_RE, defaultManagementDomain, ecdhCurveFor, parseEndpoint } from './management-domain';
import { parseHostList } from './upstream-addresses';

export interface UpstreamConfig {
  /** The management domain: TLS SNI, certificate name, `:authority` and SigV4 host. */
  domain: string;
  port: number;
  /** Where to dial (default: the domain itself). */
  /** Hosts to connect to (APPNET_MANAGEMENT_ADDRESS, comma-separated; default the domain); names may resolve to several addresses. */
  connectHosts: string[];
  tls: boolean;
  /** PEM file of trusted CAs; undefined = Node's default roots. */
  caFile: string | undefined;
  ecdhCurve: string | undefined;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveTimeoutMs: number;
  /** 0 = never recycle. */
  maxConnectionDurationMs: number;
}

export interface RelayConfig {
  listenerPath: string;
  region: string;
  signingName: string;
  upstream: UpstreamConfig;
  /** 0 = no idle timeout. */
  streamIdleTimeoutMs: number;
  bufferLimitBytes: number;
  maxNewStreamsPerSecond: number;
  drainTimeoutMs: number;
  admin: AdminListen | undefined;
  logLevel: LogLevel;
}

/** Facts about the machine the config depends on (kept out so this stays pure). */
export interface RelayFacts {
  fileExists(path: string): boolean;
  fipsEnabled: boolean;
}

export const DEFAULT_SYSTEM_CA = '/etc/pki/tls/cert.pem';
export const MAX_WINDOW = 2 ** 31 - 1;

/** Environment -> relay configuration; throws one ConfigError naming every bad variable. */
export function loadRelayConfig(env: Env, facts: RelayFacts): RelayConfig {
  const r = new EnvReader(env);
  const listenerPath = r.string('APPNET_RELAY_LISTENER_UDS_PATH', '/tmp/relay_xds.sock');
  checkSocketPath(r, 'APPNET_RELAY_LISTENER_UDS_PATH', listenerPath);

  const region = r.string('AWS_REGION') ?? r.string('AWS_DEFAULT_REGION') ?? '';
  if (region === '') r.problem('AWS_REGION', '', 'a region name such as us-west-2 (needed for SigV4 and the endpoint)');
  else if (!REGION_RE.test(region)) r.problem('AWS_REGION', region, 'a region name such as us-west-2');

  // Domain: APPNET_MANAGEMENT_DOMAIN_NAME, else APPMESH_XDS_ENDPOINT (as the reference relay does), else derived.
  let domain = r.string('APPNET_MANAGEMENT_DOMAIN_NAME');
  let endpointPort: number | undefined;
  if (domain !== undefined && !HOSTNAME_RE.test(domain)) r.problem('APPNET_MANAGEMENT_DOMAIN_NAME', domain, 'a DNS name such as ecs-sc.us-west-2.api.aws');
  const endpoint = r.string('APPMESH_XDS_ENDPOINT');
  if (domain === undefined && endpoint !== undefined) {
    const parsed = parseEndpoint(endpoint);
    if (!parsed || !HOSTNAME_RE.test(parsed.host)) r.problem('APPMESH_XDS_ENDPOINT', endpoint, 'a host name with an optional port, e.g. ecs-sc.us-west-2.api.aws or https://host:443');
    else {
      domain = parsed.host;
      endpointPort = parsed.port;
    }
  }
  domain ??= REGION_RE.test(region) ? defaultManagementDomain(region, facts.fipsEnabled) : '';

  const port = r.port('APPNET_MANAGEMENT_PORT', endpointPort ?? 443);
  const addressText = r.string('APPNET_MANAGEMENT_ADDRESS');
  const hostList = addressText === undefined ? undefined : parseHostList(addressText);
  if (hostList && !hostList.ok) r.problem('APPNET_MANAGEMENT_ADDRESS', addressText!, hostList.problem);
  const connectHosts = hostList?.ok ? hostList.hosts : [domain];
  const tls = r.bool('APPNET_MANAGEMENT_TLS', true);
  let caFile = r.string('RELAY_TRUSTED_CA_FILE');
  if (caFile !== undefined && !facts.fileExists(caFile)) r.problem('RELAY_TRUSTED_CA_FILE', caFile, 'the path of an existing PEM file of CA certificates');
  if (caFile === undefined && facts.fileExists(DEFAULT_SYSTEM_CA)) caFile = DEFAULT_SYSTEM_CA;

  const upstream: UpstreamConfig = {
    domain,
    port,
    connectHosts,
    tls,
    caFile: tls ? caFile : undefined,
    ecdhCurve: ecdhCurveFor(region),
    connectTimeoutMs: r.durationMs('RELAY_CONNECT_TIMEOUT', 5000, { maxMs: 300_000 }),
    keepaliveIntervalMs: r.durationMs('RELAY_KEEPALIVE_INTERVAL', 10_000, { allowZero: true }),
    keepaliveTimeoutMs: r.durationMs('RELAY_KEEPALIVE_TIMEOUT', 5000),
    maxConnectionDurationMs: r.durationMs('RELAY_MAX_CONNECTION_DURATION', 2_400_000, { allowZero: true }),
  };

  const config: RelayConfig = {
    listenerPath,
    region,
    signingName: readSigningName(r, 'appmesh'),
    upstream,
    streamIdleTimeoutMs: r.durationMs('RELAY_STREAM_IDLE_TIMEOUT', 2_400_000, { allowZero: true }),
    bufferLimitBytes: r.int('RELAY_BUFFER_LIMIT_BYTES', 10_485_760, { min: 16_384, max: MAX_WINDOW }),
    maxNewStreamsPerSecond: r.number('RELAY_MAX_NEW_STREAMS_PER_SECOND', 100, { exclusiveMin: 0, max: 1_000_000 }),
    drainTimeoutMs: r.durationMs('RELAY_DRAIN_TIMEOUT', 20_000, { allowZero: true, maxMs: 3_600_000 }),
    admin: readAdminListen(r),
    logLevel: r.oneOf('APPNET_LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  r.finish();
  return config;
}
