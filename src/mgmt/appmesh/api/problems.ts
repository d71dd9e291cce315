import type { Problem } from '../../../common/problem';
import { KIND_INFO, RESOURCE_KINDS, arnResource, type ResourceId, type ResourceKind } from '../resource-kinds';

/**
 * The model validation names a resource by its place in the model document
 * (`virtualNodes[3] (apps/serviceC): spec.listeners[0]...`). An API caller
 * thinks in the resource it sent: its own problems are given by field path
 * alone, another resource's by kind and name. Pure.
 */

const LABEL = /^([A-Za-z]+)\[\d+\] \(([^)]*)\)(?:: |$)/;

export function apiProblems(problems: readonly Problem[], kind: ResourceKind, id: ResourceId): Problem[] {
  const own = arnResource(kind, id).split('/').filter((_, i) => i % 2 === 1).join('/');
  return problems.map((p) => {
    const m = LABEL.exec(p.where);
    if (!m) return p;
    const other = RESOURCE_KINDS.find((k) => KIND_INFO[k].list === m[1]);
    if (!other) return p;
    const rest = p.where.slice(m[0].length);
    if (other === kind && m[2] === own) return { ...p, where: rest };
    return { ...p, where: rest === '' ? `${KIND_INFO[other].text} ${m[2]}` : `${KIND_INFO[other].text} ${m[2]}: ${rest}` };
  });
}
