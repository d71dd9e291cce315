import type { EnvReader } from '../common/env';
import { choice, custom, port, socketPath } from '../common/settings';

export { MAX_UDS_PATH, checkSocketPath } from '../common/settings';

export type AdminListen = { mode: 'tcp'; host: string; port: number } | { mode: 'uds'; path: string };

export const DEFAULT_ADMIN_PORT = 9902;
export const DEFAULT_ADMIN_BIND = '[::]';
export const DEFAULT_ADMIN_UDS = '/var/run/ecs/appnet_admin.sock';

/** The admin API's variables, declared once here: the relay's and the agent's tables both list them. */
export const ADMIN_SETTINGS = {
  mode: choice({
    env: 'APPNET_AGENT_ADMIN_MODE',
    choices: ['tcp', 'uds'] as const,
    default: 'tcp',
    shown: 'unset: no admin API',
    help: 'serve the admin API, over TCP or a Unix socket (the relay and the agent read the same variables)',
  }),
  port: port({ env: 'APPNET_AGENT_HTTP_PORT', default: DEFAULT_ADMIN_PORT, help: 'admin API TCP port' }),
  bind: custom({
    env: 'APPNET_AGENT_HTTP_BIND_ADDRESS',
    default: DEFAULT_ADMIN_BIND,
    form: 'IP or host; IPv6 in brackets',
    help: 'address of the admin API over TCP; `[::]` listens on IPv4 and IPv6 (dual-stack)',
    // Checked by readAdminListen, and only in tcp mode.
    read: (r, name, fallback) => r.string(name, fallback),
  }),
  udsPath: socketPath({
    env: 'APPNET_AGENT_ADMIN_UDS_PATH',
    default: DEFAULT_ADMIN_UDS,
    help: 'admin API socket (mode 0660; a stale socket or regular file is replaced, as the reference does; a live socket, a directory or a symbolic link is an error; the agent reports it before starting Envoy)',
  }),
} as const;

/**
 * The admin API's listener, shared by the relay and the agent:
 * APPNET_AGENT_ADMIN_MODE (tcp|uds; unset = no admin server),
 * APPNET_AGENT_HTTP_PORT, APPNET_AGENT_HTTP_BIND_ADDRESS, APPNET_AGENT_ADMIN_UDS_PATH.
 */
export function readAdminListen(r: EnvReader): AdminListen | undefined {
  const S = ADMIN_SETTINGS;
  if (!r.has(S.mode.env)) return undefined;
  const mode = S.mode.read(r);
  const port = S.port.read(r);
  const bind = S.bind.read(r);
  if (mode === 'uds') return { mode, path: S.udsPath.read(r) };
  const host = bind.replace(/^\[(.*)\]$/, '$1');
  if (host === '' || /\s/.test(host)) r.problem(S.bind.env, bind, 'an IP address or host name, IPv6 in brackets (e.g. [::], 127.0.0.1)');
  return { mode, host, port };
}
