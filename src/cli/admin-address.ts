import * as path from 'node:path';
import { DEFAULT_ADMIN_UDS, readAdminListen } from '../admin/config';
import { type Env, EnvReader } from '../common/env';
import { UsageError } from './usage-error';

/** Where an admin API (relay or agent) listens, as `--relay` / `--agent` give it. Pure. */
export type AdminAddress = { kind: 'uds'; path: string } | { kind: 'tcp'; host: string; port: number };

export const ADDRESS_FORMS = 'unix:/path, /path, host:port, [ipv6]:port, :port or http://host:port';

const WILDCARDS = new Set(['', '::', '0.0.0.0', '*']);

function tcp(host: string, portText: string, given: string): AdminAddress {
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`bad address ${JSON.stringify(given)}: the port must be 1-65535`);
  // A listener on all interfaces is asked on the loopback (IPv4: always there, and [::] is dual-stack).
  return { kind: 'tcp', host: WILDCARDS.has(host) ? '127.0.0.1' : host, port };
}

/** `--relay`/`--agent` values: unix:/path, unix:///path, /path, ./path, host:port, [::1]:port, :port, port, http://host[:port]. */
export function parseAdminAddress(given: string, cwd: string): AdminAddress {
  const s = given.trim();
  const bad = (why: string) => new UsageError(`bad address ${JSON.stringify(given)}: ${why} (expected ${ADDRESS_FORMS})`);
  if (s.startsWith('unix:')) {
    const rest = s.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (rest === '') throw bad('no socket path');
    return { kind: 'uds', path: path.resolve(cwd, rest) };
  }
  if (s.startsWith('/') || s.startsWith('./') || s.startsWith('../')) return { kind: 'uds', path: path.resolve(cwd, s) };
  if (/^https:\/\//i.test(s)) throw bad('the admin API speaks plain HTTP, not HTTPS');
  if (/^http:\/\//i.test(s)) {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      throw bad('not a URL');
    }
    if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) throw bad('give the server only, without a path');
    return tcp(u.hostname.replace(/^\[(.*)\]$/, '$1'), u.port || '80', given);
  }
  if (/^\d+$/.test(s)) return tcp('', s, given);
  const m = /^(?:\[([^\]]+)\]|([^:/\s[\]]*)):(\d+)$/.exec(s);
  if (m) return tcp(m[1] ?? m[2] ?? '', m[3]!, given);
  throw bad(s === '' ? 'empty' : 'not a socket path or host:port');
}

/** How the address is shown in messages and the report: "unix:/path" or "host:port". */
export function describeAddress(a: AdminAddress): string {
  if (a.kind === 'uds') return `unix:${a.path}`;
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/**
 * With no `--relay`: the admin listener the relay itself would use in this
 * environment (APPNET_AGENT_ADMIN_MODE, APPNET_AGENT_HTTP_PORT,
 * APPNET_AGENT_HTTP_BIND_ADDRESS, APPNET_AGENT_ADMIN_UDS_PATH), else its
 * default socket. Throws ConfigError when those variables are malformed.
 */
export function defaultAdminAddress(env: Env): AdminAddress {
  const r = new EnvReader(env);
  const listen = readAdminListen(r);
  r.finish();
  if (!listen) return { kind: 'uds', path: DEFAULT_ADMIN_UDS };
  if (listen.mode === 'uds') return { kind: 'uds', path: listen.path };
  return tcp(listen.host, String(listen.port), `${listen.host}:${listen.port}`);
}
