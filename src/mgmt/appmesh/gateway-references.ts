import { fieldProblem, type Problem } from '../../common/problem';
import type { ModelIndex } from './model-index';
import { ROUTE_KEY, listenerText, meshProblem, type Labelled } from './references';
import { routeFitsListener, type GatewayRoute, type VirtualGateway } from './types';
import { gatewayRouteEntries } from './xds-gateway-routes';

/**
 * Checks between virtual gateways, gateway routes and the rest of the model
 * (after each body's shape is known to be right): meshes and gateways exist,
 * a route type has a gateway listener of its protocol (http and http2 routes
 * both fit http and http2 listeners), `match.port` is such a listener's port,
 * the target virtual service exists and is reached on the target `port` (a
 * port is required when it is reached on several; never a tcp port), and the
 * routes of a virtual router behind the target can be combined with the
 * gateway route's rewrite. Pure; every problem is named by its resource.
 */

export interface LabelledGateways {
  gateways: Labelled<VirtualGateway>[];
  gatewayRoutes: Labelled<GatewayRoute>[];
}

function gatewayRouteProblems(index: ModelIndex, { label, value: gr }: Labelled<GatewayRoute>, incomplete: ReadonlySet<string>): Problem[] {
  const out = meshProblem(index, label, gr.mesh);
  const at = `spec.${ROUTE_KEY[gr.kind]}`;
  const gateway = index.gateway(gr.mesh, gr.gateway);
  if (!gateway) out.push(fieldProblem('virtualGatewayName', `no virtual gateway "${gr.gateway}" in mesh "${gr.mesh}"`, label));
  else if (!incomplete.has(`${gr.mesh}/${gr.gateway}`)) {
    const fitting = gateway.listeners.filter((l) => routeFitsListener(gr.kind, l.protocol));
    const have = gateway.listeners.map((l) => `${l.protocol} ${l.port}`).join(', ') || 'none';
    const wanted = listenerText(gr.kind);
    if (fitting.length === 0) out.push(fieldProblem(at, `virtual gateway "${gr.gateway}" has no ${wanted} listener for a ${ROUTE_KEY[gr.kind]} (its listeners: ${have})`, label));
    else if (gr.match.port !== undefined && !fitting.some((l) => l.port === gr.match.port)) {
      out.push(fieldProblem(`${at}.match.port`, `virtual gateway "${gr.gateway}" has no ${wanted} listener on port ${gr.match.port} (its listeners: ${have})`, label));
    }
  }
  const tAt = `${at}.action.target`;
  const service = index.service(gr.mesh, gr.target.service);
  if (!service) {
    out.push(fieldProblem(`${tAt}.virtualService.virtualServiceName`, `no virtual service "${gr.target.service}" in mesh "${gr.mesh}"`, label));
    return out;
  }
  const ports = index.servicePorts(service);
  const portList = ports.map((p) => p.port).join(', ');
  const port = gr.target.port !== undefined ? ports.find((p) => p.port === gr.target.port) : ports.length === 1 ? ports[0] : undefined;
  if (gr.target.port !== undefined && ports.length > 0 && !port) {
    out.push(fieldProblem(`${tAt}.port`, `virtual service "${service.name}" is not reached on port ${gr.target.port} (its ports: ${portList})`, label));
  } else if (gr.target.port === undefined && ports.length > 1) {
    out.push(fieldProblem(`${tAt}.port`, `virtual service "${service.name}" is reached on several ports (${portList}): give the target a port`, label));
  } else if (port?.protocol === 'tcp') {
    out.push(fieldProblem(tAt, `virtual service "${service.name}" is reached over tcp on port ${port.port}; a gateway route needs an http, http2 or grpc port`, label));
  }
  if (out.length > 0) return out;
  return gatewayRouteEntries(index, gr).problems.map((p) => fieldProblem(`${at}.action.rewrite`, p, label));
}

export function gatewayReferenceProblems(index: ModelIndex, m: LabelledGateways): Problem[] {
  const incomplete = new Set(m.gateways.filter((g) => !g.complete).map((g) => `${g.value.mesh}/${g.value.name}`));
  return [...m.gateways.flatMap(({ label, value }) => meshProblem(index, label, value.mesh)), ...m.gatewayRoutes.flatMap((x) => gatewayRouteProblems(index, x, incomplete))];
}
