import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import { ConfigError, EnvReader, type Env } from '../common/env';
import { type Problem, valueProblem } from '../common/problem';
import { LOG_LEVELS, type LogLevel } from '../common/logger';
import { DEFAULT_QUOTAS, QUOTA_NAMES, parseQuotas, type Quotas } from './appmesh/api/quotas';
import { type SettingDoc, choice, custom, duration, int, text } from '../common/settings';
import { settingsHelp } from '../common/settings-render';
import { formatForPath } from './resource-document';
import { readEtcdConfig, type EtcdStoreConfig } from './store-config';

export const DEFAULT_ACCOUNT_ID = '123456789012';
export const DEFAULT_API_RATE = { rate: 100, burst: 200 } as const;

/**
 * Every setting once, with its flag and its variable: parsing, `--help` and the README's
 * appnet-mgmt table come from here (common/settings.ts).
 */
const M = {
  resources: text({
    env: 'APPNET_MGMT_RESOURCES',
    flag: '--resources',
    arg: '<file>',
    form: '`.json`, `.yaml` or `.yml` file',
    help: 'Envoy resources; re-read on change (a bad edit keeps the last good set); the model wins per resource',
  }),
  appmesh: text({
    env: 'APPNET_MGMT_APPMESH',
    flag: '--appmesh',
    arg: '<file>',
    form: '`.json`, `.yaml` or `.yml` file',
    help: 'seed App Mesh model (`create-*` bodies; `${VAR:-default}` substituted), applied when the store is empty (first start)',
  }),
  dataDir: text({
    env: 'APPNET_MGMT_DATA_DIR',
    flag: '--data-dir',
    arg: '<dir>',
    shown: 'memory',
    form: 'directory',
    help: 'keep the App Mesh model here (`appmesh-state.json`; every change stored before it is acknowledged; one server per directory)',
  }),
  store: text({
    env: 'APPNET_MGMT_STORE',
    flag: '--store',
    arg: '<url>',
    form: '`etcd://host:port[,host:port...]/prefix`, `etcds://` for TLS',
    help: 'keep the App Mesh model in etcd, shared by replicas; instead of `--data-dir`',
  }),
  etcdCa: text({ env: 'APPNET_MGMT_ETCD_CA_FILE', flag: '--etcd-ca-file', arg: '<file>', form: 'PEM file', help: 'TLS to etcd (`etcds://`): the CA bundle of its servers' }),
  etcdCert: text({
    env: 'APPNET_MGMT_ETCD_CERT_FILE',
    flag: '--etcd-cert-file',
    arg: '<file>',
    form: 'PEM file',
    help: 'TLS to etcd: a client certificate, when etcd asks for one (with `--etcd-key-file`)',
  }),
  etcdKey: text({ env: 'APPNET_MGMT_ETCD_KEY_FILE', flag: '--etcd-key-file', arg: '<file>', form: 'PEM file', help: "the client certificate's private key" }),
  etcdUsername: text({ env: 'APPNET_MGMT_ETCD_USERNAME', flag: '--etcd-username', arg: '<name>', help: 'etcd authentication: the user (with `--etcd-password-file`)' }),
  etcdPasswordFile: text({
    env: 'APPNET_MGMT_ETCD_PASSWORD_FILE',
    flag: '--etcd-password-file',
    arg: '<file>',
    form: 'file',
    help: "a file holding the etcd user's password (never given on the command line)",
  }),
  accountId: custom<string>({
    env: 'APPNET_MGMT_ACCOUNT_ID',
    flag: '--account-id',
    arg: '<12 digits>',
    default: DEFAULT_ACCOUNT_ID,
    form: '12 digits',
    help: 'the account in ARNs, `meshOwner`, `resourceOwner`',
    read: (r, name, fallback) => {
      const id = r.string(name, fallback);
      if (!/^\d{12}$/.test(id)) r.problem(name, id, 'a 12-digit AWS account id');
      return id;
    },
  }),
  quotas: custom({
    env: 'APPNET_MGMT_QUOTAS',
    flag: '--quotas',
    arg: '<name=n,...>',
    shown: "App Mesh's",
    form: '`name=n,...`',
    help: `API limits over App Mesh's defaults: ${QUOTA_NAMES.map((q) => `\`${q}\``).join(', ')}`,
  }),
  apiRateLimit: custom({
    env: 'APPNET_MGMT_API_RATE_LIMIT',
    flag: '--api-rate-limit',
    arg: '<rate>[/<burst>]',
    shown: `\`${DEFAULT_API_RATE.rate}/${DEFAULT_API_RATE.burst}\``,
    form: '`rate[/burst]` (burst: twice the rate)',
    help: 'App Mesh API requests per second before `TooManyRequestsException` (`0` = no limit)',
  }),
  consoleTokenFile: text({
    env: 'APPNET_MGMT_CONSOLE_TOKEN_FILE',
    flag: '--console-token-file',
    arg: '<file>',
    form: 'file (a token of 16+ characters)',
    help: "the web console's token: needed for `/ui` when SigV4 is on; the API accepts it as `Authorization: Bearer`",
  }),
  host: text({ env: 'APPNET_MGMT_HOST', flag: '--host', arg: '<addr>', default: '127.0.0.1', form: 'IP or host', help: 'listen address (gRPC and HTTP)' }),
  port: int({ env: 'APPNET_MGMT_PORT', flag: '--port', arg: '<n>', default: 18000, min: 0, max: 65535, help: 'gRPC (xDS) port (`0` = any; the actual port is logged)' }),
  adminPort: int({
    env: 'APPNET_MGMT_ADMIN_PORT',
    flag: '--admin-port',
    arg: '<n>',
    default: 0,
    min: 0,
    max: 65535,
    shown: 'off',
    help: 'HTTP port of the App Mesh API (`/v20190125/...`) and the admin pages (`/healthz`, `/streams`, `/resources`, `/rejections`, `/nacks`, `/cloud-map`, `/metrics`); `0` = any (logged)',
  }),
  tlsCert: text({ env: 'APPNET_MGMT_TLS_CERT', flag: '--tls-cert', arg: '<file>', shown: 'h2c', form: 'PEM file', help: 'TLS server certificate for xDS (with `--tls-key`)' }),
  tlsKey: text({ env: 'APPNET_MGMT_TLS_KEY', flag: '--tls-key', arg: '<file>', form: 'PEM file', help: 'the private key of the certificate' }),
  region: text({
    env: 'APPNET_MGMT_SIGV4_REGION',
    flag: '--sigv4-region',
    arg: '<region>',
    shown: 'off',
    form: 'a region name (`us-west-2`)',
    help: 'require SigV4 for this region on every xDS stream and API request (with `--sigv4-credentials`); also the region of ARNs (else `us-east-1`)',
  }),
  service: text({
    env: 'APPNET_MGMT_SIGV4_SERVICE',
    flag: '--sigv4-service',
    arg: '<name>',
    default: 'appmesh',
    help: 'SigV4 service of the xDS streams (the API is always `appmesh`)',
  }),
  credentials: text({
    env: 'APPNET_MGMT_SIGV4_CREDENTIALS',
    flag: '--sigv4-credentials',
    arg: '<file>',
    form: 'JSON file `{"credentials":[{"accessKeyId","secretAccessKey","sessionToken"?}]}`',
    help: 'the credentials a request may be signed with',
  }),
  maxStreamAge: duration({
    env: 'APPNET_MGMT_MAX_STREAM_AGE',
    flag: '--max-stream-age',
    arg: '<duration>',
    defaultMs: 0,
    allowZero: true,
    shown: 'never',
    help: "end streams with `UNAVAILABLE` at this age (App Mesh resets them at ~30 minutes)",
  }),
  cloudMapRegion: text({
    env: 'APPNET_MGMT_CLOUD_MAP_REGION',
    flag: '--cloud-map-region',
    arg: '<region>',
    shown: 'off',
    form: 'a region name (`us-west-2`)',
    help: "look up the instances of Cloud Map virtual nodes (`awsCloudMap`, with its `attributes`) in this region's AWS Cloud Map (`DiscoverInstances`; credentials from the AWS default chain)",
  }),
  cloudMapEndpoint: text({
    env: 'APPNET_MGMT_CLOUD_MAP_ENDPOINT',
    flag: '--cloud-map-endpoint',
    arg: '<url>',
    shown: "the region's",
    form: '`https://...` or `http://...` URL',
    help: 'another AWS Cloud Map endpoint (a VPC endpoint, a proxy); with `--cloud-map-region`',
  }),
  cloudMapRefresh: duration({
    env: 'APPNET_MGMT_CLOUD_MAP_REFRESH',
    flag: '--cloud-map-refresh',
    arg: '<duration>',
    defaultMs: 10_000,
    help: "how often each Cloud Map service's revision is checked (its instances are fetched again only when it moved)",
  }),
  logLevel: choice({ env: 'APPNET_MGMT_LOG_LEVEL', flag: '--log-level', arg: '<level>', choices: LOG_LEVELS, default: 'info', help: 'log level (JSON lines on stdout)' }),
} as const;

type Key = keyof typeof M;

/** One setting: its flag, its environment variable, and what it means. */
export interface MgmtSetting extends SettingDoc {
  key: Key;
  flag: string;
  arg: string;
}

export const SETTINGS: readonly MgmtSetting[] = (Object.keys(M) as Key[]).map((key) => ({ ...M[key], key, flag: M[key].flag ?? '', arg: M[key].arg ?? '' }));

export const USAGE = [
  'Usage: appnet-mgmt [--data-dir <dir> | --store etcd://...] [--appmesh <seed file>] [--resources <file>] [options]',
  '',
  'An App Mesh control plane: the App Mesh API (as the AWS CLI and SDKs call it) on --admin-port,',
  'and xDS (ADS, SotW and Delta) for Envoy sidecars, virtual gateways and proxyless gRPC clients.',
  'With --resources, a node also gets that file\'s resources (the App Mesh model\'s win on a clash).',
  'Every option can also be set by its environment variable; a flag wins over the variable.',
  '',
  settingsHelp(SETTINGS, { flagColumn: true }).trimEnd(),
  '',
  '  --help, -h',
  '      print this help',
  '',
  'When listening it logs one JSON line with "msg":"listening", "port" and "adminPort".',
  'SIGTERM or SIGINT: graceful shutdown, exit 0. Bad configuration: every problem listed, exit 1.',
].join('\n');

export interface MgmtCliConfig {
  resources: string | undefined;
  appmesh: string | undefined;
  dataDir: string | undefined;
  /** --store etcd://...: the model in etcd (replicas); undefined: --data-dir or memory. */
  etcd: EtcdStoreConfig | undefined;
  accountId: string;
  /** The region of ARNs: --sigv4-region, else us-east-1. */
  arnRegion: string;
  quotas: Quotas;
  /** undefined: no limit. */
  apiRateLimit: { rate: number; burst: number } | undefined;
  /** The web console's token (read from --console-token-file). */
  consoleToken: string | undefined;
  host: string;
  port: number;
  adminPort: number | undefined;
  tls: { certPem: string; keyPem: string } | undefined;
  sigv4: { region: string; service: string; credentials: Array<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }> } | undefined;
  maxStreamAgeMs: number;
  /** --cloud-map-region: Cloud Map virtual nodes' instances looked up in AWS Cloud Map. */
  cloudMap: { region: string; endpoint: string | undefined; refreshMs: number } | undefined;
  logLevel: LogLevel;
}

/** `--help`, or the config (its defaults where a setting is bad, so the log level is known) with every problem found (none: it is good to run). */
export type CliParse = { kind: 'help' } | { kind: 'run'; config: MgmtCliConfig; problems: readonly Problem[] };

type ReadFile = (file: string) => string;

/** "100/200" (rate/burst), "100" (burst = 2 x rate), "0" (no limit). */
function parseRate(r: EnvReader, name: string, text: string | undefined): MgmtCliConfig['apiRateLimit'] {
  if (text === undefined) return { ...DEFAULT_API_RATE };
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(text.trim());
  const rate = m ? Number(m[1]) : NaN;
  const burst = m?.[2] !== undefined ? Number(m[2]) : Math.max(1, Math.ceil(rate * 2));
  if (!m || !Number.isFinite(rate) || (rate > 0 && burst < 1)) {
    r.problem(name, text, 'requests per second, optionally /burst (e.g. 100/200); 0 = no limit');
    return { ...DEFAULT_API_RATE };
  }
  return rate === 0 ? undefined : { rate, burst };
}

function readChecked(r: EnvReader, name: string, file: string, read: ReadFile): string | undefined {
  try {
    return read(file);
  } catch (e) {
    r.problem(name, file, `a readable file (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    return undefined;
  }
}

function parseCredentials(r: EnvReader, name: string, file: string, text: string): NonNullable<MgmtCliConfig['sigv4']>['credentials'] {
  const form = 'a JSON file {"credentials":[{"accessKeyId":"…","secretAccessKey":"…","sessionToken":"…" (optional)}]}';
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    r.problem(name, file, `${form}; it is not valid JSON`);
    return [];
  }
  const list = (doc as { credentials?: unknown } | null)?.credentials;
  if (!Array.isArray(list) || list.length === 0) {
    r.problem(name, file, `${form}; "credentials" must be a non-empty list`);
    return [];
  }
  const out: NonNullable<MgmtCliConfig['sigv4']>['credentials'] = [];
  list.forEach((c: unknown, i) => {
    const o = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
    const str = (k: string) => typeof o[k] === 'string' && (o[k] as string) !== '';
    if (!str('accessKeyId') || !str('secretAccessKey') || (o['sessionToken'] !== undefined && !str('sessionToken'))) {
      r.problem(name, file, `${form}; credentials[${i}] needs non-empty string accessKeyId and secretAccessKey (sessionToken optional)`);
      return;
    }
    out.push({
      accessKeyId: o['accessKeyId'] as string,
      secretAccessKey: o['secretAccessKey'] as string,
      ...(o['sessionToken'] !== undefined ? { sessionToken: o['sessionToken'] as string } : {}),
    });
  });
  return out;
}

function readCloudMap(r: EnvReader, n: (key: Key) => string, str: (key: Key) => string | undefined): MgmtCliConfig['cloudMap'] {
  const region = str('cloudMapRegion');
  const endpoint = str('cloudMapEndpoint');
  const refreshMs = M.cloudMapRefresh.read(r, { name: n('cloudMapRefresh') });
  if (region !== undefined && !/^[a-z0-9-]+$/.test(region)) r.problem(n('cloudMapRegion'), region, 'an AWS region such as us-west-2');
  if (endpoint !== undefined) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(endpoint).protocol);
    } catch {
      ok = false;
    }
    if (!ok) r.problem(n('cloudMapEndpoint'), endpoint, 'an http:// or https:// URL');
    if (region === undefined) r.problem(n('cloudMapEndpoint'), endpoint, `to come with ${n('cloudMapRegion')}`);
  }
  if (str('cloudMapRefresh') !== undefined && region === undefined) r.problem(n('cloudMapRefresh'), str('cloudMapRefresh')!, `to come with ${n('cloudMapRegion')}`);
  return region === undefined ? undefined : { region, endpoint, refreshMs };
}

/** Flags and environment to a config; every problem is collected into one ConfigError. */
export function parseMgmtArgs(argv: readonly string[], env: Env, read: ReadFile = (f) => fs.readFileSync(f, 'utf8')): CliParse {
  const values: Record<string, string> = {};
  const nameOf = new Map<Key, string>();
  const early: Problem[] = [];
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined && v.trim() !== '') {
      nameOf.set(s.key, s.env);
      values[s.env] = v;
    }
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (!arg.startsWith('--')) {
      early.push(valueProblem(arg, arg, 'no positional arguments (every option is a --flag; see --help)'));
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const setting = SETTINGS.find((s) => s.flag === flag);
    if (!setting) {
      early.push(valueProblem(flag, '', 'a known flag (see --help)'));
      if (eq < 0 && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) i++;
      continue;
    }
    let value: string | undefined = eq < 0 ? argv[i + 1] : arg.slice(eq + 1);
    if (eq < 0) {
      if (value === undefined || value.startsWith('--')) value = undefined;
      else i++;
    }
    if (value === undefined || value.trim() === '') {
      early.push(valueProblem(flag, '', `a value: ${setting.flag} ${setting.arg}`));
      continue;
    }
    const prev = nameOf.get(setting.key);
    if (prev && prev !== flag) delete values[prev];
    nameOf.set(setting.key, flag);
    values[flag] = value;
  }

  const r = new EnvReader(values);
  for (const p of early) r.add(p);
  const n = (key: Key) => nameOf.get(key) ?? SETTINGS.find((s) => s.key === key)!.flag;
  const str = (key: Key) => r.string(n(key));

  const resources = str('resources');
  const appmesh = str('appmesh');
  const dataDir = str('dataDir');
  const etcd = readEtcdConfig(r, { store: n('store'), ca: n('etcdCa'), cert: n('etcdCert'), key: n('etcdKey'), username: n('etcdUsername'), passwordFile: n('etcdPasswordFile') }, read);
  if (dataDir !== undefined && str('store') !== undefined) r.problem(n('dataDir'), dataDir, `not to come with ${n('store')} (one store: a data directory or etcd)`);
  const accountId = M.accountId.read(r, { name: n('accountId') });
  let quotas: Quotas = { ...DEFAULT_QUOTAS };
  const quotaText = str('quotas');
  if (quotaText !== undefined) {
    const q = parseQuotas(quotaText);
    if (q.ok) quotas = q.value;
    else r.addAt(n('quotas'), quotaText, q.problems);
  }
  const apiRateLimit = parseRate(r, n('apiRateLimit'), str('apiRateLimit'));
  const tokenFile = str('consoleTokenFile');
  const consoleToken = tokenFile === undefined ? undefined : readChecked(r, n('consoleTokenFile'), tokenFile, read)?.trim();
  if (consoleToken !== undefined && consoleToken.length < 16) r.problem(n('consoleTokenFile'), tokenFile!, 'a file holding a token of at least 16 characters');
  for (const key of ['resources', 'appmesh'] as const) {
    const file = key === 'resources' ? resources : appmesh;
    if (file === undefined) continue;
    if (!formatForPath(file)) r.problem(n(key), file, 'a file name ending in .json, .yaml or .yml');
    else readChecked(r, n(key), file, read);
  }

  const host = M.host.read(r, { name: n('host') });
  const port = M.port.read(r, { name: n('port') });
  const adminPort = str('adminPort') === undefined ? undefined : M.adminPort.read(r, { name: n('adminPort') });

  let tls: MgmtCliConfig['tls'];
  const certFile = str('tlsCert');
  const keyFile = str('tlsKey');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const [given, missing] = certFile === undefined ? ['tlsKey', 'tlsCert'] : ['tlsCert', 'tlsKey'];
    r.problem(n(given as Key), str(given as Key)!, `to come with ${n(missing as Key)}`);
  } else if (certFile !== undefined && keyFile !== undefined) {
    const certPem = readChecked(r, n('tlsCert'), certFile, read);
    const keyPem = readChecked(r, n('tlsKey'), keyFile, read);
    if (certPem !== undefined) {
      try {
        new X509Certificate(certPem);
      } catch {
        r.problem(n('tlsCert'), certFile, 'a PEM certificate');
      }
    }
    if (keyPem !== undefined) {
      try {
        createPrivateKey(keyPem);
      } catch {
        r.problem(n('tlsKey'), keyFile, 'a PEM private key');
      }
    }
    if (certPem !== undefined && keyPem !== undefined) tls = { certPem, keyPem };
  }

  let sigv4: MgmtCliConfig['sigv4'];
  const region = str('region');
  const credFile = str('credentials');
  const service = M.service.read(r, { name: n('service') });
  if (region !== undefined && !/^[a-z0-9-]+$/.test(region)) r.problem(n('region'), region, 'an AWS region such as us-west-2');
  if (region === undefined && credFile !== undefined) r.problem(n('credentials'), credFile, `to come with ${n('region')}`);
  if (region !== undefined && credFile === undefined) r.problem(n('region'), region, `to come with ${n('credentials')} <file>`);
  if (str('service') !== undefined && region === undefined) r.problem(n('service'), service, `to come with ${n('region')}`);
  if (credFile !== undefined) {
    const text = readChecked(r, n('credentials'), credFile, read);
    const credentials = text === undefined ? [] : parseCredentials(r, n('credentials'), credFile, text);
    if (region !== undefined && credentials.length > 0) sigv4 = { region, service, credentials };
  }

  const maxStreamAgeMs = M.maxStreamAge.read(r, { name: n('maxStreamAge') });
  const cloudMap = readCloudMap(r, n, str);
  const logLevel = M.logLevel.read(r, { name: n('logLevel') });
  const arnRegion = region !== undefined && /^[a-z0-9-]+$/.test(region) ? region : 'us-east-1';
  const config: MgmtCliConfig = { resources, appmesh, dataDir, etcd, accountId, arnRegion, quotas, apiRateLimit, consoleToken, host, port, adminPort, tls, sigv4, maxStreamAgeMs, cloudMap, logLevel };
  try {
    r.finish();
    return { kind: 'run', config, problems: [] };
  } catch (e) {
    if (e instanceof ConfigError) return { kind: 'run', config, problems: e.problems };
    throw e;
  }
}
