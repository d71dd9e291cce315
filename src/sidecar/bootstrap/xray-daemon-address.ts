import { fail, ok, problem, type Result } from '../../common/problem';
import { isIP } from 'node:net';

/** The daemon's UDP address, or why the text is not one (the problem's `where` left to the caller). */
export type DaemonAddress = Result<{ address: string; port: number }>;

export const XRAY_ADDRESS_FORM = 'an IP address, IP:port, [IPv6]:port, or the X-Ray SDK form "tcp:IP:port udp:IP:port"';

function checkPort(text: string): number | undefined {
  const n = Number(text);
  return /^\d{1,5}$/.test(text) && n >= 1 && n <= 65535 ? n : undefined;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 literal (which never carries a port). */
function hostPort(text: string, defaultPort: number | undefined): DaemonAddress {
  const no = (reason: string): DaemonAddress => fail(problem('', reason, XRAY_ADDRESS_FORM));
  let host = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if (isIP(text) === 0) {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
  }
  if (isIP(host) === 0) return no(`"${host}" is not an IP address (the daemon endpoint cannot be a host name)`);
  if (portText === undefined) {
    if (defaultPort === undefined) return no(`"${text}" has no port`);
    return ok({ address: host, port: defaultPort });
  }
  const port = checkPort(portText);
  if (port === undefined) return no(`"${portText}" is not a port (1-65535)`);
  return ok({ address: host, port });
}

/**
 * AWS_XRAY_DAEMON_ADDRESS (docs/reference-agent/bootstrap.md#x-ray, with
 * docs/reference-agent/quirks.md#q11-x-ray-settings-are-misread fixed): the SDK's
 * two-address form `tcp:host:port udp:host:port` (either order; Envoy sends UDP, so the
 * udp one is used), or a single address with an optional port overriding XRAY_DAEMON_PORT.
 * A bare IPv6 literal such as `::1` is an address, not `host:port`.
 */
export function parseXrayDaemonAddress(raw: string, defaultPort: number): DaemonAddress {
  const no = (reason: string): DaemonAddress => fail(problem('', reason, XRAY_ADDRESS_FORM));
  const text = raw.trim();
  const tokens = text.split(/\s+/);
  const tagged = tokens.filter((t) => /^(tcp|udp):/i.test(t));
  if (tagged.length === 0) {
    if (tokens.length > 1) return no('several addresses without tcp:/udp: prefixes');
    return hostPort(text, defaultPort);
  }
  if (tagged.length !== tokens.length) return no('mixes prefixed and unprefixed addresses');
  const udp = tokens.filter((t) => /^udp:/i.test(t));
  const tcp = tokens.filter((t) => /^tcp:/i.test(t));
  if (udp.length !== 1 || tcp.length > 1) return no('needs exactly one udp:IP:port (and at most one tcp:IP:port)');
  for (const t of tcp) {
    const r = hostPort(t.slice(4), undefined);
    if (!r.ok) return no(`tcp address: ${r.problems[0]!.message}`);
  }
  const r = hostPort(udp[0]!.slice(4), undefined);
  return r.ok ? r : no(`udp address: ${r.problems[0]!.message}`);
}
