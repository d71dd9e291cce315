import type { AppMeshModel, GatewayRoute, Mesh, PortMapping, Route, VirtualGateway, VirtualNode, VirtualRouter, VirtualService } from './types';

/** Lookups over a model by mesh and name (built once per validation or translation; read-only). */
export class ModelIndex {
  private readonly meshes = new Map<string, Mesh>();
  private readonly nodes = new Map<string, VirtualNode>();
  private readonly services = new Map<string, VirtualService>();
  private readonly routers = new Map<string, VirtualRouter>();
  private readonly routes = new Map<string, Route[]>();
  private readonly gateways = new Map<string, VirtualGateway>();
  private readonly gatewayRoutes = new Map<string, GatewayRoute[]>();

  constructor(readonly model: AppMeshModel) {
    for (const m of model.meshes) if (!this.meshes.has(m.name)) this.meshes.set(m.name, m);
    for (const n of model.nodes) this.first(this.nodes, `${n.mesh}/${n.name}`, n);
    for (const s of model.services) this.first(this.services, `${s.mesh}/${s.name}`, s);
    for (const r of model.routers) this.first(this.routers, `${r.mesh}/${r.name}`, r);
    for (const r of model.routes) {
      const key = `${r.mesh}/${r.router}`;
      const list = this.routes.get(key) ?? [];
      if (!list.some((x) => x.name === r.name)) list.push(r);
      this.routes.set(key, list);
    }
    for (const list of this.routes.values()) list.sort(compareRoutes);
    for (const g of model.gateways) this.first(this.gateways, `${g.mesh}/${g.name}`, g);
    for (const r of model.gatewayRoutes) {
      const key = `${r.mesh}/${r.gateway}`;
      const list = this.gatewayRoutes.get(key) ?? [];
      if (!list.some((x) => x.name === r.name)) list.push(r);
      this.gatewayRoutes.set(key, list);
    }
    for (const list of this.gatewayRoutes.values()) list.sort(compareRoutes);
  }

  private first<T>(map: Map<string, T>, key: string, value: T): void {
    if (!map.has(key)) map.set(key, value);
  }

  mesh(name: string): Mesh | undefined {
    return this.meshes.get(name);
  }

  node(mesh: string, name: string): VirtualNode | undefined {
    return this.nodes.get(`${mesh}/${name}`);
  }

  service(mesh: string, name: string): VirtualService | undefined {
    return this.services.get(`${mesh}/${name}`);
  }

  router(mesh: string, name: string): VirtualRouter | undefined {
    return this.routers.get(`${mesh}/${name}`);
  }

  /** A router's routes in matching order: priority (0 first, none last), then longer path first, then name. */
  routesOf(mesh: string, router: string): readonly Route[] {
    return this.routes.get(`${mesh}/${router}`) ?? [];
  }

  gateway(mesh: string, name: string): VirtualGateway | undefined {
    return this.gateways.get(`${mesh}/${name}`);
  }

  /** A virtual gateway's routes in App Mesh's order: priority (0 first, none last), then longer path first, then name. */
  gatewayRoutesOf(mesh: string, gateway: string): readonly GatewayRoute[] {
    return this.gatewayRoutes.get(`${mesh}/${gateway}`) ?? [];
  }

  servicesOf(mesh: string): VirtualService[] {
    return this.model.services.filter((s) => s.mesh === mesh);
  }

  /** The ports (and protocols) a virtual service is reached on: its provider's listeners. */
  servicePorts(service: VirtualService): PortMapping[] {
    const p = service.provider;
    if (!p) return [];
    if (p.kind === 'virtualNode') return (this.node(service.mesh, p.name)?.listeners ?? []).map((l) => ({ port: l.port, protocol: l.protocol }));
    return this.router(service.mesh, p.name)?.listeners ?? [];
  }
}

/** What ordering needs of a route or gateway route. */
interface Ordered {
  name: string;
  priority: number | undefined;
  match: { path?: { value: string } };
}

function compareRoutes(a: Ordered, b: Ordered): number {
  const pa = a.priority ?? Number.MAX_SAFE_INTEGER;
  const pb = b.priority ?? Number.MAX_SAFE_INTEGER;
  if (pa !== pb) return pa - pb;
  const la = a.match.path?.value.length ?? 0;
  const lb = b.match.path?.value.length ?? 0;
  if (la !== lb) return lb - la;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
