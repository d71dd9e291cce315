import { type Env, EnvReader } from '../common/env';
import { LOG_LEVELS, type LogLevel } from '../common/logger';
import { type SettingDoc, bool, choice, custom, decimal, duration, int, port, socketPath } from '../common/settings';
import { settingsHelp } from '../common/settings-render';
import { ADMIN_SETTINGS, type AdminListen, readAdminListen } from '../admin/config';
import { signingNameSetting } from '../sigv4/signing-name';
import { HOSTNAME_RE, REGION_RE, defaultManagementDomain, ecdhCurveFor, parseEndpoint } from './management-domain';
import { parseHostList } from './upstream-addresses';
import type { MarkingMode } from '../common/contracts/relay-status';
import { DEFAULT_HEAP_GROWING_PERCENT, DEFAULT_INCREMENTAL_MARKING, HEAP_GROWING_PERCENT_ENV, INCREMENTAL_MARKING_ENV, MARKING_MODES } from './v8-flags';

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
  /** RELAY_UPSTREAM_CONNECTIONS: connections kept for new streams (the pool's size). */
  connections: number;
  /** RELAY_UPSTREAM_MAX_CONNECTIONS: the hard maximum, growth for the server's stream limit included. */
  maxConnections: number;
}

export interface RelayConfig {
  listenerPath: string;
  region: string;
  signingName: string;
  upstream: UpstreamConfig;
  /** 0 = no idle timeout. */
  streamIdleTimeoutMs: number;
  bufferLimitBytes: number;
  /** What the relay may hold of its upstream connections' data (each connection its share) before it lowers a connection's stream windows; 0 = no cap. */
  upstreamBufferLimitBytes: number;
  maxNewStreamsPerSecond: number;
  drainTimeoutMs: number;
  /** Applied before the configuration is read (v8-tuning.ts, from the environment); read here to be checked. */
  v8HeapGrowingPercent: number;
  v8IncrementalMarking: MarkingMode;
  /** 0: off. */
  memoryTrimAfterQuietMs: number;
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

/**
 * The relay's variables, each declared once: loadRelayConfig reads them, `appnet-relay
 * --help` and the README's "Relay configuration" table are rendered from them.
 */
export const RELAY_SETTINGS = {
  listenerPath: socketPath({
    env: 'APPNET_RELAY_LISTENER_UDS_PATH',
    default: '/tmp/relay_xds.sock',
    help:
      'the socket Envoys connect to; mode 0600 from the moment it exists. Its directory must exist and is never created, deleted or re-created (bind mounts stay valid). ' +
      'A stale socket file is replaced; a live one (another relay) or a non-socket file is an error. If the socket file disappears while the relay runs (its directory removed), ' +
      'open streams go on, `/status` says so (`UNHEALTHY`, `listener.socket: MISSING`) and the socket is bound again within a second of its directory existing again; ' +
      'a path another file took over is left alone (`REPLACED`, and not unlinked on exit).',
  }),
  region: custom({
    env: 'AWS_REGION',
    or: ['AWS_DEFAULT_REGION'],
    default: '',
    shown: '*(required)*',
    form: 'a region name (`us-west-2`)',
    help: 'region for SigV4 and the default endpoint',
    // A problem is named AWS_REGION whichever of the two was set (as before the table).
    read: (r) => {
      const region = r.string('AWS_REGION') ?? r.string('AWS_DEFAULT_REGION') ?? '';
      if (region === '') r.problem('AWS_REGION', '', 'a region name such as us-west-2 (needed for SigV4 and the endpoint)');
      else if (!REGION_RE.test(region)) r.problem('AWS_REGION', region, 'a region name such as us-west-2');
      return region;
    },
  }),
  domain: custom({
    env: 'APPNET_MANAGEMENT_DOMAIN_NAME',
    shown: '`ecs-sc.<region>.api.aws`',
    form: 'DNS name',
    help:
      'the management domain: TLS SNI and certificate name, `:authority`, SigV4 `host`. `.api.amazonwebservices.com.cn` in `cn-` regions; ' +
      '`ecs-sc-fips.` when Node runs in FIPS mode or in `us-gov-*`/`us-iso*` regions. **Honored when set** (the reference ignores it).',
  }),
  endpoint: custom({
    env: 'APPMESH_XDS_ENDPOINT',
    form: 'host, optionally `https://` before and `:port` after',
    help: 'used as the domain when `APPNET_MANAGEMENT_DOMAIN_NAME` is unset (as the reference relay does); `https://` is stripped and a `:port` is taken as the port',
  }),
  managementPort: port({ env: 'APPNET_MANAGEMENT_PORT', default: 443, shown: '`443`, or the port of `APPMESH_XDS_ENDPOINT`', help: 'management server port' }),
  address: custom<string[] | undefined>({
    env: 'APPNET_MANAGEMENT_ADDRESS',
    default: undefined,
    shown: 'the domain',
    form: 'host names or IPs, comma-separated',
    help:
      'host(s) or IP(s) to dial instead of the domain (`10.0.0.5,10.0.0.6`: appnet-mgmt replicas); a name is resolved to all its addresses at each attempt. ' +
      'An attempt tries each address in turn, starting after the one that failed, whose connection was lost or that took the last connection (the pool spreads over replicas); the backoff applies only when none answers. ' +
      'SNI, `:authority` and signing still use the domain; `/status` shows the address in use',
    read: (r, name) => {
      const text = r.string(name);
      if (text === undefined) return undefined;
      const list = parseHostList(text);
      if (list.ok) return list.value;
      r.addAt(name, text, list.problems);
      return undefined;
    },
  }),
  tls: bool({ env: 'APPNET_MANAGEMENT_TLS', default: true, help: '`false` speaks plaintext h2c upstream (local mesh only)' }),
  caFile: custom({
    env: 'RELAY_TRUSTED_CA_FILE',
    shown: `\`${DEFAULT_SYSTEM_CA}\` if present, else Node's CAs`,
    form: 'path of an existing PEM file',
    help: 'PEM bundle of trusted CAs (re-read at each connection)',
  }),
  signingName: signingNameSetting({ default: 'appmesh', help: 'SigV4 service name (anything else would make every signature wrong, so it is an error)' }),
  streamIdleTimeout: duration({ env: 'RELAY_STREAM_IDLE_TIMEOUT', defaultMs: 2_400_000, allowZero: true, help: 'a stream with no data either way for this long is ended' }),
  bufferLimit: int({
    env: 'RELAY_BUFFER_LIMIT_BYTES',
    default: 10_485_760,
    min: 16_384,
    max: MAX_WINDOW,
    help:
      'buffering bound, enforced with HTTP/2 flow control: the stream window the relay advertises on both legs. ' +
      'A client or server that stops reading makes the relay stop reading the other side; nothing is dropped.',
  }),
  upstreamBufferLimit: int({
    env: 'RELAY_UPSTREAM_BUFFER_LIMIT_BYTES',
    default: 67_108_864,
    min: 0,
    max: MAX_WINDOW,
    help:
      'bound on what the relay holds of its upstream connections\' data, over all their streams (a management server pushing to every stream at once, to clients that read slowly); ' +
      'each connection is bounded by its share, this divided by `RELAY_UPSTREAM_CONNECTIONS`. ' +
      'Beyond its share the relay lowers the stream window of every stream of that connection to 64 KiB (HTTP/2 SETTINGS) until they hold half of it: ' +
      'streams whose clients read keep moving, at a 64 KiB window, and nothing is dropped. `0` disables the bound (each stream is still bounded by `RELAY_BUFFER_LIMIT_BYTES`)',
  }),
  maxNewStreamsPerSecond: decimal({
    env: 'RELAY_MAX_NEW_STREAMS_PER_SECOND',
    default: 100,
    exclusiveMin: 0,
    max: 1_000_000,
    help: 'rate of new upstream streams (burst: twice that); a thousand Envoys reconnecting at once are admitted over ~10 s instead of all at once',
  }),
  maxConnectionDuration: duration({
    env: 'RELAY_MAX_CONNECTION_DURATION',
    defaultMs: 2_400_000,
    allowZero: true,
    help: 'each upstream connection is recycled after this long, minus up to 10 % random jitter drawn per connection: new streams go to the other connections (or a new one), the old one drains',
  }),
  upstreamConnections: int({
    env: 'RELAY_UPSTREAM_CONNECTIONS',
    default: 1,
    min: 1,
    max: 64,
    help:
      'HTTP/2 connections to the management server the relay spreads new streams over: the pool grows to this many as streams come ' +
      '(one connection at start; a new stream goes to the connection with the fewest streams). Each has its own keepalive, recycling and ' +
      'its share of `RELAY_UPSTREAM_BUFFER_LIMIT_BYTES`. Default `1` (every stream on one connection, as before; more was not faster in the fan-out benchmark on 2 cores: docs/relay-scale.md). Growth for the server\'s stream limit happens whatever the value',
  }),
  upstreamMaxConnections: int({
    env: 'RELAY_UPSTREAM_MAX_CONNECTIONS',
    default: 128,
    min: 1,
    max: 1024,
    help:
      "hard maximum of upstream connections (draining ones not counted): when every connection carries the server's `SETTINGS_MAX_CONCURRENT_STREAMS`, " +
      'another is opened beyond `RELAY_UPSTREAM_CONNECTIONS`, up to this many; past it a new stream is refused at once with `UNAVAILABLE` naming the limit',
  }),
  keepaliveInterval: duration({
    env: 'RELAY_KEEPALIVE_INTERVAL',
    defaultMs: 10_000,
    allowZero: true,
    help: 'HTTP/2 PING upstream and to every client connection, this often',
  }),
  keepaliveTimeout: duration({
    env: 'RELAY_KEEPALIVE_TIMEOUT',
    defaultMs: 5000,
    help: 'no answer to a PING in time = the connection is dead (upstream: reconnect; client: closed)',
  }),
  connectTimeout: duration({ env: 'RELAY_CONNECT_TIMEOUT', defaultMs: 5000, maxMs: 300_000, help: 'TCP + TLS + HTTP/2 setup upstream' }),
  drainTimeout: duration({
    env: 'RELAY_DRAIN_TIMEOUT',
    defaultMs: 20_000,
    allowZero: true,
    maxMs: 3_600_000,
    help: 'on SIGTERM/SIGINT: how long open streams may finish before they are ended with `UNAVAILABLE`',
  }),
  memoryTrimAfterQuiet: duration({
    env: 'RELAY_MEMORY_TRIM_AFTER_QUIET',
    defaultMs: 10_000,
    allowZero: true,
    maxMs: 3_600_000,
    help:
      'once no stream has opened and no byte moved for this long after some did, one memory-reducing full GC gives back ' +
      "what V8's young generation grew to during the burst (RSS with 10,000 idle streams 206 → 178 MiB, with 1,000 91 → 76 MiB); " +
      'its pause and effect show in `/status` `memoryTrim`. Below 5 s it gives back less: V8 shrinks only once its allocation rate over the last 5 s is low',
  }),
  v8HeapGrowingPercent: int({
    env: HEAP_GROWING_PERCENT_ENV,
    default: DEFAULT_HEAP_GROWING_PERCENT,
    min: 0,
    max: 1000,
    help:
      "V8's `--heap-growing-percent`: after a full GC the old generation may grow by this much before the next. " +
      'Bounds the RSS spike when thousands of streams a second are refused after an upstream restart (10,000 streams: peaks of 422–490 MiB became 284–301 MiB); `0` leaves V8 its own factor (up to 4×)',
  }),
  v8IncrementalMarking: choice({
    env: INCREMENTAL_MARKING_ENV,
    choices: MARKING_MODES,
    default: DEFAULT_INCREMENTAL_MARKING,
    help:
      "V8's incremental marking. `auto`: off while V8's old generation holds under 32 MiB, on above 48 MiB. On a heap as small as a relay with few streams has, " +
      'it started a full GC every ~80 ms while bulk went through (25–40 % more CPU per GiB relayed); off, a full GC runs only at the heap limit, in one pause, ' +
      'which at 10,000 streams (a heap of 50–90 MiB) was up to 192 ms instead of 125 ms. `/status` `incrementalMarking` shows the state',
  }),
  ...ADMIN_SETTINGS,
  logLevel: choice({
    env: 'APPNET_LOG_LEVEL',
    choices: LOG_LEVELS,
    default: 'info',
    help: "the relay's log level; JSON lines on stdout, secrets redacted",
  }),
} as const;

/** The relay's table, in the README's order. */
export const RELAY_SETTINGS_TABLE: readonly SettingDoc[] = Object.values(RELAY_SETTINGS);

/** `appnet-relay --help`. */
export function relayHelp(): string {
  return [
    'Usage: appnet-relay [--help]',
    '',
    'The xDS relay: accepts the xDS streams of every Envoy (and proxyless gRPC client) on the host over a',
    'Unix socket, signs each with SigV4 and forwards it over HTTP/2 + TLS to the management server.',
    'Configured by environment variables only; every bad value is reported at once and the relay exits 1.',
    "Durations take Envoy's form (300s, 1.5s, 250ms; also 5m, 1h). Credentials come from the AWS SDK's chain",
    '(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, container credentials, instance metadata,',
    'profiles, web identity).',
    '',
    settingsHelp(RELAY_SETTINGS_TABLE).trimEnd(),
    '',
    'SIGTERM or SIGINT: stop accepting, GOAWAY to every client, let streams finish for up to RELAY_DRAIN_TIMEOUT,',
    'end the rest with UNAVAILABLE, exit 0. A second signal skips the rest of the drain.',
    '',
  ].join('\n');
}

/** Environment -> relay configuration; throws one ConfigError naming every bad variable. */
export function loadRelayConfig(env: Env, facts: RelayFacts): RelayConfig {
  const S = RELAY_SETTINGS;
  const r = new EnvReader(env);
  const listenerPath = S.listenerPath.read(r);
  const region = S.region.read(r);

  // Domain: APPNET_MANAGEMENT_DOMAIN_NAME, else APPMESH_XDS_ENDPOINT (as the reference relay does), else derived.
  let domain = S.domain.read(r);
  let endpointPort: number | undefined;
  if (domain !== undefined && !HOSTNAME_RE.test(domain)) r.problem(S.domain.env, domain, 'a DNS name such as ecs-sc.us-west-2.api.aws');
  const endpoint = S.endpoint.read(r);
  if (domain === undefined && endpoint !== undefined) {
    const parsed = parseEndpoint(endpoint);
    if (!parsed || !HOSTNAME_RE.test(parsed.host)) r.problem(S.endpoint.env, endpoint, 'a host name with an optional port, e.g. ecs-sc.us-west-2.api.aws or https://host:443');
    else {
      domain = parsed.host;
      endpointPort = parsed.port;
    }
  }
  domain ??= REGION_RE.test(region) ? defaultManagementDomain(region, facts.fipsEnabled) : '';

  const port = S.managementPort.read(r, { fallback: endpointPort });
  const connectHosts = S.address.read(r) ?? [domain];
  const tls = S.tls.read(r);
  let caFile = S.caFile.read(r);
  if (caFile !== undefined && !facts.fileExists(caFile)) r.problem(S.caFile.env, caFile, 'the path of an existing PEM file of CA certificates');
  if (caFile === undefined && facts.fileExists(DEFAULT_SYSTEM_CA)) caFile = DEFAULT_SYSTEM_CA;

  const upstream: UpstreamConfig = {
    domain,
    port,
    connectHosts,
    tls,
    caFile: tls ? caFile : undefined,
    ecdhCurve: ecdhCurveFor(region),
    connectTimeoutMs: S.connectTimeout.read(r),
    keepaliveIntervalMs: S.keepaliveInterval.read(r),
    keepaliveTimeoutMs: S.keepaliveTimeout.read(r),
    maxConnectionDurationMs: S.maxConnectionDuration.read(r),
    connections: S.upstreamConnections.read(r),
    maxConnections: S.upstreamMaxConnections.read(r),
  };
  if (upstream.maxConnections < upstream.connections) {
    r.problem(S.upstreamMaxConnections.env, String(upstream.maxConnections), `at least RELAY_UPSTREAM_CONNECTIONS (${upstream.connections})`);
  }

  const config: RelayConfig = {
    listenerPath,
    region,
    signingName: S.signingName.read(r),
    upstream,
    streamIdleTimeoutMs: S.streamIdleTimeout.read(r),
    bufferLimitBytes: S.bufferLimit.read(r),
    upstreamBufferLimitBytes: S.upstreamBufferLimit.read(r),
    maxNewStreamsPerSecond: S.maxNewStreamsPerSecond.read(r),
    drainTimeoutMs: S.drainTimeout.read(r),
    v8HeapGrowingPercent: S.v8HeapGrowingPercent.read(r),
    v8IncrementalMarking: S.v8IncrementalMarking.read(r),
    memoryTrimAfterQuietMs: S.memoryTrimAfterQuiet.read(r),
    admin: readAdminListen(r),
    logLevel: S.logLevel.read(r),
  };
  r.finish();
  return config;
}
