import type { AnyMessage, Snapshot } from './snapshot';

/**
 * xDS messages as @grpc/proto-loader hands them over (keepCase, enums and longs
 * as strings, defaults off): any field may be missing, so the cores read them
 * defensively.
 */
export interface WireNode {
  id?: string;
  cluster?: string;
  user_agent_name?: string;
  user_agent_version?: string;
  [field: string]: unknown;
}

export interface WireStatus {
  code?: number;
  message?: string;
}

export interface DiscoveryRequest {
  version_info?: string;
  node?: WireNode | null;
  resource_names?: string[];
  type_url?: string;
  response_nonce?: string;
  error_detail?: WireStatus | null;
}

export interface DiscoveryResponse {
  version_info: string;
  resources: AnyMessage[];
  type_url: string;
  nonce: string;
}

export interface DeltaDiscoveryRequest {
  node?: WireNode | null;
  type_url?: string;
  resource_names_subscribe?: string[];
  resource_names_unsubscribe?: string[];
  initial_resource_versions?: Record<string, string>;
  response_nonce?: string;
  error_detail?: WireStatus | null;
}

export interface DeltaResource {
  name: string;
  version: string;
  resource: AnyMessage;
}

export interface DeltaDiscoveryResponse {
  system_version_info: string;
  resources: DeltaResource[];
  type_url: string;
  removed_resources: string[];
  nonce: string;
}

/**
 * What one request was: the first for its type, an ACK or NACK of the latest
 * response, one whose nonce is not the latest (ignored), or a change of
 * subscription without a nonce.
 */
export type RequestKind = 'initial' | 'ack' | 'nack' | 'stale' | 'update';

/** The last NACK and the per-type statistics, as `/streams` shows them (src/common/contracts/mgmt-admin.ts). */
export type { NackInfo } from '../common/contracts/xds-nack';
export type { MgmtTypeStats as TypeStats } from '../common/contracts/mgmt-admin';
import type { MgmtTypeStats as TypeStats } from '../common/contracts/mgmt-admin';

export function newTypeStats(): TypeStats {
  return { subscribed: [], lastVersion: '', lastNonce: '', responses: 0, acks: 0, nacks: 0, stale: 0, lastAckedVersion: null, lastNack: null, pending: false };
}

/** A request the protocol does not allow (the stream ends with INVALID_ARGUMENT). */
export class XdsProtocolError extends Error {
  override name = 'XdsProtocolError';
}

export interface HandleResult<Res> {
  kind: RequestKind;
  typeUrl: string;
  responses: Res[];
}

/** The protocol core of one stream: pure, no I/O; the session shell does the sending. */
export interface StreamCore<Req, Res> {
  handle(req: Req, snapshot: Snapshot): HandleResult<Res>;
  /** After a resource change: responses for every open watch whose resources changed. */
  refresh(snapshot: Snapshot): Res[];
  stats(): Record<string, TypeStats>;
}
