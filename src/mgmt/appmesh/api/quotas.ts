import { fail, ok, problem, type Result } from '../../../common/problem';
import { KIND_INFO, type ResourceId, type ResourceKind } from '../resource-kinds';
import type { ControlPlaneState } from '../state/state';

/**
 * Service quotas, as App Mesh enforced them per account (its documented
 * defaults; `--quotas` changes them): a create past one is refused with
 * LimitExceededException and changes nothing. Pure.
 */

export interface Quotas {
  meshes: number;
  virtualNodesPerMesh: number;
  virtualServicesPerMesh: number;
  virtualRoutersPerMesh: number;
  routesPerVirtualRouter: number;
  virtualGatewaysPerMesh: number;
  gatewayRoutesPerVirtualGateway: number;
  backendsPerVirtualNode: number;
}

export const DEFAULT_QUOTAS: Readonly<Quotas> = {
  meshes: 15,
  virtualNodesPerMesh: 500,
  virtualServicesPerMesh: 500,
  virtualRoutersPerMesh: 200,
  routesPerVirtualRouter: 50,
  virtualGatewaysPerMesh: 50,
  gatewayRoutesPerVirtualGateway: 50,
  backendsPerVirtualNode: 50,
};

export const QUOTA_NAMES = Object.keys(DEFAULT_QUOTAS) as Array<keyof Quotas>;

const QUOTAS_FORM = `<name>=<n>[,<name>=<n>...] with a name among ${QUOTA_NAMES.join(', ')}`;

/** "meshes=30,virtualNodesPerMesh=1000" over the defaults, or the problem with the text (its `where` left to the caller). */
export function parseQuotas(text: string): Result<Quotas> {
  const quotas: Quotas = { ...DEFAULT_QUOTAS };
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [name, value, ...rest] = part.split('=');
    if (rest.length > 0 || value === undefined || !(QUOTA_NAMES as string[]).includes(name!.trim())) {
      return fail(problem('', `"${part}" is not <name>=<n> with a known name`, QUOTAS_FORM));
    }
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) return fail(problem('', `"${part}": the value must be an integer >= 1`, QUOTAS_FORM));
    quotas[name!.trim() as keyof Quotas] = n;
  }
  return ok(quotas);
}

const PER_PARENT: Partial<Record<ResourceKind, keyof Quotas>> = {
  virtualNode: 'virtualNodesPerMesh',
  virtualService: 'virtualServicesPerMesh',
  virtualRouter: 'virtualRoutersPerMesh',
  route: 'routesPerVirtualRouter',
  virtualGateway: 'virtualGatewaysPerMesh',
  gatewayRoute: 'gatewayRoutesPerVirtualGateway',
};

/** Why creating `kind` at `id` would pass a quota, or undefined. */
export function createQuotaProblem(state: ControlPlaneState, quotas: Quotas, kind: ResourceKind, id: ResourceId): string | undefined {
  const info = KIND_INFO[kind];
  if (kind === 'mesh') {
    const n = state.resources.meshes.length;
    return n >= quotas.meshes ? `this account already has ${n} meshes, the limit (meshes=${quotas.meshes})` : undefined;
  }
  const quota = PER_PARENT[kind]!;
  const parentField = info.parent ? KIND_INFO[info.parent].nameField : undefined;
  const siblings = state.resources[info.list].filter((r) => r.body['meshName'] === id.mesh && (!parentField || r.body[parentField] === id.parent));
  if (siblings.length < quotas[quota]) return undefined;
  const where = info.parent ? `${KIND_INFO[info.parent].text} "${id.parent}"` : `mesh "${id.mesh}"`;
  return `${where} already has ${siblings.length} ${info.list}, the limit (${quota}=${quotas[quota]})`;
}

/** Why a virtual node spec has more backends than allowed, or undefined. */
export function backendQuotaProblem(spec: unknown, quotas: Quotas): string | undefined {
  const backends = typeof spec === 'object' && spec !== null ? (spec as { backends?: unknown }).backends : undefined;
  if (!Array.isArray(backends) || backends.length <= quotas.backendsPerVirtualNode) return undefined;
  return `spec.backends: ${backends.length} backends, over the limit of ${quotas.backendsPerVirtualNode} per virtual node (backendsPerVirtualNode)`;
}
