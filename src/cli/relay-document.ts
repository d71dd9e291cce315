import { type Obj, arr, errorAt, isObj, num, obj, objOrNull, str, strings } from './json-read';

/** The relay's /status (README "Admin API"), as the CLI reads it: every field checked, defaults for the missing. */

export interface NackDoc {
  nonce: string;
  keptVersion: string;
  rejectedVersion: string | null;
  code: number | null;
  message: string;
  at: string | null;
}

export interface TypeDoc {
  typeUrl: string;
  /** SYNCED, STALE, NACKED, NOT_SENT (or whatever a newer relay says). */
  state: string;
  requests: number;
  responses: number;
  acks: number;
  nacks: number;
  lastVersionSent: string | null;
  lastNonceSent: string | null;
  lastResourceCount: number | null;
  lastResponseAt: string | null;
  lastAckedVersion: string | null;
  lastNack: NackDoc | null;
}

export interface NodeDoc {
  id: string;
  cluster: string;
  userAgent: string;
}

export interface StreamDoc {
  id: number | null;
  path: string;
  kind: string;
  phase: string;
  node: NodeDoc | null;
  startedAt: string | null;
  ageSeconds: number | null;
  bytes: { fromClient: number; toClient: number };
  messages: { fromClient: number; toClient: number };
  types: TypeDoc[];
}

export interface ErrorAt {
  message: string;
  at: string | null;
}

export interface UpstreamDoc {
  state: string;
  target: string | null;
  domain: string | null;
  tls: boolean | null;
  since: string | null;
  lastError: ErrorAt | null;
  nextAttemptAt: string | null;
  connects: number | null;
  failures: number | null;
  connectionAgeSeconds: number | null;
}

export interface CredentialsDoc {
  state: string;
  source: string | null;
  expiration: string | null;
  lastRefresh: string | null;
  lastError: ErrorAt | null;
}

export interface RelayDoc {
  healthStatus: string;
  reasons: string[];
  relayUptime: string | null;
  listener: { path: string | null; listening: boolean | null; connections: number | null };
  upstream: UpstreamDoc;
  credentials: CredentialsDoc;
  streams: { active: number | null; total: number | null; internalErrors: number | null };
  activeStreams: StreamDoc[];
}

/** The answer is JSON but not the document asked for. */
export class NotThatDocumentError extends Error {
  override readonly name = 'NotThatDocumentError';
}

const count = (v: unknown): number => num(v) ?? 0;
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const pair = (v: unknown) => ({ fromClient: count(obj(v)['fromClient']), toClient: count(obj(v)['toClient']) });

function nackDoc(v: unknown): NackDoc | null {
  const o = objOrNull(v);
  if (!o) return null;
  return {
    nonce: str(o['nonce']) ?? '',
    keptVersion: str(o['keptVersion']) ?? '',
    rejectedVersion: str(o['rejectedVersion']),
    code: num(o['code']),
    message: str(o['message']) ?? '',
    at: str(o['at']),
  };
}

function typeDoc(v: unknown): TypeDoc | null {
  const o = obj(v);
  const typeUrl = str(o['typeUrl']);
  if (typeUrl === null) return null;
  return {
    typeUrl,
    state: str(o['state']) ?? 'UNKNOWN',
    requests: count(o['requests']),
    responses: count(o['responses']),
    acks: count(o['acks']),
    nacks: count(o['nacks']),
    lastVersionSent: str(o['lastVersionSent']),
    lastNonceSent: str(o['lastNonceSent']),
    lastResourceCount: num(o['lastResourceCount']),
    lastResponseAt: str(o['lastResponseAt']),
    lastAckedVersion: str(o['lastAckedVersion']),
    lastNack: nackDoc(o['lastNack']),
  };
}

function nodeDoc(v: unknown): NodeDoc | null {
  const o = objOrNull(v);
  const id = o ? str(o['id']) : null;
  if (!o || id === null) return null;
  return { id, cluster: str(o['cluster']) ?? '', userAgent: str(o['userAgent']) ?? '' };
}

function streamDoc(v: unknown): StreamDoc {
  const o = obj(v);
  return {
    id: num(o['id']),
    path: str(o['path']) ?? '',
    kind: str(o['kind']) ?? 'opaque',
    phase: str(o['phase']) ?? '',
    node: nodeDoc(o['node']),
    startedAt: str(o['startedAt']),
    ageSeconds: num(o['ageSeconds']),
    bytes: pair(o['bytes']),
    messages: pair(o['messages']),
    types: arr(o['types']).map(typeDoc).filter((t): t is TypeDoc => t !== null),
  };
}

function upstreamDoc(o: Obj): UpstreamDoc {
  return {
    state: str(o['state']) ?? 'UNKNOWN',
    target: str(o['target']),
    domain: str(o['domain']),
    tls: bool(o['tls']),
    since: str(o['since']),
    lastError: errorAt(o['lastError']),
    nextAttemptAt: str(o['nextAttemptAt']),
    connects: num(o['connects']),
    failures: num(o['failures']),
    connectionAgeSeconds: num(o['connectionAgeSeconds']),
  };
}

function credentialsDoc(o: Obj): CredentialsDoc {
  return {
    state: str(o['state']) ?? 'UNKNOWN',
    source: str(o['source']),
    expiration: str(o['expiration']),
    lastRefresh: str(o['lastRefresh']),
    lastError: errorAt(o['lastError']),
  };
}

/** Parsed JSON -> RelayDoc; NotThatDocumentError when it is not a relay's /status (e.g. an agent's). */
export function readRelayDocument(v: unknown): RelayDoc {
  if (!isObj(v)) throw new NotThatDocumentError('the answer is not a JSON object');
  if (!Array.isArray(v['activeStreams']) || !isObj(v['upstream']) || typeof v['healthStatus'] !== 'string') {
    if ('envoyState' in v) throw new NotThatDocumentError("this is an appnet-agent's /status, not a relay's: use --agent");
    throw new NotThatDocumentError('the answer is not an appnet-relay /status document (no healthStatus, upstream and activeStreams)');
  }
  const streams = obj(v['streams']);
  const listener = obj(v['listener']);
  return {
    healthStatus: v['healthStatus'],
    reasons: strings(v['reasons']),
    relayUptime: str(v['relayUptime']),
    listener: { path: str(listener['path']), listening: bool(listener['listening']), connections: num(listener['connections']) },
    upstream: upstreamDoc(v['upstream']),
    credentials: credentialsDoc(obj(v['credentials'])),
    streams: { active: num(streams['active']), total: num(streams['total']), internalErrors: num(streams['internalErrors']) },
    activeStreams: v['activeStreams'].map(streamDoc),
  };
}
