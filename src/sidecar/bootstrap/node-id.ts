/**
 * The App Mesh resource a node id names
 * (docs/reference-agent/bootstrap.md#mesh-resource-names):
 * `[arn:…:]mesh/<mesh>/<type>/<name>`.
 */
export interface MeshResource {
  mesh: string;
  /** As written, e.g. `virtualNode`. */
  type: string;
  name: string;
  /** `virtual_node` */
  snakeType: string;
  /** `VirtualNode` */
  upperCamelType: string;
}

/**
 * Split on "/": part 1 is the mesh, part 2 the type, part 3 the name (extra parts are
 * ignored). Fewer than four parts, or an empty mesh/type/name, is not a mesh resource.
 */
export function parseMeshResource(nodeId: string): MeshResource | undefined {
  const parts = nodeId.split('/');
  if (parts.length < 4) return undefined;
  const [, mesh, type, name] = parts as [string, string, string, string];
  if (mesh === '' || type === '' || name === '') return undefined;
  return {
    mesh,
    type,
    name,
    snakeType: type.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase(),
    upperCamelType: type.charAt(0).toUpperCase() + type.slice(1),
  };
}

/** A Service Connect node id: an ECS task-set ARN. */
export function isTaskSetArn(nodeId: string): boolean {
  return nodeId.includes(':task-set/');
}

export const UNIX_SCHEME = 'unix://';

/** Service Connect mode: the xDS endpoint is a Unix socket URI. */
export function isServiceConnect(xdsEndpoint: string | undefined): boolean {
  return xdsEndpoint !== undefined && xdsEndpoint.startsWith(UNIX_SCHEME);
}
