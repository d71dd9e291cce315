import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import { ConfigError, EnvReader, type Env } from '../common/env';
import { LOG_LEVELS, type LogLevel } from '../common/logger';
import { formatForPath } from './resource-document';

/** One setting: its flag, its environment variable, and what it means. */
interface Setting {
  key: 'resources' | 'appmesh' | 'host' | 'port' | 'adminPort' | 'tlsCert' | 'tlsKey' | 'region' | 'service' | 'credentials' | 'maxStreamAge' | 'logLevel';
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
    help: 'App Mesh model (create-* bodies), .json or .yaml/.yml; re-read when it changes; API at /appmesh on --admin-port',
  },
  { key: 'host', flag: '--host', env: 'APPNET_MGMT_HOST', arg: '<addr>', help: 'address to listen on (default 127.0.0.1)' },
  { key: 'port', flag: '--port', env: 'APPNET_MGMT_PORT', arg: '<n>', help: 'gRPC port, 0 = any free port (default 18000)' },
  {
    key: 'adminPort',
    flag: '--admin-port',
    env: 'APPNET_MGMT_ADMIN_PORT',
    arg: '<n>',
    help: 'HTTP admin port (/healthz /streams /resources /rejections /nacks, /appmesh); off unless set; 0 = any',
  },
  { key: 'tlsCert', flag: '--tls-cert', env: 'APPNET_MGMT_TLS_CERT', arg: '<file>', help: 'PEM server certificate (with --tls-key); plaintext h2c without' },
  { key: 'tlsKey', flag: '--tls-key', env: 'APPNET_MGMT_TLS_KEY', arg: '<file>', help: 'PEM private key of the certificate' },
  { key: 'region', flag: '--sigv4-region', env: 'APPNET_MGMT_SIGV4_REGION', arg: '<region>', help: 'require SigV4 on every stream, signed for this region' },
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
  'Usage: appnet-mgmt --resources <file> | --appmesh <file> [options]',
  '',
  'A fake App Mesh / Service Connect management server (ADS SotW and Delta) for tests.',
  'At least one of --resources and --appmesh; with both, a node gets the resource file\'s',
  'resources with the App Mesh model\'s laid over them (same type and name: the model wins).',
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
  if (resources === undefined && appmesh === undefined) {
    r.problem('--resources', '', `a resource file (.json, .yaml or .yml) or ${SETTINGS[0]!.env}, or an App Mesh model with --appmesh`);
  }
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
  const config: MgmtCliConfig = { resources, appmesh, host, port, adminPort, tls, sigv4, maxStreamAgeMs, logLevel };
  try {
    r.finish();
    return { kind: 'run', config, error: undefined };
  } catch (e) {
    if (e instanceof ConfigError) return { kind: 'run', config, error: e };
    throw e;
  }
}
