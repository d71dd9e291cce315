import { z } from 'zod';

/**
 * The outputs of appnet-mgmt's App Mesh API (docs/app-mesh-api.md), as far as
 * appnet builds them itself, defined once (docs/contracts.md): the resource
 * data of Create/Describe/Update/Delete (`MeshData`, `VirtualNodeData`, ...),
 * the references of List (`MeshRef`, ...) and the list pages. The API
 * (src/mgmt/appmesh/api/views.ts, resource-ops.ts) and the console build
 * values of these types; tests and the console parse them. The wire reference
 * is the official SDK (@aws-sdk/client-app-mesh), which reads the same JSON;
 * `spec` stays opaque here: it is what was stored, checked on the way in by
 * the API's own validation. Timestamps are epoch seconds, as restJson1 writes
 * them.
 */

/** The name fields of a resource: its mesh, its parent (routes, gateway routes), its own. */
export const ResourceNamesSchema = z.object({
  meshName: z.string(),
  virtualNodeName: z.string().optional(),
  virtualServiceName: z.string().optional(),
  virtualRouterName: z.string().optional(),
  routeName: z.string().optional(),
  virtualGatewayName: z.string().optional(),
  gatewayRouteName: z.string().optional(),
});

export const ResourceMetadataSchema = z.object({
  arn: z.string(),
  uid: z.string(),
  /** Starts at 1, one more on every update. */
  version: z.number().int().positive(),
  createdAt: z.number(),
  lastUpdatedAt: z.number(),
  meshOwner: z.string(),
  resourceOwner: z.string(),
});

export const StatusCodeSchema = z.enum(['ACTIVE', 'INACTIVE', 'DELETED']);

/** `MeshData`, `VirtualNodeData`, ...: what Create, Describe, Update and Delete answer (under the kind's key). */
export const ResourceDataSchema = ResourceNamesSchema.extend({
  spec: z.record(z.string(), z.unknown()),
  metadata: ResourceMetadataSchema,
  status: z.object({ status: StatusCodeSchema }),
});

/** `MeshRef`, `VirtualNodeRef`, ...: one entry of a List page. */
export const ResourceRefSchema = ResourceNamesSchema.extend(ResourceMetadataSchema.omit({ uid: true }).shape);

/** A List page: the references under the kind's list key ("meshes", "virtualNodes", ...), and a token while more remain. */
export function listPageSchema<K extends string>(listKey: K) {
  return z.object({ nextToken: z.string().optional() }).extend({ [listKey]: z.array(ResourceRefSchema) } as Record<K, z.ZodArray<typeof ResourceRefSchema>>);
}

export const TagRefSchema = z.object({ key: z.string(), value: z.string().optional() });

/** ListTagsForResource. */
export const TagPageSchema = z.object({ tags: z.array(TagRefSchema), nextToken: z.string().optional() });

export type ResourceNames = z.infer<typeof ResourceNamesSchema>;
export type ResourceMetadata = z.infer<typeof ResourceMetadataSchema>;
export type StatusCode = z.infer<typeof StatusCodeSchema>;
export type ResourceData = z.infer<typeof ResourceDataSchema>;
export type ResourceRef = z.infer<typeof ResourceRefSchema>;
export type TagRef = z.infer<typeof TagRefSchema>;
export type TagPage = z.infer<typeof TagPageSchema>;
