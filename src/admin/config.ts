import type { EnvReader } from '../common/env';

export type AdminListen = { mode: 'tcp'; host: string; port: number } | { mode: 'uds'; path: string };

export const DEFAULT_ADMIN_PORT = 9902;
export const DEFAULT_ADMIN_BIND = '[::]';
export const DEFAULT_ADMIN_UDS = '/var/run/ecs/appnet_admin.sock';
/** Unix socket paths are limited to 107 bytes (sun_path). */
export const MAX_UDS_PATH = 107;

/**
 * The admin API's listener, shared by the relay and the agent:
 * APPNET_AGENT_ADMIN_MODE (tcp|uds; unset = no admin server),
 * APPNET_AGENT_HTTP_PORT, APPNET_AGENT_HTTP_BIND_ADDRESS, APPNET_AGENT_ADMIN_UDS_PATH.
 */
export function readAdminListen(r: EnvReader): AdminListen | undefined {
  if (!r.has('APPNET_AGENT_ADMIN_MODE')) return undefined;
  const mode = r.oneOf('APPNET_AGENT_ADMIN_MODE', ['tcp', 'uds'] as const, 'tcp');
  const port = r.port('APPNET_AGENT_HTTP_PORT', DEFAULT_ADMIN_PORT);
  const bind = r.string('APPNET_AGENT_HTTP_BIND_ADDRESS', DEFAULT_ADMIN_BIND);
  const path = r.string('APPNET_AGENT_ADMIN_UDS_PATH', DEFAULT_ADMIN_UDS);
  if (mode === 'uds') {
    checkSocketPath(r, 'APPNET_AGENT_ADMIN_UDS_PATH', path);
    return { mode, path };
  }
  const host = bind.replace(/^\[(.*)\]$/, '$1');
  if (host === '' || /\s/.test(host)) r.problem('APPNET_AGENT_HTTP_BIND_ADDRESS', bind, 'an IP address or host name, IPv6 in brackets (e.g. [::], 127.0.0.1)');
  return { mode, host, port };
}

export function checkSocketPath(r: EnvReader, name: string, path: string): void {
  if (!path.startsWith('/')) r.problem(name, path, 'an absolute path');
  else if (Buffer.byteLength(path) > MAX_UDS_PATH) r.problem(name, path, `a path of at most ${MAX_UDS_PATH} bytes (Unix socket limit)`);
}
