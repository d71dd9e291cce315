import { renderProblem } from '../../src/common/problem';
import { describe, expect, it } from 'vitest';
import { parseNodeId } from '../../src/mgmt/appmesh/names';
import type { AppMeshDocument, JsonObject } from '../../src/mgmt/appmesh/types';
import { validateDocument } from '../../src/mgmt/appmesh/validate';
import { gatewayDocument, gatewayRoute, toService } from '../fixtures/appmesh-gateway';

/** Virtual gateways and gateway routes: shapes, App Mesh's rules, references (validate.ts and the files it calls). */

function problemsOf(doc: unknown): string[] {
  const v = validateDocument(doc);
  return v.ok ? [] : v.problems.map(renderProblem);
}

function edit(f: (d: AppMeshDocument) => void): AppMeshDocument {
  const d = gatewayDocument();
  f(d);
  return d;
}

const gw = (d: AppMeshDocument) => d.virtualGateways[0] as any;
const B = 'serviceb.apps.local';
/** The document with its gateway routes replaced by `routes`. */
const withRoutes = (...routes: JsonObject[]) => edit((d) => (d.gatewayRoutes = routes));
/** The problems of a document whose only gateway route has `spec`. */
const routeProblems = (spec: JsonObject) => problemsOf(withRoutes(gatewayRoute('r', spec)));
const R = 'gatewayRoutes[0] (apps/gw/r)';

describe('virtual gateways', () => {
  it('accepts examples/appmesh/gateway.yaml and types it with App Mesh\'s defaults', () => {
    const v = validateDocument(gatewayDocument());
    if (!v.ok) throw new Error(v.problems.map(renderProblem).join('\n'));
    expect(v.value.model.gateways).toEqual([{ mesh: 'apps', name: 'gw', listeners: [{ port: 8080, protocol: 'http2' }] }]);
    expect(v.value.model.gatewayRoutes).toEqual([
      { mesh: 'apps', gateway: 'gw', name: 'toB', priority: undefined, kind: 'http', match: { path: { kind: 'prefix', value: '/' }, headers: [], query: [] }, target: { service: B }, hostRewrite: true, pathRewrite: { kind: 'keep' } },
      {
        mesh: 'apps',
        gateway: 'gw',
        name: 'toA',
        priority: 10,
        kind: 'http2',
        match: { path: { kind: 'prefix', value: '/a/' }, hostname: { kind: 'exact', value: 'a.example.com' }, headers: [], query: [] },
        target: { service: 'servicea.apps.local' },
        hostRewrite: true,
        pathRewrite: { kind: 'prefix', to: '/' },
      },
    ]);
    expect(v.value.document.virtualGateways).toHaveLength(1);
    const empty = validateDocument({});
    expect(empty.ok && empty.value.document).toMatchObject({ virtualGateways: [], gatewayRoutes: [] });
  });

  it('keeps what App Mesh has but this translation does not use (tls, connectionPool, backendDefaults, logging, tags)', () => {
    const d = edit((d) => {
      const g = gw(d);
      g.tags = [{ key: 'team', value: 'edge' }];
      g.clientToken = 'abc';
      g.spec.backendDefaults = { clientPolicy: { tls: { validation: { trust: { file: { certificateChain: '/ca.pem' } } } } } };
      g.spec.logging = { accessLog: { file: { path: '/dev/stdout' } } };
      g.spec.listeners[0].tls = { mode: 'STRICT', certificate: { file: { certificateChain: '/c.pem', privateKey: '/k.pem' } } };
      g.spec.listeners[0].connectionPool = { http2: { maxRequests: 100 } };
      g.spec.listeners[0].healthCheck = { protocol: 'http2', path: '/ping', port: 8080, intervalMillis: 5000, timeoutMillis: 2000, healthyThreshold: 2, unhealthyThreshold: 2 };
    });
    const v = validateDocument(d);
    if (!v.ok) throw new Error(v.problems.map(renderProblem).join('\n'));
    expect(v.value.document.virtualGateways[0]).toEqual(d.virtualGateways[0]);
    expect(v.value.model.gateways[0]!.listeners[0]!.healthCheck).toMatchObject({ protocol: 'http2', path: '/ping', port: 8080 });
  });

  it('checks listeners: at least one, http/http2/grpc only, ports, one port each, health checks on the listener port', () => {
    const d = edit((d) => {
      d.virtualGateways.push(
        { meshName: 'apps', virtualGatewayName: 'none', spec: { listeners: [] } },
        { meshName: 'apps', virtualGatewayName: 'nospec' },
        {
          meshName: 'apps',
          virtualGatewayName: 'bad',
          spec: {
            listners: [],
            listeners: [
              { portMapping: { port: 5432, protocol: 'tcp' } },
              { portMapping: { port: 0, protocol: 'http' } },
              { portMapping: { port: 9000, protocol: 'grpc' }, healthCheck: { protocol: 'tcp', port: 9001, intervalMillis: 5000, timeoutMillis: 2000, healthyThreshold: 2, unhealthyThreshold: 2 } },
              { portMapping: { port: 9000, protocol: 'http' }, timeout: {} },
            ],
          },
        },
      );
    });
    expect(problemsOf(d)).toEqual([
      'virtualGateways[1] (apps/none): spec.listeners: expected at least 1 item, got 0',
      'virtualGateways[2] (apps/nospec): spec: required',
      'virtualGateways[3] (apps/bad): spec.listners: unknown field (expected listeners, backendDefaults, logging)',
      'virtualGateways[3] (apps/bad): spec.listeners[0].portMapping.protocol: expected one of http, http2, grpc, got "tcp"',
      'virtualGateways[3] (apps/bad): spec.listeners[1].portMapping.port: expected an integer 1-65535, got 0',
      'virtualGateways[3] (apps/bad): spec.listeners[2].healthCheck.protocol: expected one of http, http2, grpc, got "tcp"',
      'virtualGateways[3] (apps/bad): spec.listeners[3].timeout: unknown field (expected portMapping, healthCheck, tls, connectionPool)',
      'virtualGateways[3] (apps/bad): spec.listeners[3].portMapping.port: port 9000 is used by another listener of this virtual gateway',
    ]);
    const hc = edit((d) => (gw(d).spec.listeners[0].healthCheck = { protocol: 'http', port: 9, intervalMillis: 5000, timeoutMillis: 2000, healthyThreshold: 2, unhealthyThreshold: 2 }));
    expect(problemsOf(hc)).toEqual([
      'virtualGateways[0] (apps/gw): spec.listeners[0].healthCheck.path: required for http health checks',
      "virtualGateways[0] (apps/gw): spec.listeners[0].healthCheck.port: must be the listener's port 8080 (got 9)",
    ]);
  });

  it('reports duplicate gateways per mesh and gateway routes per gateway, and takes a route name again on another gateway', () => {
    const d = edit((d) => {
      d.virtualGateways.push(structuredClone(d.virtualGateways[0]!), { ...structuredClone(d.virtualGateways[0]!), virtualGatewayName: 'gw2' });
      d.gatewayRoutes.push(structuredClone(d.gatewayRoutes[0]!), { ...structuredClone(d.gatewayRoutes[0]!), virtualGatewayName: 'gw2' });
    });
    expect(problemsOf(d)).toEqual([
      'virtualGateways[1] (apps/gw): duplicate virtual gateway "apps/gw" (already defined as virtualGateways[0])',
      'gatewayRoutes[2] (apps/gw/toB): duplicate gateway route "apps/gw/toB" (already defined as gatewayRoutes[0])',
    ]);
  });

  it('names unknown meshes, gateways and target virtual services', () => {
    const d = edit((d) => {
      d.virtualGateways.push({ meshName: 'other', virtualGatewayName: 'gw', spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] } });
      d.gatewayRoutes.push(gatewayRoute('lost', toService(B, { prefix: '/' })), gatewayRoute('toX', toService('x', { prefix: '/x' })));
      d.gatewayRoutes[2]!['virtualGatewayName'] = 'nogw';
      d.gatewayRoutes.push({ ...gatewayRoute('elsewhere', toService(B, { prefix: '/' })), meshName: 'nomesh' });
    });
    expect(problemsOf(d)).toEqual([
      'virtualGateways[1] (other/gw): meshName: no mesh "other" (create the mesh first)',
      'gatewayRoutes[2] (apps/nogw/lost): virtualGatewayName: no virtual gateway "nogw" in mesh "apps"',
      'gatewayRoutes[3] (apps/gw/toX): spec.httpRoute.action.target.virtualService.virtualServiceName: no virtual service "x" in mesh "apps"',
      'gatewayRoutes[4] (nomesh/gw/elsewhere): meshName: no mesh "nomesh" (create the mesh first)',
      'gatewayRoutes[4] (nomesh/gw/elsewhere): virtualGatewayName: no virtual gateway "gw" in mesh "nomesh"',
      'gatewayRoutes[4] (nomesh/gw/elsewhere): spec.httpRoute.action.target.virtualService.virtualServiceName: no virtual service "serviceb.apps.local" in mesh "nomesh"',
    ]);
  });
});

describe('gateway route shapes', () => {
  it('needs exactly one of httpRoute, http2Route, grpcRoute, a target and known fields', () => {
    expect(routeProblems({})).toEqual([`${R}: spec: gateway route type: one of httpRoute, http2Route, grpcRoute is required`]);
    expect(routeProblems({ ...toService(B, { prefix: '/' }), ...toService(B, { serviceName: 's' }, { kind: 'grpcRoute' }) })).toEqual([`${R}: spec: gateway route type: only one of httpRoute, grpcRoute may be set`]);
    expect(routeProblems({ tcpRoute: {} })).toEqual([`${R}: spec.tcpRoute: unknown field (expected priority, httpRoute, http2Route, grpcRoute)`, `${R}: spec: gateway route type: one of httpRoute, http2Route, grpcRoute is required`]);
    expect(routeProblems({ priority: 1001, httpRoute: { match: { prefix: '/' }, action: { target: { virtualService: { virtualServiceName: 'bad name' }, port: 0 }, retryPolicy: {} } } })).toEqual([
      `${R}: spec.priority: expected an integer 0-1000, got 1001`,
      `${R}: spec.httpRoute.action.retryPolicy: unknown field (expected target, rewrite)`,
      `${R}: spec.httpRoute.action.target.virtualService.virtualServiceName: "bad name" is not a DNS-style name of 1-255 letters, digits, ".", "-" or "_"`,
      `${R}: spec.httpRoute.action.target.port: expected an integer 1-65535, got 0`,
    ]);
    expect(routeProblems({ httpRoute: { match: { prefix: '/' } } })).toEqual([`${R}: spec.httpRoute.action: required`]);
    expect(routeProblems({ httpRoute: { match: { prefix: '/' }, action: {} } })).toEqual([`${R}: spec.httpRoute.action.target: required`]);
  });

  it('checks http matches: prefix, path or hostname; reserved prefixes; hostnames; headers, method, query parameters', () => {
    const cases: Array<[JsonObject, string[]]> = [
      [{}, ['match: needs one of prefix, path, hostname (prefix "/" matches every request)']],
      [{ method: 'GET' }, ['match: needs one of prefix, path, hostname (prefix "/" matches every request)']],
      [{ prefix: '/a', path: { exact: '/a' } }, ['match: path match: only one of prefix, path may be set']],
      [{ prefix: 'a' }, ['match.prefix: "a" is not a prefix starting with "/"']],
      [{ prefix: '/aws-appmesh/x' }, ['match.prefix: "/aws-appmesh/x": prefixes under /aws-appmesh and /aws-app-mesh are reserved by App Mesh']],
      [{ path: { exact: 'a' } }, ['match.path.exact: "a" is not a path starting with "/"']],
      [{ path: { exact: '/a', regex: '/b' } }, ['match.path: path: only one of exact, regex may be set']],
      [{ hostname: { exact: 'a.example.com', suffix: 'example.com' } }, ['match.hostname: hostname match: only one of exact, suffix may be set']],
      [{ hostname: { exact: 'a.example.com:8080' } }, ['match.hostname.exact: "a.example.com:8080" is not a host name of 1-253 letters, digits, ".", "-" or "_" (no port)']],
      [{ prefix: '/', method: 'FETCH', port: 70000 }, ['match.port: expected an integer 1-65535, got 70000', 'match.method: expected one of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH, got "FETCH"']],
      [{ prefix: '/', headers: Array.from({ length: 11 }, (_, i) => ({ name: `h${i}` })) }, ['match.headers: expected at most 10 items, got 11']],
      [{ prefix: '/', headers: [{ name: 'x', match: { range: { start: 5, end: 1 } } }] }, ['match.headers[0].match.range: start (5) must be below end (1)']],
      [{ prefix: '/', queryParameters: [{ name: 'q', match: { regex: 'a' } }] }, ['match.queryParameters[0].match.regex: unknown field (expected exact)', 'match.queryParameters[0].match.exact: required']],
      [{ prefix: '/', scheme: 'https' }, ['match.scheme: unknown field (expected prefix, path, hostname, method, headers, queryParameters, port)']],
    ];
    for (const [match, texts] of cases) expect(routeProblems(toService(B, match))).toEqual(texts.map((t) => `${R}: spec.httpRoute.${t}`));
    expect(routeProblems(toService(B, { hostname: { suffix: '.example.com' } }))).toEqual([]);
  });

  it('checks grpc matches: serviceName, hostname or metadata; reserved service names; no path fields', () => {
    const grpc = (match: JsonObject) => routeProblems(toService(B, match, { kind: 'grpcRoute' })).map((p) => p.replace(`${R}: spec.grpcRoute.`, ''));
    const onGrpc = (match: JsonObject) => problemsOf(edit((d) => {
      gw(d).spec.listeners[0].portMapping.protocol = 'grpc';
      d.gatewayRoutes = [gatewayRoute('r', toService(B, match, { kind: 'grpcRoute' }))];
    }));
    expect(grpc({})).toEqual(['match: needs one of serviceName, hostname, metadata', expect.stringContaining('has no grpc listener')]);
    expect(grpc({ serviceName: 'aws.appmesh.Health' })).toEqual(['match.serviceName: "aws.appmesh.Health": service names under aws.appmesh and aws.app-mesh are reserved by App Mesh', expect.stringContaining('has no grpc listener')]);
    expect(grpc({ serviceName: 'a/b', methodName: 'M' })).toEqual(['match.methodName: unknown field (expected serviceName, hostname, metadata, port)', 'match.serviceName: "a/b" is not a gRPC service name such as "pkg.Service"', expect.stringContaining('has no grpc listener')]);
    expect(onGrpc({ metadata: [{ name: 'tenant', match: { exact: 'a' } }] })).toEqual([]);
    expect(onGrpc({ hostname: { exact: 'api.example.com' } })).toEqual([]);
  });

  it('checks rewrites: prefix only with a prefix match, one of defaultPrefix and value, "/"-ended values; path only with a whole-path match', () => {
    const http = (match: JsonObject, rewrite: JsonObject) => routeProblems(toService(B, match, { rewrite })).map((p) => p.replace(`${R}: spec.httpRoute.action.rewrite`, ''));
    expect(http({ path: { exact: '/a' } }, { prefix: { defaultPrefix: 'DISABLED' } })).toEqual(['.prefix: a prefix rewrite needs a prefix match (match.prefix)']);
    expect(http({ hostname: { exact: 'a.b' } }, { prefix: { value: '/x/' } })).toEqual(['.prefix: a prefix rewrite needs a prefix match (match.prefix)']);
    expect(http({ prefix: '/a/' }, { prefix: { defaultPrefix: 'ENABLED', value: '/x/' } })).toEqual(['.prefix: only one of defaultPrefix, value may be set']);
    expect(http({ prefix: '/a/' }, { prefix: { value: '/x' } })).toEqual(['.prefix.value: "/x" is not a prefix starting and ending with "/"']);
    expect(http({ prefix: '/a/' }, { prefix: { value: 'x/' } })).toEqual(['.prefix.value: "x/" is not a prefix starting and ending with "/"']);
    expect(http({ prefix: '/a' }, { prefix: { value: '/x/' } })).toEqual(['.prefix.value: rewriting to a value needs a match prefix ending with "/" (got "/a")']);
    expect(http({ prefix: '/a/' }, { prefix: { defaultPrefix: 'OFF' } })).toEqual(['.prefix.defaultPrefix: expected one of ENABLED, DISABLED, got "OFF"']);
    expect(http({ prefix: '/a/' }, { path: { exact: '/b' } })).toEqual(['.path: a path rewrite needs a whole-path match (match.path.exact or match.path.regex)']);
    expect(http({ path: { exact: '/a' } }, { path: { exact: 'b' } })).toEqual(['.path.exact: "b" is not a path starting with "/"']);
    expect(http({ path: { exact: '/a' } }, { path: {} })).toEqual(['.path.exact: required']);
    expect(http({ prefix: '/a/' }, { hostname: { defaultTargetHostname: 'yes' }, query: {} })).toEqual(['.query: unknown field (expected hostname, prefix, path)', '.hostname.defaultTargetHostname: expected one of ENABLED, DISABLED, got "yes"']);
    const grpc = routeProblems(toService(B, { serviceName: 's' }, { kind: 'grpcRoute', rewrite: { prefix: { defaultPrefix: 'DISABLED' } } }));
    expect(grpc[0]).toBe(`${R}: spec.grpcRoute.action.rewrite.prefix: unknown field (expected hostname)`);
    for (const [match, rewrite] of [[{ path: { regex: '/a.*' } }, { path: { exact: '/b' } }], [{ prefix: '/a' }, { prefix: { defaultPrefix: 'DISABLED' } }], [{ prefix: '/' }, { prefix: { value: '/' } }]] as const) {
      expect(http(match, rewrite)).toEqual([]);
    }
  });

  it('normalises the rewrite with App Mesh\'s defaults', () => {
    const model = (...specs: JsonObject[]) => {
      const v = validateDocument(withRoutes(...specs.map((s, i) => gatewayRoute(`r${i}`, s))));
      if (!v.ok) throw new Error(v.problems.map(renderProblem).join('\n'));
      return v.value.model.gatewayRoutes.map((r) => [r.hostRewrite, r.pathRewrite]);
    };
    expect(
      model(
        toService(B, { prefix: '/a' }),
        toService(B, { prefix: '/a/' }, { rewrite: { prefix: { defaultPrefix: 'DISABLED' }, hostname: { defaultTargetHostname: 'DISABLED' } } }),
        toService(B, { prefix: '/a/' }, { rewrite: { prefix: { value: '/v2/' } } }),
        toService(B, { prefix: '/v2/' }, { rewrite: { prefix: { value: '/v2/' } } }),
        toService(B, { prefix: '/' }),
        toService(B, { path: { exact: '/a' } }, { rewrite: { path: { exact: '/b' }, hostname: { defaultTargetHostname: 'ENABLED' } } }),
        toService(B, { path: { regex: '/a.*' } }),
        toService(B, { hostname: { exact: 'x.example.com' } }, { rewrite: { hostname: {} } }),
      ),
    ).toEqual([
      [true, { kind: 'prefix', to: '/' }],
      [false, { kind: 'keep' }],
      [true, { kind: 'prefix', to: '/v2/' }],
      [true, { kind: 'keep' }],
      [true, { kind: 'keep' }],
      [true, { kind: 'path', to: '/b' }],
      [true, { kind: 'keep' }],
      [true, { kind: 'keep' }],
    ]);
  });
});

describe('gateway routes against the model', () => {
  it('takes http and http2 routes on http and http2 listeners, grpc only on grpc, and a match.port of a fitting listener', () => {
    const d = edit((d) => {
      gw(d).spec.listeners.push({ portMapping: { port: 9090, protocol: 'grpc' } });
      d.gatewayRoutes = [
        gatewayRoute('h1', toService(B, { prefix: '/' })),
        gatewayRoute('h2', toService(B, { prefix: '/' }, { kind: 'http2Route' })),
        gatewayRoute('g', toService(B, { serviceName: 'pkg.Svc' }, { kind: 'grpcRoute' })),
        gatewayRoute('gport', toService(B, { serviceName: 'pkg.Svc', port: 8080 }, { kind: 'grpcRoute' })),
        gatewayRoute('hport', toService(B, { prefix: '/', port: 9090 })),
        gatewayRoute('nowhere', toService(B, { prefix: '/', port: 1234 }, { kind: 'http2Route' })),
      ];
    });
    expect(problemsOf(d)).toEqual([
      'gatewayRoutes[3] (apps/gw/gport): spec.grpcRoute.match.port: virtual gateway "gw" has no grpc listener on port 8080 (its listeners: http2 8080, grpc 9090)',
      'gatewayRoutes[4] (apps/gw/hport): spec.httpRoute.match.port: virtual gateway "gw" has no http or http2 listener on port 9090 (its listeners: http2 8080, grpc 9090)',
      'gatewayRoutes[5] (apps/gw/nowhere): spec.http2Route.match.port: virtual gateway "gw" has no http or http2 listener on port 1234 (its listeners: http2 8080, grpc 9090)',
    ]);
    const http = edit((d) => (gw(d).spec.listeners[0].portMapping.protocol = 'http'));
    expect(problemsOf(http)).toEqual([]);
    const grpcOnly = edit((d) => (gw(d).spec.listeners[0].portMapping.protocol = 'grpc'));
    expect(problemsOf(grpcOnly)).toEqual([
      'gatewayRoutes[0] (apps/gw/toB): spec.httpRoute: virtual gateway "gw" has no http or http2 listener for a httpRoute (its listeners: grpc 8080)',
      'gatewayRoutes[1] (apps/gw/toA): spec.http2Route: virtual gateway "gw" has no http or http2 listener for a http2Route (its listeners: grpc 8080)',
    ]);
  });

  it('checks the target port against the ports the virtual service is reached on', () => {
    const d = edit((d) => {
      (d.virtualRouters[0] as any).spec.listeners.push({ portMapping: { port: 81, protocol: 'http2' } });
      d.virtualNodes.push({ meshName: 'apps', virtualNodeName: 'db', spec: { listeners: [{ portMapping: { port: 5432, protocol: 'tcp' } }], serviceDiscovery: { dns: { hostname: '127.0.0.1' } } } });
      d.virtualServices.push({ meshName: 'apps', virtualServiceName: 'db.apps.local', spec: { provider: { virtualNode: { virtualNodeName: 'db' } } } });
      d.virtualServices.push({ meshName: 'apps', virtualServiceName: 'later.apps.local', spec: {} });
      d.gatewayRoutes = [
        gatewayRoute('noport', toService(B, { prefix: '/' })),
        gatewayRoute('badport', toService(B, { prefix: '/' }, { port: 82 })),
        gatewayRoute('ok', toService(B, { prefix: '/' }, { port: 81 })),
        gatewayRoute('tcp', toService('db.apps.local', { prefix: '/db' })),
        gatewayRoute('a', toService('servicea.apps.local', { prefix: '/a' }, { port: 8080 })),
        gatewayRoute('noprovider', toService('later.apps.local', { prefix: '/later' }, { port: 80 })),
      ];
    });
    expect(problemsOf(d)).toEqual([
      'gatewayRoutes[0] (apps/gw/noport): spec.httpRoute.action.target.port: virtual service "serviceb.apps.local" is reached on several ports (80, 81): give the target a port',
      'gatewayRoutes[1] (apps/gw/badport): spec.httpRoute.action.target.port: virtual service "serviceb.apps.local" is not reached on port 82 (its ports: 80, 81)',
      'gatewayRoutes[3] (apps/gw/tcp): spec.httpRoute.action.target: virtual service "db.apps.local" is reached over tcp on port 5432; a gateway route needs an http, http2 or grpc port',
      'gatewayRoutes[4] (apps/gw/a): spec.httpRoute.action.target.port: virtual service "servicea.apps.local" is not reached on port 8080 (its ports: 80)',
    ]);
  });

  it('refuses a path rewrite in front of a router route that matches a path regex (it cannot be expressed)', () => {
    const d = edit((d) => {
      d.routes.unshift({ meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'rx', spec: { priority: 1, http2Route: { match: { path: { regex: '/v[0-9]+/.*' } }, action: { weightedTargets: [{ virtualNode: 'serviceBv2', weight: 1 }] } } } });
      d.gatewayRoutes = [gatewayRoute('api', toService(B, { prefix: '/api' })), gatewayRoute('keep', toService(B, { prefix: '/keep' }, { rewrite: { prefix: { defaultPrefix: 'DISABLED' } } }))];
    });
    expect(problemsOf(d)).toEqual([
      'gatewayRoutes[0] (apps/gw/api): spec.httpRoute.action.rewrite: route "rx" of virtual router "serviceB" matches the path with a regex, which this translation cannot combine with the path rewrite of this gateway route (remove the rewrite, or match that route by prefix or exact path)',
    ]);
  });

  it('reads virtual gateway node ids the way App Mesh Envoys present them', () => {
    expect(parseNodeId('mesh/apps/virtualGateway/gw')).toEqual({ mesh: 'apps', virtualNode: undefined, virtualGateway: 'gw' });
    expect(parseNodeId('arn:aws:appmesh:us-west-2:123456789012:mesh/apps/virtualGateway/gw')).toEqual({ mesh: 'apps', virtualNode: undefined, virtualGateway: 'gw' });
    expect(parseNodeId('mesh/apps/virtualGateway/')).toEqual({ mesh: 'apps', virtualNode: undefined });
    expect(parseNodeId('mesh/apps/virtualGateway/gw')).not.toHaveProperty('virtualNode', 'gw');
  });
});
