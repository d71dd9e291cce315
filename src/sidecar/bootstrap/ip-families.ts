import { isIP } from 'node:net';
import { isIpv4Like } from './interfaces';

export type IpFamilies = 'ALL' | 'IPv4_ONLY' | 'IPv6_ONLY';

const MODES = new Set(['awsvpc', 'bridge', 'host', 'none', 'default']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** IPv4/IPv6 presence across a container's networks (a list holding "" still counts). */
export function containerFamilies(container: Obj): IpFamilies | undefined {
  let v4 = false;
  let v6 = false;
  for (const net of list(container.Networks)) {
    if (!isObj(net)) continue;
    if (list(net.IPv4Addresses).length > 0) v4 = true;
    if (list(net.IPv6Addresses).length > 0) v6 = true;
  }
  if (v4 && v6) return 'ALL';
  if (v4) return 'IPv4_ONLY';
  if (v6) return 'IPv6_ONLY';
  return undefined;
}

/** The first known network mode, scanning containers then their networks, and the container it came from. */
function detectMode(containers: Obj[]): { mode: string; container: Obj } | undefined {
  for (const container of containers) {
    for (const net of list(container.Networks)) {
      if (isObj(net) && typeof net.NetworkMode === 'string' && MODES.has(net.NetworkMode)) return { mode: net.NetworkMode, container };
    }
  }
  return undefined;
}

/** Bridge mode, dual-stack pause container: IPv6 only when every mapped container address is IPv6. */
function bridgeWithMapping(mapping: Readonly<Record<string, unknown>> | undefined): IpFamilies {
  if (mapping === undefined) return 'ALL';
  const values = Object.values(mapping);
  if (values.length === 0 || !values.every((v) => typeof v === 'string')) return 'ALL';
  const allV6 = values.every((v) => isIP(v as string) === 6 && !isIpv4Like(v as string));
  return allV6 ? 'IPv6_ONLY' : 'ALL';
}

/**
 * `supportedIPFamilies` from the ECS task metadata
 * (docs/reference-agent/bootstrap.md#supported-ip-families), with the reference's quirk
 * (docs/reference-agent/quirks.md#q14-ip-families-are-judged-on-the-wrong-container) fixed:
 * awsvpc looks at the container whose network mode was detected (not always the first), and
 * bridge mode requires every APPNET_CONTAINER_IP_MAPPING entry to be IPv6 (not an arbitrary
 * one). Undefined = omit the key; `note` explains an omission worth a warning.
 */
export function supportedIpFamilies(
  task: unknown,
  containerIpMapping: Readonly<Record<string, unknown>> | undefined,
): { families?: IpFamilies; note?: string } {
  const containers = isObj(task) ? list(task.Containers).filter(isObj) : [];
  if (containers.length === 0) return {};
  const detected = detectMode(containers);
  if (!detected) return {};
  switch (detected.mode) {
    case 'awsvpc':
      return { families: containerFamilies(detected.container) };
    case 'bridge': {
      const pause = containers.find((c) => c.Type === 'CNI_PAUSE');
      if (!pause) return {};
      const families = containerFamilies(pause);
      return { families: families === 'ALL' ? bridgeWithMapping(containerIpMapping) : families };
    }
    default:
      return { note: `network mode ${detected.mode}: supportedIPFamilies is not reported` };
  }
}
