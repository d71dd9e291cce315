import { fail, ok, problem, type Result } from '../common/problem';
import * as dns from 'node:dns';
import * as net from 'node:net';

/**
 * Where the relay may connect for the management server: the hosts of
 * APPNET_MANAGEMENT_ADDRESS (one, or several separated by commas), each an IP
 * address or a DNS name that may resolve to several addresses (as AWS
 * endpoints and a replicated appnet-mgmt do). Every address is a candidate;
 * a connection attempt tries them in turn, starting after the last one that
 * failed or was lost, so a dead replica is left at once and the others share
 * the reconnections. Pure apart from the injected DNS lookup.
 */

export type Lookup = (host: string) => Promise<string[]>;

/** All the addresses of a name (both families), in the resolver's order. */
export const systemLookup: Lookup = async (host) => (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** The host list of APPNET_MANAGEMENT_ADDRESS, or the reason it is not one (the problem's `where` left to the caller). */
export function parseHostList(text: string): Result<string[]> {
  const hosts = text.split(',').map((h) => h.trim().replace(/^\[(.*)\]$/, '$1'));
  const bad = hosts.filter((h) => h === '' || /[\s/]/.test(h) || (h.includes(':') && net.isIPv6(h) === false));
  if (bad.length > 0) return fail(problem('', `not a host name or IP address: ${bad.map((b) => JSON.stringify(b)).join(', ')}`, 'host names or IP addresses separated by commas'));
  return ok(hosts);
}

/** "10.0.0.1:443", "[fd00::1]:443" */
export function hostPort(address: string, port: number): string {
  return `${net.isIPv6(address) ? `[${address}]` : address}:${port}`;
}

export class AddressRotation {
  private candidates: string[] = [];
  /** The address after which the next attempt starts. */
  private last: string | undefined;

  constructor(
    readonly hosts: readonly string[],
    private readonly lookup: Lookup = systemLookup,
  ) {}

  /** The addresses last resolved (for /status). */
  get addresses(): readonly string[] {
    return this.candidates;
  }

  /** Resolve every host (names again at each attempt: DNS may have changed); a name that does not resolve is skipped, unless none does. */
  async resolve(): Promise<string[]> {
    const errors: string[] = [];
    const out: string[] = [];
    for (const h of this.hosts) {
      if (net.isIP(h)) out.push(h);
      else {
        try {
          out.push(...(await this.lookup(h)));
        } catch (e) {
          errors.push(`${h}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      }
    }
    const unique = [...new Set(out)];
    if (unique.length === 0) throw new Error(`cannot resolve ${errors.join('; ')}`);
    this.candidates = unique;
    return this.order();
  }

  /** The candidates, starting after the last address that failed or was lost. */
  order(): string[] {
    const i = this.last === undefined ? -1 : this.candidates.indexOf(this.last);
    return i < 0 ? [...this.candidates] : [...this.candidates.slice(i + 1), ...this.candidates.slice(0, i + 1)];
  }

  /** `address` failed, its connection was lost, or it just took a connection: the next attempt starts after it. */
  passOver(address: string): void {
    this.last = address;
  }
}
