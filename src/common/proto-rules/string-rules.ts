import { isIP } from 'node:net';
import type { Broken } from './bounds';

/**
 * PGV's string and bytes rules (`(validate.rules).string` / `.bytes`), with
 * PGV's meanings: lengths in characters (code points) or bytes, patterns (RE2,
 * read as JavaScript regular expressions: the patterns in Envoy's protos mean
 * the same in both), prefixes, the well-known formats and header regexes.
 * Pure.
 */

export interface StringRules {
  const?: string;
  len?: number;
  min_len?: number;
  max_len?: number;
  len_bytes?: number;
  min_bytes?: number;
  max_bytes?: number;
  pattern?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  not_contains?: string;
  in?: readonly string[];
  not_in?: readonly string[];
  email?: boolean;
  hostname?: boolean;
  ip?: boolean;
  ipv4?: boolean;
  ipv6?: boolean;
  uri?: boolean;
  uri_ref?: boolean;
  address?: boolean;
  uuid?: boolean;
  well_known_regex?: string | number;
  strict?: boolean;
  ignore_empty?: boolean;
}

export interface BytesRules {
  const?: Uint8Array | string;
  len?: number;
  min_len?: number;
  max_len?: number;
  pattern?: string;
  prefix?: Uint8Array | string;
  suffix?: Uint8Array | string;
  contains?: Uint8Array | string;
  in?: ReadonlyArray<Uint8Array | string>;
  not_in?: ReadonlyArray<Uint8Array | string>;
  ip?: boolean;
  ipv4?: boolean;
  ipv6?: boolean;
  ignore_empty?: boolean;
}

// PGV's HTTP header regexes (strict, the default) and the lax form (`strict: false`), as
// PGV writes them ("+-." is a range: + , - .).
const HEADER_NAME_STRICT = /^:?[0-9a-zA-Z!#$%&'*+-.^_|~\x60]+$/;
const HEADER_VALUE_STRICT = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
const HEADER_LAX = /^[^\u0000\u000A\u000D]*$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** PGV's hostname: at most 253 characters (a trailing dot aside), labels of 1-63 letters, digits and inner hyphens. */
export function isHostname(s: string): boolean {
  const h = s.endsWith('.') ? s.slice(0, -1) : s;
  if (h.length === 0 || h.length > 253) return false;
  return h.split('.').every((l) => l.length > 0 && l.length <= 63 && /^[a-zA-Z0-9-]+$/.test(l) && !l.startsWith('-') && !l.endsWith('-'));
}

function isEmail(s: string): boolean {
  const at = s.lastIndexOf('@');
  return at > 0 && !/\s/.test(s) && s.length <= 254 && s.slice(0, at).length <= 64 && isHostname(s.slice(at + 1));
}

function isUri(s: string): boolean {
  try {
    return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) && new URL(s).protocol !== '';
  } catch {
    return false;
  }
}

function isUriRef(s: string): boolean {
  try {
    return new URL(s, 'http://base.invalid/') !== undefined && !/\s/.test(s);
  } catch {
    return false;
  }
}

/** A pattern as a JavaScript RegExp, or undefined when it is not one (then it is not checked). */
function regexOf(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

const show = (s: string) => JSON.stringify(s);

export function checkString(v: string, r: StringRules): Broken[] {
  if (r.ignore_empty && v === '') return [];
  const out: Broken[] = [];
  const add = (rule: string, message: string) => out.push({ rule, message });
  const chars = [...v].length;
  const bytes = Buffer.byteLength(v, 'utf8');
  if (r.const !== undefined && v !== r.const) add('const', `must equal ${show(r.const)}`);
  if (r.len !== undefined && chars !== r.len) add('len', `length must be ${r.len} characters`);
  if (r.min_len !== undefined && chars < r.min_len) add('min_len', `length must be at least ${r.min_len} characters`);
  if (r.max_len !== undefined && chars > r.max_len) add('max_len', `length must be at most ${r.max_len} characters`);
  if (r.len_bytes !== undefined && bytes !== r.len_bytes) add('len_bytes', `length must be ${r.len_bytes} bytes`);
  if (r.min_bytes !== undefined && bytes < r.min_bytes) add('min_bytes', `length must be at least ${r.min_bytes} bytes`);
  if (r.max_bytes !== undefined && bytes > r.max_bytes) add('max_bytes', `length must be at most ${r.max_bytes} bytes`);
  if (r.pattern !== undefined && regexOf(r.pattern)?.test(v) === false) add('pattern', `does not match regex pattern ${show(r.pattern)}`);
  if (r.prefix !== undefined && !v.startsWith(r.prefix)) add('prefix', `must start with ${show(r.prefix)}`);
  if (r.suffix !== undefined && !v.endsWith(r.suffix)) add('suffix', `must end with ${show(r.suffix)}`);
  if (r.contains !== undefined && !v.includes(r.contains)) add('contains', `must contain ${show(r.contains)}`);
  if (r.not_contains !== undefined && v.includes(r.not_contains)) add('not_contains', `must not contain ${show(r.not_contains)}`);
  if (r.in && r.in.length > 0 && !r.in.includes(v)) add('in', `must be one of ${r.in.map(show).join(', ')}`);
  if (r.not_in?.includes(v)) add('not_in', `must not be one of ${r.not_in.map(show).join(', ')}`);
  if (r.email && !isEmail(v)) add('email', 'must be a valid email address');
  if (r.hostname && !isHostname(v)) add('hostname', 'must be a valid hostname');
  if (r.ip && isIP(v) === 0) add('ip', 'must be a valid IP address');
  if (r.ipv4 && isIP(v) !== 4) add('ipv4', 'must be a valid IPv4 address');
  if (r.ipv6 && isIP(v) !== 6) add('ipv6', 'must be a valid IPv6 address');
  if (r.uri && !isUri(v)) add('uri', 'must be a valid absolute URI');
  if (r.uri_ref && !isUriRef(v)) add('uri_ref', 'must be a valid URI reference');
  if (r.address && isIP(v) === 0 && !isHostname(v)) add('address', 'must be a valid hostname or IP address');
  if (r.uuid && !UUID.test(v)) add('uuid', 'must be a valid UUID');
  const known = r.well_known_regex;
  if (known !== undefined) {
    const strict = r.strict !== false;
    if (known === 'HTTP_HEADER_NAME' || known === 1) {
      if (!(strict ? HEADER_NAME_STRICT : HEADER_LAX).test(v)) add('well_known_regex', 'must be a valid HTTP header name');
    } else if ((known === 'HTTP_HEADER_VALUE' || known === 2) && !(strict ? HEADER_VALUE_STRICT : HEADER_LAX).test(v)) {
      add('well_known_regex', 'must be a valid HTTP header value');
    }
  }
  return out;
}

function bytesOf(v: Uint8Array | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.from(v);
}

export function checkBytes(value: Uint8Array, r: BytesRules): Broken[] {
  const v = Buffer.from(value);
  if (r.ignore_empty && v.length === 0) return [];
  const out: Broken[] = [];
  const add = (rule: string, message: string) => out.push({ rule, message });
  if (r.const !== undefined && !v.equals(bytesOf(r.const))) add('const', 'must equal the given bytes');
  if (r.len !== undefined && v.length !== r.len) add('len', `length must be ${r.len} bytes`);
  if (r.min_len !== undefined && v.length < r.min_len) add('min_len', `length must be at least ${r.min_len} bytes`);
  if (r.max_len !== undefined && v.length > r.max_len) add('max_len', `length must be at most ${r.max_len} bytes`);
  if (r.pattern !== undefined && regexOf(r.pattern)?.test(v.toString('utf8')) === false) add('pattern', `does not match regex pattern ${show(r.pattern)}`);
  if (r.prefix !== undefined && !v.subarray(0, bytesOf(r.prefix).length).equals(bytesOf(r.prefix))) add('prefix', 'must start with the given bytes');
  if (r.suffix !== undefined && !v.subarray(v.length - bytesOf(r.suffix).length).equals(bytesOf(r.suffix))) add('suffix', 'must end with the given bytes');
  if (r.contains !== undefined && v.indexOf(bytesOf(r.contains)) < 0) add('contains', 'must contain the given bytes');
  if (r.in && r.in.length > 0 && !r.in.some((x) => v.equals(bytesOf(x)))) add('in', 'must be one of the given values');
  if (r.not_in?.some((x) => v.equals(bytesOf(x)))) add('not_in', 'must not be one of the given values');
  if (r.ip && v.length !== 4 && v.length !== 16) add('ip', 'must be an IP address in byte form (4 or 16 bytes)');
  if (r.ipv4 && v.length !== 4) add('ipv4', 'must be an IPv4 address in byte form (4 bytes)');
  if (r.ipv6 && v.length !== 16) add('ipv6', 'must be an IPv6 address in byte form (16 bytes)');
  return out;
}
