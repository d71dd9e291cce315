import type { CredentialStatus, RelayHealth, RelayStatus } from '../common/contracts/relay-status';
import type { TrimRecord } from '../common/memory-trim';
import type { MarkingRecord } from './incremental-marking';
import type { StreamView } from './relayed-stream';
import { type SocketPresence, presenceReason } from './socket-presence';
import type { UpstreamStatus } from './upstream';

export type { RelayHealth, RelayStatus } from '../common/contracts/relay-status';

export interface StatusParts {
  uptimeMs: number;
  draining: boolean;
  listenerPath: string;
  /** Accepting connections (false once draining). */
  listening: boolean;
  socket: SocketPresence;
  connections: number;
  upstream: UpstreamStatus;
  credentials: CredentialStatus;
  /** Per-stream views (empty for a summary). */
  streams: StreamView[];
  activeCount: number;
  totalStreams: number;
  internalErrors: number;
  /** Undefined when the memory trim is off. */
  memoryTrim: TrimRecord | undefined;
  /** Undefined before the relay started. */
  incrementalMarking: MarkingRecord | undefined;
}

/** The relay's /status document: health first, then every fact behind it. */
export function buildRelayStatus(p: StatusParts): RelayStatus {
  const reasons: string[] = [];
  if (p.socket !== 'PRESENT' && !p.draining) reasons.push(presenceReason(p.listenerPath, p.socket));
  else if (!p.listening && !p.draining) reasons.push(`not listening on ${p.listenerPath}`);
  if (p.upstream.state !== 'CONNECTED') {
    const err = p.upstream.lastError ? `: ${p.upstream.lastError.message}` : '';
    reasons.push(`management server ${p.upstream.domain} is ${p.upstream.state}${err}`);
  }
  if (p.credentials.state === 'FAILED' || p.credentials.state === 'EXPIRED') {
    reasons.push(`AWS credentials ${p.credentials.state}${p.credentials.lastError ? `: ${p.credentials.lastError.message}` : ''}`);
  }
  const healthStatus: RelayHealth = p.draining ? 'DRAINING' : reasons.length === 0 ? 'HEALTHY' : 'UNHEALTHY';
  if (p.draining) reasons.unshift('shutting down: draining streams');
  return {
    healthStatus,
    reasons,
    relayUptime: `${Math.round(p.uptimeMs / 1000)}s`,
    listener: { path: p.listenerPath, listening: p.listening && p.socket === 'PRESENT', socket: p.socket, mode: '0600', connections: p.connections },
    upstream: p.upstream,
    credentials: p.credentials,
    streams: { active: p.activeCount, total: p.totalStreams, internalErrors: p.internalErrors },
    ...(p.memoryTrim ? { memoryTrim: { trims: p.memoryTrim.trims, pending: p.memoryTrim.pending, ...(p.memoryTrim.last ? { last: { ...p.memoryTrim.last } } : {}) } } : {}),
    ...(p.incrementalMarking ? { incrementalMarking: { ...p.incrementalMarking } } : {}),
    activeStreams: p.streams,
  };
}
