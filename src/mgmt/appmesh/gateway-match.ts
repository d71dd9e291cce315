import type { GatewayRoute, HeaderMatch, HostnameMatch, QueryMatch } from './types';
import { headerMatcher } from './xds-route';

/**
 * The request conditions of a virtual gateway's Envoy routes (pure): a gateway
 * route's match, alone or combined with the match of one route of the virtual
 * router behind its target, and the path rewrite that goes with it. Envoy has
 * one route table per listener, so "the gateway route matches, then (after
 * its rewrite) the router's route matches" becomes one Envoy route per
 * (gateway route, router route) pair whose conditions can hold together.
 * The rules, and what cannot be combined, are in README.md.
 */

type Obj = Record<string, unknown>;

export type PathCond = { kind: 'prefix' | 'exact' | 'regex'; value: string };

/** A conjunction of conditions on a request, as it arrives at the gateway. */
export interface Conditions {
  paths: PathCond[];
  headers: HeaderMatch[];
  query: QueryMatch[];
}

/**
 * What the gateway does to the path for one variant of a gateway route:
 * keep it, replace the prefix `from` (which the variant matched) by `to`, or
 * replace the whole path by `to`.
 */
export type Rewrite = { kind: 'keep' } | { kind: 'prefix'; from: string; to: string } | { kind: 'whole'; to: string };

export interface Variant {
  /** The gateway route's path condition (undefined: every path). */
  path: PathCond | undefined;
  rewrite: Rewrite;
}

/**
 * A variant and a router route's path condition together: the conditions on
 * the arriving path, and `implied` when the router's condition holds for
 * every request of the variant (nothing after such a router route is reached,
 * unless it also matches headers or query parameters).
 */
export type Combined = { paths: PathCond[]; rewrite: Rewrite; implied: boolean } | 'never' | { unsupported: string };

/** A string as an RE2 literal. */
export function escapeRegex(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * A hostname match as an :authority header match: case-insensitive, with or
 * without a ":<port>" (clients send "gw.example.com:8080" to a non-default port).
 */
export function hostnameHeader(h: HostnameMatch): HeaderMatch {
  const host = escapeRegex(h.value);
  return { name: ':authority', invert: false, match: { kind: 'regex', value: `(?i)${h.kind === 'suffix' ? '.*' : ''}${host}(:[0-9]+)?` } };
}

/**
 * The variants of a gateway route. App Mesh replaces a matched prefix that
 * does not end in "/" so that "/chapter/page" becomes "/page" and
 * "/chapter1" becomes "/1" (its documented example); Envoy's prefix_rewrite
 * would give "//page", so such a prefix is two variants: "<prefix>/" -> "/"
 * first, then "<prefix>" -> "/".
 */
export function variants(gr: GatewayRoute): Variant[] {
  const path = gr.match.path;
  const pr = gr.pathRewrite;
  if (pr.kind === 'prefix' && path?.kind === 'prefix') {
    if (path.value.endsWith('/')) return [{ path, rewrite: { kind: 'prefix', from: path.value, to: pr.to } }];
    const slashed = `${path.value}/`;
    return [
      { path: { kind: 'prefix', value: slashed }, rewrite: { kind: 'prefix', from: slashed, to: pr.to } },
      { path, rewrite: { kind: 'prefix', from: path.value, to: pr.to } },
    ];
  }
  if (pr.kind === 'path') return [{ path, rewrite: { kind: 'whole', to: pr.to } }];
  return [{ path, rewrite: { kind: 'keep' } }];
}

const REGEX_WITH_REWRITE = 'matches the path with a regex, which this translation cannot combine with the path rewrite of this gateway route (remove the rewrite, or match that route by prefix or exact path)';

/**
 * A variant combined with a router route's path condition `r` (which the
 * router applies to the path after the gateway's rewrite), expressed on the
 * path as it arrives.
 */
export function combinePath(v: Variant, r: PathCond | undefined): Combined {
  const rw = v.rewrite;
  const own = v.path ? [v.path] : [];
  if (rw.kind === 'keep') {
    const implied = r === undefined || (r.kind === 'prefix' && (r.value === '/' || (v.path !== undefined && v.path.kind !== 'regex' && v.path.value.startsWith(r.value)))) || (r.kind === 'exact' && v.path?.kind === 'exact' && v.path.value === r.value);
    return { paths: implied || !r ? own : [...own, r], rewrite: rw, implied };
  }
  if (rw.kind === 'whole') {
    // The router sees one fixed path: decide here whether its condition holds.
    if (r === undefined || (r.kind === 'prefix' && rw.to.startsWith(r.value)) || (r.kind === 'exact' && rw.to === r.value)) return { paths: own, rewrite: rw, implied: true };
    return r.kind === 'regex' ? { unsupported: REGEX_WITH_REWRITE } : 'never';
  }
  // Prefix rewrite: the request "<from><rest>" reaches the router as "<to><rest>".
  const { from, to } = rw;
  if (r === undefined || (r.kind === 'prefix' && to.startsWith(r.value))) return { paths: [{ kind: 'prefix', value: from }], rewrite: rw, implied: true };
  if (r.kind === 'regex') return { unsupported: REGEX_WITH_REWRITE };
  if (r.value.startsWith(to)) {
    const original = from + r.value.slice(to.length);
    return { paths: [{ kind: r.kind, value: original }], rewrite: { kind: 'prefix', from: original, to: r.value }, implied: false };
  }
  return 'never';
}

type Merged = { main: PathCond | undefined; pathHeaders: HeaderMatch[] };

/**
 * Path conditions as one Envoy path specifier plus :path header matches.
 * Prefixes and exact paths are intersected here (undefined: they exclude each
 * other); an exact path, else a regex, else the prefix is the specifier, and
 * what remains becomes :path header matches (prefix as a prefix, a regex as
 * "(?:regex)(\?.*)?" since :path carries the query string).
 */
function mergePaths(paths: readonly PathCond[]): Merged | undefined {
  let prefix: string | undefined;
  let exact: string | undefined;
  const regexes: string[] = [];
  for (const p of paths) {
    if (p.kind === 'regex') regexes.push(p.value);
    else if (p.kind === 'exact') {
      if (exact !== undefined && exact !== p.value) return undefined;
      exact = p.value;
    } else if (prefix === undefined || p.value.startsWith(prefix)) prefix = p.value;
    else if (!prefix.startsWith(p.value)) return undefined;
  }
  if (exact !== undefined && prefix !== undefined && !exact.startsWith(prefix)) return undefined;
  const regexHeader = (rx: string): HeaderMatch => ({ name: ':path', invert: false, match: { kind: 'regex', value: `(?:${rx})(\\?.*)?` } });
  if (exact !== undefined) return { main: { kind: 'exact', value: exact }, pathHeaders: regexes.map(regexHeader) };
  const prefixHeader: HeaderMatch[] = prefix !== undefined && prefix !== '/' ? [{ name: ':path', invert: false, match: { kind: 'prefix', value: prefix } }] : [];
  if (regexes.length > 0) return { main: { kind: 'regex', value: regexes[0]! }, pathHeaders: [...regexes.slice(1).map(regexHeader), ...prefixHeader] };
  return { main: prefix !== undefined ? { kind: 'prefix', value: prefix } : undefined, pathHeaders: [] };
}

/** The Envoy route `match` and the path rewrite fields of its action; undefined when the conditions exclude each other. */
export function envoyMatch(c: Conditions, rewrite: Rewrite): { match: Obj; rewrite: Obj } | undefined {
  const merged = mergePaths(c.paths);
  if (!merged) return undefined;
  const main = merged.main ?? { kind: 'prefix', value: '/' };
  const match: Obj = main.kind === 'prefix' ? { prefix: main.value } : main.kind === 'exact' ? { path: main.value } : { safe_regex: { regex: main.value } };
  const headers = [...c.headers, ...merged.pathHeaders];
  if (headers.length > 0) match['headers'] = headers.map(headerMatcher);
  if (c.query.length > 0) {
    match['query_parameters'] = c.query.map((q) => (q.exact === undefined ? { name: q.name, present_match: true } : { name: q.name, string_match: { exact: q.exact } }));
  }
  return { match, rewrite: rewriteFields(rewrite, main) };
}

function rewriteFields(rw: Rewrite, main: PathCond): Obj {
  if (rw.kind === 'keep') return {};
  if (rw.kind === 'prefix') return rw.from === rw.to ? {} : { prefix_rewrite: rw.to };
  // A whole-path rewrite: on an exact path, prefix_rewrite replaces all of it.
  if (main.kind === 'exact') return main.value === rw.to ? {} : { prefix_rewrite: rw.to };
  return { regex_rewrite: { pattern: { regex: '^.*$' }, substitution: rw.to.replace(/\\/g, '\\\\') } };
}
