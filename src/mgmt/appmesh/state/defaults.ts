import { isObject } from '../json-reader';
import type { ResourceKind } from '../resource-kinds';
import type { JsonObject } from '../types';

/**
 * The spec defaults App Mesh fills in and reports back (describe-* shows them):
 * a mesh's egress filter is DROP_ALL, a virtual node lists its backends and
 * listeners even when there are none, a virtual service or router spec is at
 * least `{}`. Applied once, when a resource is created or updated, so what the
 * API returns is what the translation reads. Pure; a malformed spec is left to
 * validation, untouched.
 */
export function withSpecDefaults(kind: ResourceKind, body: JsonObject): JsonObject {
  const spec = body['spec'] === undefined || body['spec'] === null ? {} : body['spec'];
  if (!isObject(spec)) return body;
  let filled: JsonObject = spec;
  if (kind === 'mesh' && filled['egressFilter'] === undefined) filled = { ...filled, egressFilter: { type: 'DROP_ALL' } };
  if (kind === 'virtualNode') {
    if (filled['backends'] === undefined) filled = { ...filled, backends: [] };
    if (filled['listeners'] === undefined) filled = { ...filled, listeners: [] };
  }
  return { ...body, spec: filled };
}
