import { isObject } from '../json-reader';
import { IGNORED_BODY_FIELDS } from '../parse-resources';
import { KIND_INFO, RESOURCE_KINDS, idOfBody, type KindList, type ResourceId, type ResourceKind } from '../resource-kinds';
import { RESOURCE_LISTS, type AppMeshDocument, type JsonObject } from '../types';

/**
 * The control plane's whole state: every App Mesh resource with what the API
 * reports about it (uid, version, timestamps, tags), the local endpoints
 * extension, and the recent client tokens that make retried requests
 * idempotent. It is what the store persists; the model the xDS translation
 * reads is derived from it (`documentOf`, then validate.ts). Plain data.
 */

export interface Tag {
  key: string;
  value: string;
}

export interface ResourceRecord {
  /** The resource as a create body: its name fields and its spec (App Mesh's defaults filled in). */
  body: JsonObject;
  tags: Tag[];
  uid: string;
  /** 1 when created, +1 per update. */
  version: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
  lastUpdatedAt: number;
}

/** A client token already used: the same token with the same request answers the same; with another request it conflicts. */
export interface TokenRecord {
  token: string;
  /** A digest of the operation and its input (request-fingerprint.ts). */
  fingerprint: string;
}

export type ResourceLists = Record<KindList, ResourceRecord[]>;

export interface ControlPlaneState {
  /** +1 per committed change; 0 = nothing ever committed. */
  revision: number;
  resources: ResourceLists;
  /** Extension: "<mesh>/<virtualNode>" -> ["127.0.0.1:50051", ...]. */
  endpoints: Record<string, string[]>;
  /** The most recent client tokens, oldest first (at most MAX_TOKENS). */
  tokens: TokenRecord[];
}

/** How many client tokens are remembered (a retry comes within seconds; this is thousands of changes). */
export const MAX_TOKENS = 5000;

export function emptyLists(): ResourceLists {
  return Object.fromEntries(RESOURCE_KINDS.map((k) => [KIND_INFO[k].list, []])) as unknown as ResourceLists;
}

export function emptyState(): ControlPlaneState {
  return { revision: 0, resources: emptyLists(), endpoints: {}, tokens: [] };
}

/** The model document the validation and translation read: the bodies of every list, and the endpoints. */
export function documentOf(state: ControlPlaneState): AppMeshDocument {
  const doc = Object.fromEntries(RESOURCE_LISTS.map((list) => [list, state.resources[list].map((r) => r.body)])) as unknown as AppMeshDocument;
  if (Object.keys(state.endpoints).length > 0) doc.endpoints = state.endpoints;
  return doc;
}

export function findRecord(state: ControlPlaneState, kind: ResourceKind, id: ResourceId): ResourceRecord | undefined {
  const info = KIND_INFO[kind];
  return state.resources[info.list].find((r) => {
    const rid = idOfBody(kind, r.body);
    return rid !== undefined && rid.mesh === id.mesh && rid.name === id.name && (rid.parent ?? '') === (id.parent ?? '');
  });
}

/** A copy of `state` with one list replaced and the revision bumped. */
export function withList(state: ControlPlaneState, list: KindList, records: ResourceRecord[]): ControlPlaneState {
  return { ...state, revision: state.revision + 1, resources: { ...state.resources, [list]: records } };
}

/** Remember a client token (the oldest go first once MAX_TOKENS are kept). */
export function withToken(state: ControlPlaneState, token: TokenRecord | undefined): ControlPlaneState {
  if (!token) return state;
  const tokens = [...state.tokens.filter((t) => t.token !== token.token), token];
  return { ...state, tokens: tokens.length > MAX_TOKENS ? tokens.slice(tokens.length - MAX_TOKENS) : tokens };
}

/** The body without the request-only fields (tags, clientToken, meshOwner). */
export function storedBody(body: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(body)) if (!(IGNORED_BODY_FIELDS as readonly string[]).includes(k)) out[k] = v;
  return out;
}

/** Tags as written in a create body (`[{key, value}]`); anything else is left to validation. */
export function bodyTags(body: JsonObject): Tag[] {
  const t = body['tags'];
  if (!Array.isArray(t)) return [];
  return t.filter(isObject).map((x) => ({ key: String(x['key'] ?? ''), value: typeof x['value'] === 'string' ? x['value'] : '' }));
}
