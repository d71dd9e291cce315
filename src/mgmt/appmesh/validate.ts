import { fail, fieldProblem, ok, problem, type Problem, type Result } from '../../common/problem';
import { formatEndpoint, parseEndpoint } from './endpoints';
import { BodyReader, describe, isObject } from './json-reader';
import { gatewayReferenceProblems } from './gateway-references';
import { ModelIndex } from './model-index';
import { parseVirtualGateway } from './parse-gateway';
import { parseGatewayRoute } from './parse-gateway-route';
import { parseMesh, parseVirtualNode, parseVirtualRouter, parseVirtualService } from './parse-resources';
import { parseRoute } from './parse-route';
import { referenceProblems, type Labelled } from './references';
import { RESOURCE_LISTS, nodeKey, type AppMeshDocument, type AppMeshModel, type JsonObject, type LocalEndpoint, type Mesh, type ResourceList } from './types';

/**
 * The whole-model check: every resource's shape, duplicate names (per kind and
 * mesh; routes per virtual router, gateway routes per virtual gateway), the
 * local `endpoints` extension, then the references between resources. Pure. On
 * success the document is returned normalised (every list present, endpoint
 * keys as "<mesh>/<node>") with its typed model; otherwise every problem, each
 * naming its resource (`virtualNodes[1] (apps/serviceB): spec.listeners[0]...`).
 */

/** A valid document, normalised, with its typed model. */
export interface ValidModel {
  document: AppMeshDocument;
  model: AppMeshModel;
}

export type ValidationResult = Result<ValidModel>;

const NAME_FIELDS: Record<ResourceList, string[]> = {
  meshes: ['meshName'],
  virtualNodes: ['meshName', 'virtualNodeName'],
  virtualServices: ['meshName', 'virtualServiceName'],
  virtualRouters: ['meshName', 'virtualRouterName'],
  routes: ['meshName', 'virtualRouterName', 'routeName'],
  virtualGateways: ['meshName', 'virtualGatewayName'],
  gatewayRoutes: ['meshName', 'virtualGatewayName', 'gatewayRouteName'],
};

const KIND_TEXT: Record<ResourceList, string> = {
  meshes: 'mesh',
  virtualNodes: 'virtual node',
  virtualServices: 'virtual service',
  virtualRouters: 'virtual router',
  routes: 'route',
  virtualGateways: 'virtual gateway',
  gatewayRoutes: 'gateway route',
};

/** "apps/serviceB" for a resource body, from whichever of its name fields are strings. */
export function resourceIdentity(list: ResourceList, body: JsonObject): string {
  return NAME_FIELDS[list].map((f) => (typeof body[f] === 'string' && body[f] !== '' ? body[f] : '?')).join('/');
}

function label(list: ResourceList, i: number, body: JsonObject): string {
  return `${list}[${i}] (${resourceIdentity(list, body)})`;
}

/** Parse one list with `parse`, reporting duplicates by `key`. */
function parseList<T>(
  problems: Problem[],
  list: ResourceList,
  items: JsonObject[],
  parse: (r: BodyReader, body: JsonObject) => T | undefined,
  key: (v: T) => string,
): Labelled<T>[] {
  const out: Labelled<T>[] = [];
  const seen = new Map<string, string>();
  items.forEach((body, i) => {
    const l = label(list, i, body);
    const before = problems.length;
    const value = parse(new BodyReader(problems, l), body);
    if (value === undefined) return;
    const complete = problems.length === before;
    const k = key(value);
    const first = seen.get(k);
    if (first !== undefined) {
      problems.push(fieldProblem('', `duplicate ${KIND_TEXT[list]} "${k}" (already defined as ${first})`, l));
      return;
    }
    seen.set(k, `${list}[${i}]`);
    out.push({ label: l, value, complete });
  });
  return out;
}

function readLists(problems: Problem[], doc: JsonObject): Record<ResourceList, JsonObject[]> {
  const out = {} as Record<ResourceList, JsonObject[]>;
  for (const list of RESOURCE_LISTS) {
    const v = doc[list];
    out[list] = [];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) {
      problems.push(problem(list, `expected a list of ${KIND_TEXT[list]} bodies, got ${describe(v)}`));
      continue;
    }
    v.forEach((item, i) => {
      if (isObject(item)) out[list].push(item);
      else {
        problems.push(problem(`${list}[${i}]`, `expected an object (a create-${KIND_TEXT[list].replace(' ', '-')} body), got ${describe(item)}`));
        out[list].push({});
      }
    });
  }
  return out;
}

function readEndpoints(problems: Problem[], raw: unknown, nodes: ReadonlyArray<{ mesh: string; name: string }>): Map<string, LocalEndpoint[]> {
  const out = new Map<string, LocalEndpoint[]>();
  if (raw === undefined || raw === null) return out;
  if (!isObject(raw)) {
    problems.push(problem('endpoints', `expected an object {"<mesh>/<virtualNode>": ["127.0.0.1:<port>", ...]}, got ${describe(raw)}`));
    return out;
  }
  for (const [k, list] of Object.entries(raw)) {
    const at = `endpoints[${JSON.stringify(k)}]`;
    let key: string | undefined;
    if (k.includes('/')) {
      const [mesh, node, ...rest] = k.split('/');
      if (rest.length > 0 || !mesh || !node) problems.push(problem(at, 'expected "<mesh>/<virtualNode>" or a virtual node name'));
      else if (!nodes.some((n) => n.mesh === mesh && n.name === node)) problems.push(problem(at, `no virtual node "${node}" in mesh "${mesh}"`));
      else key = k;
    } else {
      const found = nodes.filter((n) => n.name === k);
      if (found.length === 0) problems.push(problem(at, `no virtual node "${k}" in any mesh`));
      else if (found.length > 1) problems.push(problem(at, `virtual node "${k}" exists in meshes ${found.map((n) => `"${n.mesh}"`).join(', ')}; write "<mesh>/${k}"`));
      else key = nodeKey(found[0]!.mesh, k);
    }
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(problem(at, `expected a non-empty list such as ["127.0.0.1:50051"], got ${describe(list)}`));
      continue;
    }
    const parsed: LocalEndpoint[] = [];
    list.forEach((e, i) => {
      const p = parseEndpoint(e);
      if (typeof p === 'string') problems.push(problem(`${at}[${i}]`, p));
      else parsed.push(p);
    });
    if (key === undefined) continue;
    if (out.has(key)) problems.push(problem(at, `endpoints for "${key}" are given twice`));
    else out.set(key, parsed);
  }
  return out;
}

export function validateDocument(input: unknown): ValidationResult {
  const problems: Problem[] = [];
  if (!isObject(input)) return fail([problem('', `the App Mesh model must be an object {${RESOURCE_LISTS.join(', ')}, endpoints?}, got ${describe(input)}`)]);
  for (const k of Object.keys(input)) {
    if (!(RESOURCE_LISTS as readonly string[]).includes(k) && k !== 'endpoints') problems.push(problem(k, `unknown top-level key (expected ${RESOURCE_LISTS.join(', ')}, endpoints)`));
  }
  const lists = readLists(problems, input);
  const meshes = parseList<Mesh>(problems, 'meshes', lists.meshes, parseMesh, (m) => m.name);
  const nodes = parseList(problems, 'virtualNodes', lists.virtualNodes, parseVirtualNode, (n) => `${n.mesh}/${n.name}`);
  const services = parseList(problems, 'virtualServices', lists.virtualServices, parseVirtualService, (s) => `${s.mesh}/${s.name}`);
  const routers = parseList(problems, 'virtualRouters', lists.virtualRouters, parseVirtualRouter, (r) => `${r.mesh}/${r.name}`);
  const routes = parseList(problems, 'routes', lists.routes, parseRoute, (r) => `${r.mesh}/${r.router}/${r.name}`);
  // Gateway route names are unique per virtual gateway (App Mesh addresses them by mesh, gateway and name).
  const gateways = parseList(problems, 'virtualGateways', lists.virtualGateways, parseVirtualGateway, (g) => `${g.mesh}/${g.name}`);
  const gatewayRoutes = parseList(problems, 'gatewayRoutes', lists.gatewayRoutes, parseGatewayRoute, (r) => `${r.mesh}/${r.gateway}/${r.name}`);
  const endpoints = readEndpoints(problems, input['endpoints'], nodes.map((n) => n.value));
  const model: AppMeshModel = {
    meshes: meshes.map((x) => x.value),
    nodes: nodes.map((x) => x.value),
    services: services.map((x) => x.value),
    routers: routers.map((x) => x.value),
    routes: routes.map((x) => x.value),
    gateways: gateways.map((x) => x.value),
    gatewayRoutes: gatewayRoutes.map((x) => x.value),
    endpoints,
  };
  const index = new ModelIndex(model);
  problems.push(...referenceProblems(index, { nodes, services, routers, routes }), ...gatewayReferenceProblems(index, { gateways, gatewayRoutes }));
  if (problems.length > 0) return fail(problems);
  const document: AppMeshDocument = { ...lists };
  if (endpoints.size > 0) document.endpoints = Object.fromEntries([...endpoints].map(([k, v]) => [k, v.map(formatEndpoint)]));
  return ok({ document, model });
}
