import { fail, ok, problem, type Result } from '../common/problem';
import type { EnvReader } from '../common/env';

/**
 * `--store etcd://host:port[,host:port...]/prefix` (`etcds://` for TLS) and the
 * etcd client settings that go with it, read into a typed config. Pure apart
 * from reading the named files through `read`.
 */

export interface EtcdStoreConfig {
  hosts: string[];
  prefix: string;
  tls: { ca: Buffer; cert?: Buffer; key?: Buffer } | undefined;
  auth: { username: string; password: string } | undefined;
}

export const STORE_FORM = 'etcd://host:port[,host:port...]/prefix (etcds:// for TLS)';
const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** The parts of a --store URL, or why it is not one (the problem's `where` left to the caller). */
export function parseStoreUrl(url: string): Result<{ tls: boolean; hosts: string[]; prefix: string }> {
  const m = /^(etcds?):\/\/([^/]+)(\/.*)?$/.exec(url.trim());
  if (!m) return fail(problem('', '', STORE_FORM));
  const hosts = m[2]!.split(',').map((h) => h.trim());
  const bad = hosts.filter((h) => {
    const hm = HOST.exec(h);
    return !hm || Number(hm[2]) < 1 || Number(hm[2]) > 65535;
  });
  if (bad.length > 0) return fail(problem('', `not host:port: ${bad.join(', ')}`, STORE_FORM));
  const prefix = (m[3] ?? '/appnet-mgmt').replace(/\/+$/, '');
  if (prefix === '') return fail(problem('', 'the prefix must not be "/" alone', STORE_FORM));
  return ok({ tls: m[1] === 'etcds', hosts, prefix });
}

export interface StoreFlagNames {
  store: string;
  ca: string;
  cert: string;
  key: string;
  username: string;
  passwordFile: string;
}

/** The etcd store config, or undefined without --store; problems go to `r`. */
export function readEtcdConfig(r: EnvReader, names: StoreFlagNames, read: (file: string) => string): EtcdStoreConfig | undefined {
  const url = r.string(names.store);
  const files = { ca: r.string(names.ca), cert: r.string(names.cert), key: r.string(names.key) };
  const username = r.string(names.username);
  const passwordFile = r.string(names.passwordFile);
  if (url === undefined) {
    for (const [k, v] of [[names.ca, files.ca], [names.cert, files.cert], [names.key, files.key], [names.username, username], [names.passwordFile, passwordFile]] as const) {
      if (v !== undefined) r.problem(k, v, `to come with ${names.store} ${STORE_FORM}`);
    }
    return undefined;
  }
  const parsed = parseStoreUrl(url);
  if (!parsed.ok) {
    r.addAt(names.store, url, parsed.problems);
    return undefined;
  }
  const readFile = (name: string, file: string): Buffer | undefined => {
    try {
      return Buffer.from(read(file), 'utf8');
    } catch (e) {
      r.problem(name, file, `a readable file (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      return undefined;
    }
  };
  let tls: EtcdStoreConfig['tls'];
  if (!parsed.value.tls && (files.ca || files.cert || files.key)) r.problem(names.store, url, `etcds:// when ${names.ca}, ${names.cert} or ${names.key} is given`);
  if ((files.cert === undefined) !== (files.key === undefined)) r.problem(files.cert ? names.cert : names.key, files.cert ?? files.key ?? '', `to come with ${files.cert ? names.key : names.cert}`);
  if (parsed.value.tls) {
    if (files.ca === undefined) r.problem(names.ca, '', `the CA bundle that signed the etcd servers' certificates (etcds:// needs it)`);
    const ca = files.ca === undefined ? undefined : readFile(names.ca, files.ca);
    const cert = files.cert === undefined ? undefined : readFile(names.cert, files.cert);
    const key = files.key === undefined ? undefined : readFile(names.key, files.key);
    if (ca) tls = { ca, ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  }
  let auth: EtcdStoreConfig['auth'];
  if ((username === undefined) !== (passwordFile === undefined)) r.problem(username ? names.username : names.passwordFile, username ?? passwordFile ?? '', `to come with ${username ? names.passwordFile : names.username}`);
  else if (username !== undefined && passwordFile !== undefined) {
    const password = readFile(names.passwordFile, passwordFile)?.toString('utf8').replace(/\r?\n$/, '');
    if (password !== undefined) auth = { username, password };
  }
  return { hosts: parsed.value.hosts, prefix: parsed.value.prefix, tls, auth };
}
