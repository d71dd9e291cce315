import { z } from 'zod';
import { ResourceDataSchema } from './appmesh-api';

/**
 * The documents appnet-mgmt's web console serves under `/ui/api` and the note
 * each replica leaves for the others' consoles (docs/contracts.md), defined
 * once: the console builds them (src/mgmt/console/client-view.ts,
 * console-http.ts), parses the other replicas' notes with `ReplicaNoteSchema`,
 * and the tests parse its answers. The model (`/ui/api/model`) is made of App
 * Mesh API outputs (appmesh-api.ts).
 */

/**
 *   SYNCED   the client ACKed the last version sent
 *   PENDING  a version was sent and is not answered yet
 *   NACKED   the client rejected the last version sent (the message says why)
 *   NOT_SENT nothing was sent for a type it asked for
 */
export const ClientTypeStateSchema = z.enum(['SYNCED', 'PENDING', 'NACKED', 'NOT_SENT']);

export const ClientTypeViewSchema = z.object({
  /** The short name (CDS, LDS, ...) or the message name. */
  type: z.string(),
  typeUrl: z.string(),
  state: ClientTypeStateSchema,
  versionSent: z.string().nullable(),
  versionAcked: z.string().nullable(),
  nacks: z.number(),
  /** The last rejection: Envoy's message, when, and the version the client kept. */
  lastNack: z.object({ message: z.string(), at: z.string(), keptVersion: z.string() }).nullable(),
});

/** One connected xDS client (one open stream), as the console lists it. */
export const ClientViewSchema = z.object({
  /** The replica serving the stream ("host:port"). */
  replica: z.string(),
  streamId: z.number(),
  nodeId: z.string(),
  cluster: z.string(),
  kind: z.string(),
  userAgent: z.string().nullable(),
  connectedSince: z.string(),
  types: z.array(ClientTypeViewSchema),
});

/** `/ui/api/clients`: every replica's clients. */
export const ConsoleClientsSchema = z.object({ replica: z.string(), clients: z.array(ClientViewSchema) });

/** `/ui/api/whoami`. */
export const ConsoleWhoamiSchema = z.object({ replica: z.string(), account: z.string(), region: z.string() });

/** What a replica publishes about itself on the replica board (a shared store), for the other replicas' consoles. */
export const ReplicaNoteSchema = z.object({ at: z.string(), clients: z.array(ClientViewSchema) });

/** One mesh with its resources, in the API's own data shapes; routes under their router, gateway routes under their gateway. */
export const ConsoleMeshSchema = z.object({
  mesh: ResourceDataSchema,
  virtualNodes: z.array(ResourceDataSchema),
  virtualServices: z.array(ResourceDataSchema),
  virtualRouters: z.array(z.object({ router: ResourceDataSchema, routes: z.array(ResourceDataSchema) })),
  virtualGateways: z.array(z.object({ gateway: ResourceDataSchema, gatewayRoutes: z.array(ResourceDataSchema) })),
});

/** `/ui/api/model`. */
export const ConsoleModelSchema = z.object({
  revision: z.number(),
  account: z.string(),
  region: z.string(),
  meshes: z.array(ConsoleMeshSchema),
  /** The appnet extension: "<mesh>/<node>" -> local endpoints. */
  endpoints: z.record(z.string(), z.array(z.string())),
});

export type ConsoleMesh = z.infer<typeof ConsoleMeshSchema>;
export type ConsoleModel = z.infer<typeof ConsoleModelSchema>;
export type ClientTypeState = z.infer<typeof ClientTypeStateSchema>;
export type ClientTypeView = z.infer<typeof ClientTypeViewSchema>;
export type ClientView = z.infer<typeof ClientViewSchema>;
export type ConsoleClients = z.infer<typeof ConsoleClientsSchema>;
export type ConsoleWhoami = z.infer<typeof ConsoleWhoamiSchema>;
export type ReplicaNote = z.infer<typeof ReplicaNoteSchema>;
