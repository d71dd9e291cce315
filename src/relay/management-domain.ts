/**
 * The regional management endpoint (the reference relay's rule,
 * docs/reference-agent/relay.md#the-management-domain): `ecs-sc.<region>.api.aws`,
 * `.api.amazonwebservices.com.cn` in China, and the `ecs-sc-fips` host when FIPS is on or
 * in GovCloud/ISO regions.
 */
export function defaultManagementDomain(region: string, fips: boolean): string {
  const suffix = region.startsWith('cn-') ? 'api.amazonwebservices.com.cn' : 'api.aws';
  const host = fips || /^us-(gov|iso)/.test(region) ? 'ecs-sc-fips' : 'ecs-sc';
  return `${host}.${region}.${suffix}`;
}

/** ECDH curve the reference pins for isolated partitions; undefined = Node's default list. */
export function ecdhCurveFor(region: string): string | undefined {
  return /^(us-isof-|eu-isoe-)/.test(region) ? 'P-384' : undefined;
}

export const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
export const HOSTNAME_RE = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** `https://host[:port]/` or `host[:port]` -> parts; undefined if it is not that shape. */
export function parseEndpoint(text: string): { host: string; port?: number } | undefined {
  const stripped = text.replace(/^https?:\/\//, '').replace(/\/$/, '');
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:/\s]+)(?::(\d{1,5}))?$/.exec(stripped);
  if (!m) return undefined;
  const host = m[1]!.replace(/^\[|\]$/g, '');
  if (m[2] === undefined) return { host };
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host, port } : undefined;
}
