import type { RelayStatus } from '../../../src/relay/status';
import type { StreamView } from '../../../src/relay/relayed-stream-types';
import type { TypeView } from '../../../src/relay/xds-tracker';
import { AdsPath, TypeUrl } from '../../../src/common/xds/vocabulary';

/**
 * Relay /status documents for the CLI's unit tests, typed with the relay's own
 * types: when the relay's document changes shape, these stop compiling.
 */

export const CDS = TypeUrl.Cluster;
export const LDS = TypeUrl.Listener;
export const EDS = TypeUrl.ClusterLoadAssignment;
export const RTDS = 'type.googleapis.com/envoy.service.runtime.v3.Runtime';
export const ADS_PATH = AdsPath.sotw;

export function type(typeUrl: string, state: TypeView['state'], over: Partial<TypeView> = {}): TypeView {
  const sent = state !== 'NOT_SENT';
  return {
    typeUrl,
    state,
    requests: 1,
    responses: sent ? 1 : 0,
    acks: state === 'SYNCED' ? 1 : 0,
    nacks: state === 'NACKED' ? 1 : 0,
    lastVersionSent: sent ? '1503230bc361a5cd' : null,
    lastNonceSent: sent ? '1' : null,
    lastResourceCount: sent ? 2 : null,
    lastResponseAt: sent ? '2026-11-21T08:48:20.000Z' : null,
    lastAckedVersion: state === 'SYNCED' ? '1503230bc361a5cd' : null,
    lastNack: null,
    ...over,
  };
}

export function nack(message: string, at = '2026-11-21T08:48:21.000Z'): TypeView['lastNack'] {
  return { nonce: '2', keptVersion: '', rejectedVersion: '67150f2930ea18c8', code: 3, message, at };
}

export function stream(id: number, node: { id: string; cluster?: string } | null, types: TypeView[], over: Partial<StreamView> = {}): StreamView {
  return {
    id,
    path: ADS_PATH,
    kind: 'sotw',
    phase: 'streaming',
    node: node ? { id: node.id, cluster: node.cluster ?? '', userAgent: 'envoy' } : null,
    startedAt: '2026-11-21T08:48:19.000Z',
    ageSeconds: 312,
    bytes: { fromClient: 406, toClient: 652 },
    messages: { fromClient: 2, toClient: 2 },
    types,
    status: null,
    ...over,
  };
}

export function relayStatus(streams: StreamView[], over: Partial<RelayStatus> = {}): RelayStatus {
  return {
    healthStatus: 'HEALTHY',
    reasons: [],
    relayUptime: '3605s',
    listener: { path: '/tmp/relay_xds.sock', listening: true, socket: 'PRESENT', mode: '0600', connections: 2 },
    upstream: {
      target: '127.0.0.1:45127',
      address: '127.0.0.1',
      addresses: ['127.0.0.1'],
      domain: 'ecs-sc.us-west-2.api.aws',
      tls: true,
      state: 'CONNECTED',
      since: '2026-11-21T08:48:19.813Z',
      lastError: null,
      nextAttemptAt: null,
      connects: 1,
      failures: 0,
      connectionAgeSeconds: 3600,
      drainingConnections: 0,
    },
    credentials: {
      state: 'VALID',
      source: 'container-credentials',
      expiration: '2026-11-21T09:48:19.812Z',
      lastRefresh: '2026-11-21T08:48:19.812Z',
      lastError: null,
      refreshes: 1,
      failures: 0,
    },
    streams: { active: streams.length, total: streams.length + 3, internalErrors: 0 },
    activeStreams: streams,
    ...over,
  };
}

/** The agent's /status as README "Agent admin API" shows it, with a last exit. */
export const AGENT_DOC = {
  healthStatus: 'HEALTHY',
  agentUptime: '3605s',
  envoyPid: '12',
  envoyState: 'LIVE',
  envoyRestartCount: '1',
  managementServerConnectionStatus: 'NOT_CONNECTED',
  managementServerDisconnectedTimestamp: '2026-11-21T09:40:02.118Z',
  envoyReadinessState: 'INITIALIZED',
  initialConfigUpdateStatus: 'UPDATE_SUCCESSFUL',
  reasons: [
    'the xDS relay is up but its management server is not connected',
    'not connected to the management server since 2026-11-21T09:40:02.118Z (tolerated for HC_DISCONNECTED_TIMEOUT_S=604800)',
  ],
  relay: { socket: '/var/run/ecs/relay/relay_xds.sock', relay: 'SERVING', controlPlane: 'NOT_SERVING', checkedAt: '2026-11-21T09:40:04.001Z', error: null },
  envoyLastExit: { pid: 11, code: null, signal: 'SIGSEGV', at: '2026-11-21T08:50:00.000Z', action: 'restarted' },
};
