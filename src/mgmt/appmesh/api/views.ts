import { KIND_INFO, idOfBody, resourceArn, type ArnContext, type ResourceKind } from '../resource-kinds';
import type { ResourceRecord } from '../state/state';

/**
 * A stored resource as the API returns it: the data shape of Create/Describe/
 * Update/Delete (`MeshData`, `VirtualNodeData`, ...: names, spec, metadata,
 * status) and the reference shape of List (`MeshRef`, `VirtualNodeRef`, ...).
 * Timestamps are epoch seconds, as restJson1 writes them. The shapes are the
 * contract's (src/common/contracts/appmesh-api.ts). Pure.
 */

export type { StatusCode } from '../../../common/contracts/appmesh-api';
import type { ResourceData, ResourceNames, ResourceRef, StatusCode } from '../../../common/contracts/appmesh-api';

/** The account that owns everything here (meshOwner and resourceOwner), the region and partition of the ARNs. */
export type ViewContext = ArnContext;

const seconds = (ms: number) => ms / 1000;

function names(kind: ResourceKind, r: ResourceRecord): ResourceNames {
  const info = KIND_INFO[kind];
  const out: ResourceNames & Record<string, string> = { meshName: String(r.body['meshName']) };
  if (info.parent) out[KIND_INFO[info.parent].nameField] = String(r.body[KIND_INFO[info.parent].nameField]);
  if (kind !== 'mesh') out[info.nameField] = String(r.body[info.nameField]);
  return out;
}

function arnOf(ctx: ViewContext, kind: ResourceKind, r: ResourceRecord): string {
  const id = idOfBody(kind, r.body);
  return id ? resourceArn(ctx, kind, id) : '';
}

export function dataView(ctx: ViewContext, kind: ResourceKind, r: ResourceRecord, status: StatusCode = 'ACTIVE'): ResourceData {
  return {
    ...names(kind, r),
    spec: (r.body['spec'] as Record<string, unknown> | undefined) ?? {},
    metadata: {
      arn: arnOf(ctx, kind, r),
      uid: r.uid,
      version: r.version,
      createdAt: seconds(r.createdAt),
      lastUpdatedAt: seconds(r.lastUpdatedAt),
      meshOwner: ctx.account,
      resourceOwner: ctx.account,
    },
    status: { status },
  };
}

export function refView(ctx: ViewContext, kind: ResourceKind, r: ResourceRecord): ResourceRef {
  return {
    ...names(kind, r),
    arn: arnOf(ctx, kind, r),
    version: r.version,
    createdAt: seconds(r.createdAt),
    lastUpdatedAt: seconds(r.lastUpdatedAt),
    meshOwner: ctx.account,
    resourceOwner: ctx.account,
  };
}
