import { z } from 'zod';
import { NackInfoSchema } from './xds-nack';

/**
 * appnet-mgmt's admin documents (`/healthz`, `/streams`, `/resources`,
 * `/rejections`, `/nacks` on the admin port; docs/contracts.md), defined once:
 * the management server builds values of these types (server.ts,
 * stream-registry.ts, the SotW and Delta cores), the console and the tests
 * read an answer by parsing it with these schemas. Readers ignore keys they do
 * not know.
 */

/** Per stream and type, what the server sent and what the client answered. */
export const MgmtTypeStatsSchema = z.object({
  /** Subscribed names; "*" stands for the wildcard. */
  subscribed: z.array(z.string()),
  lastVersion: z.string(),
  lastNonce: z.string(),
  responses: z.number(),
  acks: z.number(),
  nacks: z.number(),
  /** Requests answering a nonce that was not the latest (ignored). */
  stale: z.number(),
  lastAckedVersion: z.string().nullable(),
  lastNack: NackInfoSchema.nullable(),
  /**
   * The snapshot has changes for this client not sent yet: held back by
   * make-before-break or waiting for the client to answer the last response.
   * False once the client has been sent everything.
   */
  pending: z.boolean(),
});

export const SigV4VerdictSchema = z.object({ ok: z.boolean(), accessKeyId: z.string().nullable(), reason: z.string().nullable() });

export const MgmtStreamKindSchema = z.enum(['sotw', 'delta']);

/** What the server knows about one ADS stream: an element of `/streams`. */
export const StreamRecordSchema = z.object({
  id: z.number(),
  kind: MgmtStreamKindSchema,
  path: z.string(),
  /** The :authority the client sent. */
  authority: z.string(),
  peer: z.string(),
  /** The user-agent header. */
  userAgent: z.string().nullable(),
  nodeId: z.string().nullable(),
  nodeCluster: z.string().nullable(),
  /** node.user_agent_name and user_agent_version, e.g. "envoy 1.29.1". */
  nodeUserAgent: z.string().nullable(),
  /** null when the server does not check signatures. */
  sigv4: SigV4VerdictSchema.nullable(),
  startedAt: z.string(),
  open: z.boolean(),
  endedAt: z.string().nullable(),
  endStatus: z.object({ code: z.number(), details: z.string() }).nullable(),
  requests: z.number(),
  /** By type URL. */
  types: z.record(z.string(), MgmtTypeStatsSchema),
});

/** `/streams` (open streams first, then recently closed ones; `?open=1` for open ones only). */
export const MgmtStreamsSchema = z.array(StreamRecordSchema);

/** A stream refused before it was served (e.g. a bad signature): an element of `/rejections`. */
export const RejectionSchema = z.object({
  at: z.string(),
  streamId: z.number(),
  reason: z.string(),
  authority: z.string(),
  path: z.string(),
  peer: z.string(),
  accessKeyId: z.string().nullable(),
});
export const MgmtRejectionsSchema = z.array(RejectionSchema);

/** NACKs counted per node and type: an element of `/nacks`. */
export const NackSummarySchema = z.object({
  nodeId: z.string(),
  typeUrl: z.string(),
  count: z.number(),
  lastMessage: z.string(),
  lastAt: z.string(),
});
export const MgmtNacksSchema = z.array(NackSummarySchema);

/** The model store behind the server, when it has one. */
export const StoreHealthSchema = z.object({
  kind: z.enum(['memory', 'file', 'etcd']),
  /** false while the store cannot be reached (the last model keeps being served). */
  reachable: z.boolean(),
  lastError: z.string().optional(),
  revision: z.number(),
  /** e.g. "etcd 127.0.0.1:2379/appnet". */
  description: z.string(),
});

/** `/healthz`. */
export const MgmtHealthSchema = z.object({
  status: z.enum(['ok', 'closing']),
  port: z.number(),
  openStreams: z.number(),
  uptimeS: z.number(),
  /** appnet-mgmt (not an embedded server without a store). */
  store: StoreHealthSchema.optional(),
});

/** `/resources[?node=ID]`: what the server holds for a node, by type URL: the type's version and each resource's. */
export const MgmtResourcesSchema = z.object({
  node: z.string().nullable(),
  nodesWithOwnResources: z.array(z.string()),
  types: z.record(z.string(), z.object({ version: z.string(), resources: z.record(z.string(), z.string()) })),
});

export type MgmtTypeStats = z.infer<typeof MgmtTypeStatsSchema>;
export type SigV4Verdict = z.infer<typeof SigV4VerdictSchema>;
export type MgmtStreamKind = z.infer<typeof MgmtStreamKindSchema>;
export type StreamRecord = z.infer<typeof StreamRecordSchema>;
export type Rejection = z.infer<typeof RejectionSchema>;
export type NackSummary = z.infer<typeof NackSummarySchema>;
export type StoreHealth = z.infer<typeof StoreHealthSchema>;
export type MgmtHealth = z.infer<typeof MgmtHealthSchema>;
export type MgmtResources = z.infer<typeof MgmtResourcesSchema>;
