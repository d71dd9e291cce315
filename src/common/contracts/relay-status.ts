import { z } from 'zod';
import { NackInfoSchema } from './xds-nack';

export { NackInfoSchema, type NackInfo } from './xds-nack';

/**
 * The relay's `/status` document (README "Admin API"), defined once: the relay
 * builds values of these types (status.ts, upstream.ts, xds-tracker.ts,
 * credentials.ts, relayed-stream.ts), and the CLI, the local mesh and the
 * tests read an answer by parsing it with `RelayStatusSchema`. Fields may be
 * added in later versions (readers ignore keys they do not know); a field
 * added after the first release is optional here, so an older relay still
 * parses.
 */

const ErrorAt = z.object({ message: z.string(), at: z.string() });

/** Where one xDS type of one stream stands, as `appnet status` shows it. */
export const TypeSyncStateSchema = z.enum(['NOT_SENT', 'STALE', 'SYNCED', 'NACKED']);

export const TypeViewSchema = z.object({
  typeUrl: z.string(),
  state: TypeSyncStateSchema,
  requests: z.number(),
  responses: z.number(),
  acks: z.number(),
  nacks: z.number(),
  lastVersionSent: z.string().nullable(),
  lastNonceSent: z.string().nullable(),
  lastResourceCount: z.number().nullable(),
  lastResponseAt: z.string().nullable(),
  lastAckedVersion: z.string().nullable(),
  lastNack: NackInfoSchema.nullable(),
});

export const NodeSummarySchema = z.object({
  id: z.string(),
  cluster: z.string(),
  userAgent: z.string(),
  locality: z.object({ region: z.string(), zone: z.string(), subZone: z.string() }).optional(),
});

export const StreamKindSchema = z.enum(['sotw', 'delta', 'opaque']);
export const StreamPhaseSchema = z.enum(['admitting', 'connecting', 'signing', 'awaiting_response', 'streaming', 'closed']);
const Pair = z.object({ fromClient: z.number(), toClient: z.number() });

export const StreamViewSchema = z.object({
  id: z.number(),
  path: z.string(),
  kind: StreamKindSchema,
  phase: StreamPhaseSchema,
  node: NodeSummarySchema.nullable(),
  startedAt: z.string(),
  ageSeconds: z.number(),
  bytes: Pair,
  messages: Pair,
  types: z.array(TypeViewSchema),
  status: z.object({ code: z.number(), message: z.string() }).nullable(),
});

export const UpstreamStateSchema = z.enum(['CONNECTED', 'CONNECTING', 'NOT_CONNECTED']);

/** One of the relay's connections to the management server. */
export const UpstreamConnectionSchema = z.object({
  address: z.string(),
  /** Streams the relay gave it that have not ended. */
  streams: z.number(),
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS for it; null when it advertised none. */
  maxConcurrentStreams: z.number().nullable(),
  ageSeconds: z.number(),
  draining: z.boolean(),
});

export const UpstreamStatusSchema = z.object({
  /** The address:port of the oldest open connection (or, while not connected, the configured hosts). */
  target: z.string(),
  /** The address of the oldest open connection, null while not connected. */
  address: z.string().nullable().optional(),
  /** Every address the configured hosts resolved to at the last attempt. */
  addresses: z.array(z.string()).optional(),
  domain: z.string(),
  tls: z.boolean(),
  state: UpstreamStateSchema,
  since: z.string(),
  lastError: ErrorAt.nullable(),
  nextAttemptAt: z.string().nullable(),
  connects: z.number(),
  failures: z.number(),
  /** Age of the oldest open connection (the one `address` names). */
  connectionAgeSeconds: z.number().nullable(),
  drainingConnections: z.number(),
  /** RELAY_UPSTREAM_CONNECTIONS and RELAY_UPSTREAM_MAX_CONNECTIONS. */
  pool: z.object({ size: z.number(), max: z.number() }).optional(),
  /** Every open connection (draining ones included), oldest first, with the streams it carries. */
  connections: z.array(UpstreamConnectionSchema).optional(),
});

export const CredentialStateSchema = z.enum(['NOT_LOADED', 'VALID', 'EXPIRED', 'FAILED']);

export const CredentialStatusSchema = z.object({
  state: CredentialStateSchema,
  /** Where the current credentials came from, e.g. "container-credentials"; never the keys. */
  source: z.string().nullable(),
  expiration: z.string().nullable(),
  lastRefresh: z.string().nullable(),
  lastError: ErrorAt.nullable(),
  refreshes: z.number(),
  failures: z.number(),
});

/** RELAY_V8_INCREMENTAL_MARKING's values. */
export const MarkingModeSchema = z.enum(['auto', 'on', 'off']);
/** The relay's incremental marking as /status shows it (the relay keeps exactly this record). */
export const IncrementalMarkingSchema = z.object({ mode: MarkingModeSchema, on: z.boolean(), switches: z.number() });

export const SocketPresenceSchema = z.enum(['PRESENT', 'MISSING', 'REPLACED']);
export const RelayHealthSchema = z.enum(['HEALTHY', 'UNHEALTHY', 'DRAINING']);

export const RelayStatusSchema = z.object({
  healthStatus: RelayHealthSchema,
  /** Why it is not HEALTHY, one plain sentence each. */
  reasons: z.array(z.string()),
  relayUptime: z.string(),
  listener: z.object({ path: z.string(), listening: z.boolean(), socket: SocketPresenceSchema.optional(), mode: z.literal('0600'), connections: z.number() }),
  upstream: UpstreamStatusSchema,
  credentials: CredentialStatusSchema,
  streams: z.object({ active: z.number(), total: z.number(), internalErrors: z.number() }),
  /**
   * Memory given back after a quiet spell (RELAY_MEMORY_TRIM_AFTER_QUIET): trims run
   * since start and the last one (RSS in bytes). Absent when the trim is off.
   */
  memoryTrim: z
    .object({
      trims: z.number(),
      /** Activity was seen and its quiet spell is still awaited (or a trim V8 declined is to be retried). */
      pending: z.boolean(),
      last: z.object({ at: z.string(), pauseMs: z.number(), rssBefore: z.number(), rssAfter: z.number(), youngBefore: z.number(), youngAfter: z.number() }).optional(),
    })
    .optional(),
  /**
   * V8's incremental marking (RELAY_V8_INCREMENTAL_MARKING): the mode, whether it is on
   * now, and how often `auto` switched it (on above 48 MiB of old generation, off below 32).
   */
  incrementalMarking: IncrementalMarkingSchema.optional(),
  /** One entry per open stream; empty in `/status?summary`. */
  activeStreams: z.array(StreamViewSchema),
});

export type MarkingMode = z.infer<typeof MarkingModeSchema>;
export type IncrementalMarking = z.infer<typeof IncrementalMarkingSchema>;
export type TypeSyncState = z.infer<typeof TypeSyncStateSchema>;
export type TypeView = z.infer<typeof TypeViewSchema>;
export type NodeSummary = z.infer<typeof NodeSummarySchema>;
export type StreamKind = z.infer<typeof StreamKindSchema>;
export type StreamPhase = z.infer<typeof StreamPhaseSchema>;
export type StreamView = z.infer<typeof StreamViewSchema>;
export type UpstreamState = z.infer<typeof UpstreamStateSchema>;
export type UpstreamStatus = z.infer<typeof UpstreamStatusSchema>;
export type UpstreamConnectionView = z.infer<typeof UpstreamConnectionSchema>;
export type CredentialState = z.infer<typeof CredentialStateSchema>;
export type CredentialStatus = z.infer<typeof CredentialStatusSchema>;
export type SocketPresence = z.infer<typeof SocketPresenceSchema>;
export type RelayHealth = z.infer<typeof RelayHealthSchema>;
export type RelayStatus = z.infer<typeof RelayStatusSchema>;
