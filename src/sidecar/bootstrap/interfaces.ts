import { isIP } from 'node:net';
import type { InterfaceAddresses } from './platform-facts';

/** An IPv4 address, or an IPv4-mapped IPv6 one (`::ffff:1.2.3.4`), which counts as IPv4. */
export function isIpv4Like(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return true;
  if (family !== 6) return false;
  try {
    // WHATWG URL serializes IPv6 canonically: every mapped form becomes ::ffff:hhhh:hhhh.
    return /^\[::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}\]$/.test(new URL(`http://[${ip}]/`).hostname);
  } catch {
    return false;
  }
}

function prefixOk(prefix: string | undefined, max: number): boolean {
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= max);
}

/**
 * `{ifname: ["ip/prefix", ...]}` -> the `aws.appmesh.task.interfaces` form
 * (docs/reference-agent/bootstrap.md#interfaces): IPv4 when the prefix is at most 32 and
 * the address is IPv4 (IPv4-mapped counts), else IPv6 when the prefix is at most 128 and
 * the address is IPv6, else skipped.
 */
export function classifyInterfaceAddresses(raw: Readonly<Record<string, readonly string[]>>): InterfaceAddresses {
  const out: InterfaceAddresses = {};
  for (const [name, cidrs] of Object.entries(raw)) {
    for (const cidr of cidrs) {
      const slash = cidr.indexOf('/');
      const ip = slash < 0 ? cidr : cidr.slice(0, slash);
      const prefix = slash < 0 ? undefined : cidr.slice(slash + 1);
      let family: 'ipv4' | 'ipv6' | undefined;
      if (prefixOk(prefix, 32) && isIpv4Like(ip)) family = 'ipv4';
      else if (prefixOk(prefix, 128) && isIP(ip) === 6) family = 'ipv6';
      if (family === undefined) continue;
      const byName = (out[family] ??= {});
      (byName[name] ??= []).push(cidr);
    }
  }
  return out;
}
