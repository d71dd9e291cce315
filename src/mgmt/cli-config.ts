import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import { ConfigError, EnvReader, type Env } from '../common/env';
import { LOG_LEVELS, type LogLevel } from '../common/logger';
import { DEFAULT_QUOTAS, QUOTA_NAMES, parseQuotas, type Quotas } from './appmesh/api/quotas';
import { formatForPath } from './resource-document';
import { STORE_FORM, readEtcdConfig, type EtcdStoreConfig } from './store-config';

export const DEFAULT_ACCOUNT_ID = '123456789012';
export const DEFAULT_API_RATE = { rate: 100, burst: 200 } as const;

/** One setting: its flag, its environment variable, and what it means. */
interface Setting {
  key:
    | 'resources'
    | 'appmesh'
    | 'dataDir'
    | 'store'
    | 'etcdCa'
    | 'etcdCert'
    | 'etcdKey'
    | 'etcdUsername'
    | 'etcdPasswordFile'
    | 'accountId'
    | 'quotas'
    | 'apiRateLimit'
    | 'consoleTokenFile'
    | 'host'
    | 'port'
    | 'adminPort'
    | 'tlsCert'
    | 'tlsKey'
    | 'region'
    | 'service'
    | 'credentials'
    | 'maxStreamAge'
    | 'logLevel';
  flag: string;
  env: string;
  arg: string;
  help: string;
}

export const SETTINGS: readonly Setting[] = [
  { key: 'resources', flag: '--resources', env: 'APPNET_MGMT_RESOURCES', arg: '<file>', help: 'resource file, .json or .yaml/.yml; re-read when it changes' },
  {
    key: 'appmesh',
    flag: '--appmesh',
    env: 'APPNET_MGMT_APPMESH',
    arg: '<file>',
    help: 'seed App Mesh model (create-* bodies), .json or .yaml/.yml; applied when the store is empty (first start)',
  },
  {
    key: 'dataDir',
    flag: '--data-dir',
    env: 'APPNET_MGMT_DATA_DIR',
    arg: '<dir>',
    help: 'keep the App Mesh model in this directory (every change stored before it is acknowledged); in memory without it',
  },
  { key: 'store', flag: '--store', env: 'APPNET_MGMT_STORE', arg: '<url>', help: `keep the App Mesh model in etcd, shared by replicas: ${STORE_FORM}` },
  { key: 'etcdCa', flag: '--etcd-ca-file', env: 'APPNET_MGMT_ETCD_CA_FILE', arg: '<file>', help: 'PEM CA bundle of the etcd servers (etcds://)' },
  { key: 'etcdCert', flag: '--etcd-cert-file', env: 'APPNET_MGMT_ETCD_CERT_FILE', arg: '<file>', help: 'PEM client certificate for etcd (with --etcd-key-file)' },
  { key: 'etcdKey', flag: '--etcd-key-file', env: 'APPNET_MGMT_ETCD_KEY_FILE', arg: '<file>', help: 'PEM private key of the client certificate' },
  { key: 'etcdUsername', flag: '--etcd-username', env: 'APPNET_MGMT_ETCD_USERNAME', arg: '<name>', help: 'etcd user (with --etcd-password-file)' },
  { key: 'etcdPasswordFile', flag: '--etcd-password-file', env: 'APPNET_MGMT_ETCD_PASSWORD_FILE', arg: '<file>', help: "a file holding the etcd user's password" },
  { key: 'accountId', flag: '--account-id', env: 'APPNET_MGMT_ACCOUNT_ID', arg: '<12 digits>', help: `the account in ARNs, meshOwner and resourceOwner (default ${DEFAULT_ACCOUNT_ID})` },
  { key: 'quotas', flag: '--quotas', env: 'APPNET_MGMT_QUOTAS', arg: '<name=n,...>', help: `API limits over App Mesh's defaults, e.g. meshes=30 (${QUOTA_NAMES.join(', ')})` },
  {
    key: 'apiRateLimit',
    flag: '--api-rate-limit',
    env: 'APPNET_MGMT_API_RATE_LIMIT',
    arg: '<rate>[/<burst>]',
    help: `App Mesh API requests per second (and burst) before TooManyRequestsException (default ${DEFAULT_API_RATE.rate}/${DEFAULT_API_RATE.burst}; 0 = no limit)`,
  },
  {
    key: 'consoleTokenFile',
    flag: '--console-token-file',
    env: 'APPNET_MGMT_CONSOLE_TOKEN_FILE',
    arg: '<file>',
    help: 'a file holding the web console\'s token (needed for /ui when SigV4 is on; the API accepts it as Authorization: Bearer)',
  },
  { key: 'host', flag: '--host', env: 'APPNET_MGMT_HOST', arg: '<addr>', help: 'address to listen on (default 127.0.0.1)' },
  { key: 'port', flag: '--port', env: 'APPNET_MGMT_PORT', arg: '<n>', help: 'gRPC port, 0 = any free port (default 18000)' },
  {
    key: 'adminPort',
    flag: '--admin-port',
    env: 'APPNET_MGMT_ADMIN_PORT',
    arg: '<n>',
    help: 'HTTP port of the App Mesh API (/v20190125/...) and the admin pages (/healthz /streams /resources /rejections /nacks); off unless set; 0 = any',
  },
  { key: 'tlsCert', flag: '--tls-cert', env: 'APPNET_MGMT_TLS_CERT', arg: '<file>', help: 'PEM server certificate (with --tls-key); plaintext h2c without' },
  { key: 'tlsKey', flag: '--tls-key', env: 'APPNET_MGMT_TLS_KEY', arg: '<file>', help: 'PEM private key of the certificate' },
  {
    key: 'region',
    flag: '--sigv4-region',
    env: 'APPNET_MGMT_SIGV4_REGION',
    arg: '<region>',
    help: 'require SigV4 on every stream and API request, signed for this region; also the region of ARNs (default us-east-1)',
  },
  { key: 'service', flag: '--sigv4-service', env: 'APPNET_MGMT_SIGV4_SERVICE', arg: '<name>', help: 'SigV4 service name (default appmesh)' },
  {
    key: 'credentials',
    flag: '--sigv4-credentials',
    env: 'APPNET_MGMT_SIGV4_CREDENTIALS',
    arg: '<file>',
    help: 'JSON {"credentials":[{"accessKeyId","secretAccessKey","sessionToken"?}]}',
  },
  { key: 'maxStreamAge', flag: '--max-stream-age', env: 'APPNET_MGMT_MAX_STREAM_AGE', arg: '<duration>', help: 'end every stream with UNAVAILABLE at this age, e.g. 30m (default 0 = never)' },
  { key: 'logLevel', flag: '--log-level', env: 'APPNET_MGMT_LOG_LEVEL', arg: '<level>', help: `one of ${LOG_LEVELS.join(', ')} (default info)` },
];

export const USAGE = [
  'Usage: appnet-mgmt [--data-dir <dir> | --store etcd://...] [--appmesh <seed file>] [--resources <file>] [options]',
  '',
  'An App Mesh control plane: the App Mesh API (as the AWS CLI and SDKs call it) on --admin-port,',
  'and xDS (ADS, SotW and Delta) for Envoy sidecars, virtual gateways and proxyless gRPC clients.',
  'With --resources, a node also gets that file\'s resources (the App Mesh model\'s win on a clash).',
  'Every option can also be set by its environment variable; a flag wins over the variable.',
  '',
  ...SETTINGS.map((s) => `  ${`${s.flag} ${s.arg}`.padEnd(32)} ${s.env.padEnd(31)} ${s.help}`),
  `  ${'--help'.padEnd(32)} ${''.padEnd(31)} print this help`,
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
  logLevel: LogLevel;
}

export type CliParse = { kind: 'help' } | { kind: 'run'; config: MgmtCliConfig; error: ConfigError | undefined };

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

/** Flags and environment to a config; every problem is collected into one ConfigError. */
export function parseMgmtArgs(argv: readonly string[], env: Env, read: ReadFile = (f) => fs.readFileSync(f, 'utf8')): CliParse {
  const values: Record<string, string> = {};
  const nameOf = new Map<Setting['key'], string>();
  const early: Array<[string, string, string]> = [];
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
      early.push([arg, arg, 'no positional arguments (every option is a --flag; see --help)']);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const setting = SETTINGS.find((s) => s.flag === flag);
    if (!setting) {
      early.push([flag, '', 'a known flag (see --help)']);
      if (eq < 0 && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) i++;
      continue;
    }
    let value: string | undefined = eq < 0 ? argv[i + 1] : arg.slice(eq + 1);
    if (eq < 0) {
      if (value === undefined || value.startsWith('--')) value = undefined;
      else i++;
    }
    if (value === undefined || value.trim() === '') {
      early.push([flag, '', `a value: ${setting.flag} ${setting.arg}`]);
      continue;
    }
    const prev = nameOf.get(setting.key);
    if (prev && prev !== flag) delete values[prev];
    nameOf.set(setting.key, flag);
    values[flag] = value;
  }

  const r = new EnvReader(values);
  for (const [name, value, expected] of early) r.problem(name, value, expected);
  const n = (key: Setting['key']) => nameOf.get(key) ?? SETTINGS.find((s) => s.key === key)!.flag;
  const str = (key: Setting['key']) => r.string(n(key));

  const resources = str('resources');
  const appmesh = str('appmesh');
  const dataDir = str('dataDir');
  const etcd = readEtcdConfig(r, { store: n('store'), ca: n('etcdCa'), cert: n('etcdCert'), key: n('etcdKey'), username: n('etcdUsername'), passwordFile: n('etcdPasswordFile') }, read);
  if (dataDir !== undefined && str('store') !== undefined) r.problem(n('dataDir'), dataDir, `not to come with ${n('store')} (one store: a data directory or etcd)`);
  const accountId = r.string(n('accountId'), DEFAULT_ACCOUNT_ID);
  if (!/^\d{12}$/.test(accountId)) r.problem(n('accountId'), accountId, 'a 12-digit AWS account id');
  let quotas: Quotas = { ...DEFAULT_QUOTAS };
  const quotaText = str('quotas');
  if (quotaText !== undefined) {
    const q = parseQuotas(quotaText);
    if (q.ok) quotas = q.quotas;
    else r.problem(n('quotas'), quotaText, q.problem);
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

  const host = r.string(n('host'), '127.0.0.1');
  const port = r.int(n('port'), 18000, { min: 0, max: 65535 });
  const adminPort = str('adminPort') === undefined ? undefined : r.int(n('adminPort'), 0, { min: 0, max: 65535 });

  let tls: MgmtCliConfig['tls'];
  const certFile = str('tlsCert');
  const keyFile = str('tlsKey');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const [given, missing] = certFile === undefined ? ['tlsKey', 'tlsCert'] : ['tlsCert', 'tlsKey'];
    r.problem(n(given as Setting['key']), str(given as Setting['key'])!, `to come with ${n(missing as Setting['key'])}`);
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
  const service = r.string(n('service'), 'appmesh');
  if (region !== undefined && !/^[a-z0-9-]+$/.test(region)) r.problem(n('region'), region, 'an AWS region such as us-west-2');
  if (region === undefined && credFile !== undefined) r.problem(n('credentials'), credFile, `to come with ${n('region')}`);
  if (region !== undefined && credFile === undefined) r.problem(n('region'), region, `to come with ${n('credentials')} <file>`);
  if (str('service') !== undefined && region === undefined) r.problem(n('service'), service, `to come with ${n('region')}`);
  if (credFile !== undefined) {
    const text = readChecked(r, n('credentials'), credFile, read);
    const credentials = text === undefined ? [] : parseCredentials(r, n('credentials'), credFile, text);
    if (region !== undefined && credentials.length > 0) sigv4 = { region, service, credentials };
  }

  const maxStreamAgeMs = r.durationMs(n('maxStreamAge'), 0, { allowZero: true });
  const logLevel = r.oneOf(n('logLevel'), LOG_LEVELS, 'info');
  const arnRegion = region !== undefined && /^[a-z0-9-]+$/.test(region) ? region : 'us-east-1';
  const config: MgmtCliConfig = { resources, appmesh, dataDir, etcd, accountId, arnRegion, quotas, apiRateLimit, consoleToken, host, port, adminPort, tls, sigv4, maxStreamAgeMs, logLevel };
  try {
    r.finish();
    return { kind: 'run', config, error: undefined };
  } catch (e) {
    if (e instanceof ConfigError) return { kind: 'run', config, error: e };
    throw e;
  }
}
