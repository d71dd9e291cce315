import { renderProblem } from '../../src/common/problem';
import { describe, expect, it } from 'vitest';
import { substituteEnv } from '../../src/mgmt/appmesh/env-subst';
import { parseNodeId } from '../../src/mgmt/appmesh/names';
import { ModelLoadError, seedState } from '../../src/mgmt/appmesh/state/open-store';
import type { AppMeshDocument } from '../../src/mgmt/appmesh/types';
import { validateDocument } from '../../src/mgmt/appmesh/validate';
import { http2Targets, seedDocument, seedRoute } from '../fixtures/appmesh-seed';
import { callOperation, storeOf, testClock } from '../fixtures/control-plane';

function problemsOf(doc: unknown): string[] {
  const v = validateDocument(doc);
  return v.ok ? [] : v.problems.map(renderProblem);
}

function edit(f: (d: AppMeshDocument) => void): AppMeshDocument {
  const d = seedDocument();
  f(d);
  return d;
}

const node = (d: AppMeshDocument, name: string) => d.virtualNodes.find((n) => n.virtualNodeName === name)! as any;

describe('App Mesh model validation', () => {
  it('accepts the seed scenario (the guide\'s create-* bodies) and types it', () => {
    const v = validateDocument(seedDocument());
    if (!v.ok) throw new Error(v.problems.map(renderProblem).join('\n'));
    expect(v.value.model.nodes.map((n) => n.name)).toEqual(['serviceA', 'serviceB', 'serviceBv2']);
    expect(v.value.model.nodes[0]).toMatchObject({ mesh: 'apps', backends: ['serviceb.apps.local'], listeners: [{ port: 80, protocol: 'http2' }], discovery: { kind: 'dns', hostname: 'servicea.apps.local' } });
    expect(v.value.model.routes[0]).toMatchObject({ kind: 'http2', match: { path: { kind: 'prefix', value: '/' } }, targets: [{ node: 'serviceB', weight: 75 }, { node: 'serviceBv2', weight: 25 }] });
    expect(v.value.model.services.map((s) => s.provider)).toEqual([{ kind: 'virtualRouter', name: 'serviceB' }, { kind: 'virtualNode', name: 'serviceA' }]);
    expect([...v.value.model.endpoints]).toEqual([
      ['apps/serviceA', [{ address: '127.0.0.1', port: 7100 }]],
      ['apps/serviceB', [{ address: '127.0.0.1', port: 7101 }]],
      ['apps/serviceBv2', [{ address: '127.0.0.1', port: 7102 }]],
    ]);
  });

  it('accepts an empty model, and the first-step bodies (create-virtual-service with spec {})', () => {
    expect(validateDocument({}).ok).toBe(true);
    expect(problemsOf({ meshes: [{ meshName: 'apps' }], virtualServices: [{ meshName: 'apps', virtualServiceName: 'serviceb.apps.local', spec: {} }] })).toEqual([]);
  });

  it('names a route target that is not a virtual node', () => {
    const d = edit((d) => (seedRoute(d)['spec'] = http2Targets([{ virtualNode: 'serviceB', weight: 75 }, { virtualNode: 'serviceC', weight: 25 }])));
    expect(problemsOf(d)).toEqual(['routes[0] (apps/serviceB/serviceB): spec.http2Route.action.weightedTargets: no virtual node "serviceC" in mesh "apps"']);
  });

  it('names unknown routers (service provider, route), unknown meshes and unknown backends', () => {
    const d = edit((d) => {
      (d.virtualServices[0] as any).spec.provider.virtualRouter.virtualRouterName = 'serviceX';
      seedRoute(d)['virtualRouterName'] = 'serviceY';
      node(d, 'serviceA').spec.backends.push({ virtualService: { virtualServiceName: 'servicez.apps.local' } });
      d.virtualNodes.push({ meshName: 'other', virtualNodeName: 'n', spec: {} });
    });
    expect(problemsOf(d)).toEqual([
      'virtualNodes[0] (apps/serviceA): spec.backends[1].virtualService.virtualServiceName: no virtual service "servicez.apps.local" in mesh "apps"',
      'virtualNodes[3] (other/n): meshName: no mesh "other" (create the mesh first)',
      'virtualServices[0] (apps/serviceb.apps.local): spec.provider.virtualRouter.virtualRouterName: no virtual router "serviceX" in mesh "apps"',
      'routes[0] (apps/serviceY/serviceB): virtualRouterName: no virtual router "serviceY" in mesh "apps"',
    ]);
  });

  it('checks weights: 0-100 integers, not all zero, at least one target, no target twice', () => {
    const cases: Array<[unknown[], string]> = [
      [[{ virtualNode: 'serviceB', weight: 101 }], 'weightedTargets[0].weight: expected an integer 0-100, got 101'],
      [[{ virtualNode: 'serviceB', weight: -1 }], 'weightedTargets[0].weight: expected an integer 0-100, got -1'],
      [[{ virtualNode: 'serviceB', weight: 2.5 }], 'weightedTargets[0].weight: expected an integer 0-100, got 2.5'],
      [[{ virtualNode: 'serviceB', weight: 0 }, { virtualNode: 'serviceBv2', weight: 0 }], 'weightedTargets: every weight is 0: at least one target needs a weight above 0'],
      [[], 'weightedTargets: expected at least 1 item, got 0'],
      [[{ virtualNode: 'serviceB', weight: 50 }, { virtualNode: 'serviceB', weight: 50 }], 'weightedTargets[1].virtualNode: virtual node "serviceB" is targeted twice'],
      [[{ virtualNode: 'serviceB' }], 'weightedTargets[0].weight: required: an integer 0-100'],
    ];
    for (const [targets, text] of cases) {
      const d = edit((d) => (seedRoute(d)['spec'] = http2Targets(targets as any)));
      expect(problemsOf(d)).toEqual([`routes[0] (apps/serviceB/serviceB): spec.http2Route.action.${text}`]);
    }
  });

  it('reports duplicate names per kind', () => {
    const d = edit((d) => {
      d.meshes.push({ meshName: 'apps' });
      d.virtualNodes.push(structuredClone(d.virtualNodes[1]!));
      d.routes.push(structuredClone(d.routes[0]!));
    });
    expect(problemsOf(d)).toEqual([
      'meshes[1] (apps): duplicate mesh "apps" (already defined as meshes[0])',
      'virtualNodes[3] (apps/serviceB): duplicate virtual node "apps/serviceB" (already defined as virtualNodes[1])',
      'routes[1] (apps/serviceB/serviceB): duplicate route "apps/serviceB/serviceB" (already defined as routes[0])',
    ]);
  });

  it('checks listeners: ports, protocols, missing router listeners, nodes without listeners as targets', () => {
    const d = edit((d) => {
      node(d, 'serviceB').spec.listeners = [{ portMapping: { port: 0, protocol: 'http2' } }, { portMapping: { port: 70000, protocol: 'http3' } }, { portMapping: { port: '80', protocol: 'tcp' } }];
      node(d, 'serviceBv2').spec.listeners = [];
      (d.virtualRouters[0] as any).spec = {};
    });
    expect(problemsOf(d)).toEqual([
      'virtualNodes[1] (apps/serviceB): spec.listeners[0].portMapping.port: expected an integer 1-65535, got 0',
      'virtualNodes[1] (apps/serviceB): spec.listeners[1].portMapping.port: expected an integer 1-65535, got 70000',
      'virtualNodes[1] (apps/serviceB): spec.listeners[1].portMapping.protocol: expected one of http, http2, grpc, tcp, got "http3"',
      'virtualNodes[1] (apps/serviceB): spec.listeners[2].portMapping.port: expected an integer 1-65535, got "80"',
      'virtualRouters[0] (apps/serviceB): spec.listeners: required',
      'routes[0] (apps/serviceB/serviceB): spec.http2Route: virtual router "serviceB" has no http or http2 listener for a http2Route (its listeners: none)',
      'routes[0] (apps/serviceB/serviceB): spec.http2Route.action.weightedTargets: virtual node "serviceBv2" has no listeners to send traffic to',
    ]);
  });

  it('checks route kinds and ports against the router and target ports against the node', () => {
    const d = edit((d) => {
      seedRoute(d)['spec'] = { grpcRoute: { match: { serviceName: 'pkg.Svc' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1, port: 81 }] } } };
      d.routes.push({ meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'r2', spec: { http2Route: { match: { prefix: '/', port: 8080 }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] } } } });
      node(d, 'serviceBv2').spec.listeners.push({ portMapping: { port: 81, protocol: 'http2' } });
      d.routes.push({ meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'r3', spec: { http2Route: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceBv2', weight: 1 }] } } } });
    });
    expect(problemsOf(d)).toEqual([
      'routes[0] (apps/serviceB/serviceB): spec.grpcRoute: virtual router "serviceB" has no grpc listener for a grpcRoute (its listeners: http2 80)',
      'routes[0] (apps/serviceB/serviceB): spec.grpcRoute.action.weightedTargets: virtual node "serviceB" has no listener on port 81 (it listens on 80)',
      'routes[1] (apps/serviceB/r2): spec.http2Route.match.port: virtual router "serviceB" has no http or http2 listener on port 8080 (its listeners: http2 80)',
      'routes[2] (apps/serviceB/r3): spec.http2Route.action.weightedTargets: virtual node "serviceBv2" has several listeners (80, 81): give the target a port',
    ]);
  });

  it('takes an httpRoute on an http2 router and an http2Route on an http router (App Mesh does); grpc and tcp stay strict', () => {
    const httpOnHttp2 = edit((d) => (seedRoute(d)['spec'] = { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] } } }));
    expect(problemsOf(httpOnHttp2)).toEqual([]);
    const http2OnHttp = edit((d) => ((d.virtualRouters[0] as any).spec.listeners[0].portMapping.protocol = 'http'));
    expect(problemsOf(http2OnHttp)).toEqual([]);
    const tcpOnHttp2 = edit((d) => (seedRoute(d)['spec'] = { tcpRoute: { action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] } } }));
    expect(problemsOf(tcpOnHttp2)).toEqual(['routes[0] (apps/serviceB/serviceB): spec.tcpRoute: virtual router "serviceB" has no tcp listener for a tcpRoute (its listeners: http2 80)']);
    const httpOnGrpc = edit((d) => {
      (d.virtualRouters[0] as any).spec.listeners[0].portMapping.protocol = 'grpc';
      seedRoute(d)['spec'] = { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] } } };
    });
    expect(problemsOf(httpOnGrpc)).toEqual(['routes[0] (apps/serviceB/serviceB): spec.httpRoute: virtual router "serviceB" has no http or http2 listener for a httpRoute (its listeners: grpc 80)']);
  });

  it('checks shapes: unknown fields, route type, matches, retry policy, health checks, durations, service discovery', () => {
    const d = edit((d) => {
      seedRoute(d)['spec'] = {
        http2Route: {
          match: { prefix: 'no-slash', method: 'FETCH', headers: [{ name: 'x-v', match: { exact: 'a', prefix: 'b' } }] },
          action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] },
          retryPolicy: { maxRetries: 2, perRetryTimeout: { unit: 'min', value: 1 } },
          timeout: { perRequest: { unit: 's', value: -1 } },
        },
        tcpRoute: {},
      };
      node(d, 'serviceB').spec.listeners[0].healthCheck = { protocol: 'http', intervalMillis: 1 };
      node(d, 'serviceB').spec.serviceDiscovery = { dns: { hostname: 'b' }, awsCloudMap: { namespaceName: 'n', serviceName: 's' } };
      node(d, 'serviceBv2').spec.listner = [];
      (d as any).virtualGateway = [];
    });
    expect(problemsOf(d)).toEqual([
      'virtualGateway: unknown top-level key (expected meshes, virtualNodes, virtualServices, virtualRouters, routes, virtualGateways, gatewayRoutes, endpoints)',
      'virtualNodes[1] (apps/serviceB): spec.listeners[0].healthCheck.path: required for http health checks',
      'virtualNodes[1] (apps/serviceB): spec.listeners[0].healthCheck.intervalMillis: expected an integer 5000-300000, got 1',
      'virtualNodes[1] (apps/serviceB): spec.listeners[0].healthCheck.timeoutMillis: required: an integer 2000-60000',
      'virtualNodes[1] (apps/serviceB): spec.listeners[0].healthCheck.healthyThreshold: required: an integer 2-10',
      'virtualNodes[1] (apps/serviceB): spec.listeners[0].healthCheck.unhealthyThreshold: required: an integer 2-10',
      'virtualNodes[1] (apps/serviceB): spec.serviceDiscovery: service discovery: only one of dns, awsCloudMap may be set',
      'virtualNodes[2] (apps/serviceBv2): spec.listner: unknown field (expected listeners, backends, serviceDiscovery, backendDefaults, logging)',
      'routes[0] (apps/serviceB/serviceB): spec: route type: only one of http2Route, tcpRoute may be set',
    ]);
    // One route type at a time: the http2Route's own problems.
    const d2 = edit((d) => {
      seedRoute(d)['spec'] = {
        http2Route: {
          match: { prefix: 'no-slash', method: 'FETCH', headers: [{ name: 'x-v', match: { exact: 'a', prefix: 'b' } }] },
          action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] },
          retryPolicy: { maxRetries: 2, perRetryTimeout: { unit: 'min', value: 1 } },
          timeout: { perRequest: { unit: 's', value: -1 } },
        },
      };
    });
    expect(problemsOf(d2)).toEqual([
      'routes[0] (apps/serviceB/serviceB): spec.http2Route.match.prefix: "no-slash" is not a prefix starting with "/"',
      'routes[0] (apps/serviceB/serviceB): spec.http2Route.match.headers[0].match: header match: only one of exact, prefix may be set',
      'routes[0] (apps/serviceB/serviceB): spec.http2Route.match.method: expected one of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH, got "FETCH"',
      'routes[0] (apps/serviceB/serviceB): spec.http2Route.retryPolicy.perRetryTimeout.unit: expected one of s, ms, got "min"',
      'routes[0] (apps/serviceB/serviceB): spec.http2Route.retryPolicy: needs at least one of httpRetryEvents, tcpRetryEvents',
      'routes[0] (apps/serviceB/serviceB): spec.http2Route.timeout.perRequest.value: expected an integer 0-9007199254740991, got -1',
    ]);
  });

  it('checks the local endpoints extension', () => {
    const d = edit((d) => {
      d.endpoints = { 'apps/nope': ['127.0.0.1:1'], serviceB: ['localhost:80', '127.0.0.1:0', '10.0.0.1'], 'apps/serviceB': ['127.0.0.1:9'], x: [] as string[] };
    });
    expect(problemsOf(d)).toEqual([
      'endpoints["apps/nope"]: no virtual node "nope" in mesh "apps"',
      'endpoints["serviceB"][0]: "localhost:80": the address must be an IP literal such as 127.0.0.1 (DNS names belong in serviceDiscovery.dns.hostname)',
      'endpoints["serviceB"][1]: "127.0.0.1:0": the port must be 1-65535',
      'endpoints["apps/serviceB"]: endpoints for "apps/serviceB" are given twice',
      'endpoints["x"]: no virtual node "x" in any mesh',
      'endpoints["x"]: expected a non-empty list such as ["127.0.0.1:50051"], got a list',
    ]);
    const ok = validateDocument(edit((d) => (d.endpoints = { serviceB: ['[::1]:7000', '127.0.0.2'] })));
    expect(ok.ok && ok.value.document.endpoints).toEqual({ 'apps/serviceB': ['[::1]:7000', '127.0.0.2'] });
  });

  it('reports backends that one egress listener cannot carry (same port for TCP and HTTP)', () => {
    const d = edit((d) => {
      d.virtualNodes.push({ meshName: 'apps', virtualNodeName: 'db', spec: { listeners: [{ portMapping: { port: 80, protocol: 'tcp' } }], serviceDiscovery: { dns: { hostname: '127.0.0.1' } } } });
      d.virtualServices.push({ meshName: 'apps', virtualServiceName: 'db.apps.local', spec: { provider: { virtualNode: { virtualNodeName: 'db' } } } });
      node(d, 'serviceA').spec.backends.push({ virtualService: { virtualServiceName: 'db.apps.local' } });
    });
    expect(problemsOf(d)).toEqual([
      'virtualNodes[0] (apps/serviceA): spec.backends: port 80 is used by both TCP and HTTP backends: "serviceb.apps.local" (http2), "db.apps.local" (tcp); give them different ports',
    ]);
  });

  it('aggregates every problem of a document in one answer', () => {
    const d = edit((d) => {
      seedRoute(d)['spec'] = http2Targets([{ virtualNode: 'serviceC', weight: 500 }]);
      node(d, 'serviceA').spec.listeners[0].portMapping.protocol = 'udp';
      d.virtualNodes.push(structuredClone(d.virtualNodes[0]!));
    });
    expect(problemsOf(d)).toEqual([
      'virtualNodes[0] (apps/serviceA): spec.listeners[0].portMapping.protocol: expected one of http, http2, grpc, tcp, got "udp"',
      'virtualNodes[3] (apps/serviceA): spec.listeners[0].portMapping.protocol: expected one of http, http2, grpc, tcp, got "udp"',
      'virtualNodes[3] (apps/serviceA): duplicate virtual node "apps/serviceA" (already defined as virtualNodes[0])',
      'routes[0] (apps/serviceB/serviceB): spec.http2Route.action.weightedTargets[0].weight: expected an integer 0-100, got 500',
      'routes[0] (apps/serviceB/serviceB): spec.http2Route.action.weightedTargets: no virtual node "serviceC" in mesh "apps"',
    ]);
  });
});

describe('ModelStore', () => {
  const ROUTE = { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' };

  it('commits a valid change, notifies once, and rejects an invalid one without changing anything', async () => {
    const store = storeOf(seedDocument());
    let changes = 0;
    store.onChange(() => changes++);
    const before = structuredClone(store.state);
    const bad = await callOperation(store, 'UpdateRoute', ROUTE, { spec: http2Targets([{ virtualNode: 'missing', weight: 100 }]) });
    expect(bad).toMatchObject({ ok: false, error: { type: 'BadRequestException' } });
    expect(!bad.ok && bad.error.message).toBe('The change would make the mesh invalid, so nothing changed: spec.http2Route.action.weightedTargets: no virtual node "missing" in mesh "apps"');
    expect(store.state).toEqual(before);
    expect(store.revision).toBe(1);
    expect(changes).toBe(0);
    expect(await callOperation(store, 'DeleteVirtualNode', { meshName: 'apps', virtualNodeName: 'serviceB' })).toMatchObject({ ok: false, error: { type: 'ResourceInUseException' } });
    expect(await callOperation(store, 'DeleteVirtualNode', { meshName: 'apps', virtualNodeName: 'nope' })).toMatchObject({ ok: false, error: { type: 'NotFoundException', message: 'No virtual node "nope" in mesh "apps"' } });
    expect(changes).toBe(0);

    const good = await callOperation(store, 'UpdateRoute', ROUTE, { spec: http2Targets([{ virtualNode: 'serviceB', weight: 0 }, { virtualNode: 'serviceBv2', weight: 100 }]) });
    expect(good).toMatchObject({ ok: true, answer: { status: 200, body: { routeName: 'serviceB', metadata: { version: 2 } } } });
    expect(store.revision).toBe(2);
    expect(changes).toBe(1);
    expect(store.model.routes[0]!.targets).toEqual([{ node: 'serviceB', weight: 0 }, { node: 'serviceBv2', weight: 100 }]);
  });

  it('refuses an invalid seed model with every problem', () => {
    expect(() => seedState({ meshes: [{ meshName: '' }], routes: 3 }, testClock())).toThrow(ModelLoadError);
    try {
      seedState({ meshes: [{ meshName: '' }], routes: 3 }, testClock());
    } catch (e) {
      expect((e as ModelLoadError).problems).toEqual([
        { where: 'routes', message: 'expected a list of route bodies, got 3' },
        { where: 'meshes[0] (?): meshName', message: 'expected a non-empty string, got ""' },
      ]);
      expect((e as ModelLoadError).message).toBe(
        'invalid App Mesh model the seed model (2 problems):\n  routes: expected a list of route bodies, got 3\n  meshes[0] (?): meshName: expected a non-empty string, got ""',
      );
    }
  });
});

describe('model file helpers', () => {
  it('substitutes ${VAR} and ${VAR:-default}, keeps $${...}, and names unset variables', () => {
    expect(substituteEnv('a ${X} ${Y:-7} $${Z}', { X: '1' })).toEqual({ ok: true, value: 'a 1 7 ${Z}' });
    expect(substituteEnv('${A}${B}${A}', {})).toEqual({
      ok: false,
      problems: [
        { where: '${A}', message: 'environment variable A is not set (give it a value, or a default: ${A:-value})' },
        { where: '${B}', message: 'environment variable B is not set (give it a value, or a default: ${B:-value})' },
      ],
    });
  });

  it('reads node ids the way App Mesh Envoys present them', () => {
    expect(parseNodeId('mesh/apps/virtualNode/serviceA')).toEqual({ mesh: 'apps', virtualNode: 'serviceA' });
    expect(parseNodeId('arn:aws:appmesh:us-west-2:123456789012:mesh/apps/virtualNode/serviceA')).toEqual({ mesh: 'apps', virtualNode: 'serviceA' });
    expect(parseNodeId('mesh/apps/proxyless-client')).toEqual({ mesh: 'apps', virtualNode: undefined });
    expect(parseNodeId('some-client')).toBeUndefined();
  });
});
