import { renderProblem } from '../../src/common/problem';
import { describe, expect, it } from 'vitest';
import { ModelIndex } from '../../src/mgmt/appmesh/model-index';
import { AppMeshSource, translationCheck } from '../../src/mgmt/appmesh/source';
import { allViews, envoyNodeIds, nodeView, resourcesFor } from '../../src/mgmt/appmesh/translate';
import type { AppMeshDocument, AppMeshModel, JsonObject } from '../../src/mgmt/appmesh/types';
import { validateDocument } from '../../src/mgmt/appmesh/validate';
import { ResourceCodec, type ResourceObject } from '../../src/mgmt/resource-codec';
import { TypeUrl, type Snapshot } from '../../src/mgmt/snapshot';
import { GATEWAY_NODE, gatewayDocument, gatewayRoute, toService } from '../fixtures/appmesh-gateway';
import { http2Targets } from '../fixtures/appmesh-seed';
import type { ModelStore } from '../../src/mgmt/appmesh/state/model-store';
import { callOperation, decodedResource, snapshotNames, storeOf } from '../fixtures/control-plane';

/** A virtual gateway's Envoy: listeners, routes (alone and combined with the router behind the target), clusters. */

const codec = new ResourceCodec();
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
const A = 'cds_egress_apps_serviceA_http2_80';
const B = 'cds_egress_apps_serviceB_http2_80';
const B2 = 'cds_egress_apps_serviceBv2_http2_80';
const SB = 'serviceb.apps.local';
const SA = 'servicea.apps.local';
const node = (id: string) => ({ id, cluster: '' });

function modelOf(doc: AppMeshDocument): AppMeshModel {
  const v = validateDocument(doc);
  if (!v.ok) throw new Error(v.problems.map(renderProblem).join('\n'));
  return v.value.model;
}

/**
 * The gateway's resources as translated (proto JSON), after checking that the
 * translation of every view of the model (every sidecar, every gateway,
 * proxyless clients) encodes with Envoy's protos.
 */
function translate(doc: AppMeshDocument, id = GATEWAY_NODE): ResourceObject[] {
  const model = modelOf(doc);
  const index = new ModelIndex(model);
  for (const view of allViews(model)) codec.encodeAll(resourcesFor(index, view), `translation (${view.key})`);
  return resourcesFor(index, nodeView(id));
}

/** The routes of the gateway's RouteConfiguration for `port`. */
function routes(resources: ResourceObject[], port = 8080): any[] {
  const rc = resources.find((r) => r['@type'] === TypeUrl.RouteConfiguration && r['name'] === `rds_ingress_http_${port}`) as any;
  if (!rc) throw new Error(`no rds_ingress_http_${port}`);
  expect(rc.virtual_hosts).toHaveLength(1);
  expect(rc.virtual_hosts[0].domains).toEqual(['*']);
  return rc.virtual_hosts[0].routes;
}

const names = snapshotNames;
const decoded = (snap: Snapshot, typeUrl: string, name: string): any => decodedResource(codec, snap, typeUrl, name);

/** The gateway document with its gateway routes replaced. */
function withRoutes(...specs: Array<[string, JsonObject]>): AppMeshDocument {
  const d = gatewayDocument();
  d.gatewayRoutes = specs.map(([name, spec]) => gatewayRoute(name, spec));
  return d;
}

/** Weighted clusters as translated: `total` when the weights do not add up to 100. */
const weighted = (c: Array<[string, number]>, total?: number) => ({ weighted_clusters: { clusters: c.map(([name, weight]) => ({ name, weight })), ...(total ? { total_weight: total } : {}) } });
const authority = (regex: string) => ({ name: ':authority', string_match: { safe_regex: { regex } } });

describe('a virtual gateway in front of the seed scenario (examples/appmesh/gateway.yaml)', () => {
  const source = new AppMeshSource(storeOf(gatewayDocument(), translationCheck(codec)), codec);
  const snap = source.snapshotFor(node(GATEWAY_NODE));

  it('gives mesh/apps/virtualGateway/gw one listener, its routes and the clusters of both targets', () => {
    expect(names(snap, TypeUrl.Listener)).toEqual(['lds_ingress_0.0.0.0_8080']);
    expect(names(snap, TypeUrl.RouteConfiguration)).toEqual(['rds_ingress_http_8080']);
    expect(names(snap, TypeUrl.Cluster)).toEqual([A, B, B2]);
    expect(names(snap, TypeUrl.ClusterLoadAssignment)).toEqual([A, B, B2]);
  });

  it('listens on 0.0.0.0:8080 without original_dst, HCM over RDS with the router filter', () => {
    const l = decoded(snap, TypeUrl.Listener, 'lds_ingress_0.0.0.0_8080');
    expect(l).toMatchObject({ address: { socket_address: { address: '0.0.0.0', port_value: 8080 } }, traffic_direction: 'INBOUND' });
    expect(l.listener_filters ?? []).toEqual([]);
    expect(l.filter_chains).toHaveLength(1);
    expect(l.filter_chains[0].filter_chain_match).toBeUndefined();
    const hcm = l.filter_chains[0].filters[0].typed_config;
    expect(hcm).toMatchObject({ '@type': HCM, codec_type: 'AUTO', rds: { route_config_name: 'rds_ingress_http_8080', config_source: { ads: {}, resource_api_version: 'V3' } } });
    expect(hcm.http_filters.at(-1).typed_config['@type']).toBe(ROUTER);
  });

  it('routes by priority: a.example.com/a/ to serviceA (prefix and Host rewritten), then / split 75/25 through the router', () => {
    const rc = decoded(snap, TypeUrl.RouteConfiguration, 'rds_ingress_http_8080');
    expect(rc.virtual_hosts).toEqual([
      {
        name: 'gateway_8080',
        domains: ['*'],
        routes: [
          { name: 'toA', match: { prefix: '/a/', headers: [authority('(?i)a\\.example\\.com(:[0-9]+)?')] }, route: { cluster: A, prefix_rewrite: '/', host_rewrite_literal: SA } },
          { name: 'toB/serviceB', match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: B, weight: { value: 75 } }, { name: B2, weight: { value: 25 } }] }, host_rewrite_literal: SB } },
        ],
      },
    ]);
  });

  it('shares the sidecars\' clusters and assignments (same names, same content)', () => {
    const sidecar = source.snapshotFor(node('mesh/apps/virtualNode/serviceA'));
    for (const name of [B, B2]) {
      expect(decoded(snap, TypeUrl.Cluster, name)).toEqual(decoded(sidecar, TypeUrl.Cluster, name));
      expect(decoded(snap, TypeUrl.ClusterLoadAssignment, name)).toEqual(decoded(sidecar, TypeUrl.ClusterLoadAssignment, name));
    }
    expect(decoded(snap, TypeUrl.ClusterLoadAssignment, A).endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 7100 });
  });

  it('serves the ARN form alike, nothing to an unknown gateway (never proxyless resources), and lists the gateway among the Envoy node ids', () => {
    const arn = source.snapshotFor(node('arn:aws:appmesh:us-west-2:123456789012:mesh/apps/virtualGateway/gw'));
    expect(arn.get(TypeUrl.RouteConfiguration)!.version).toBe(snap.get(TypeUrl.RouteConfiguration)!.version);
    expect(source.snapshotFor(node('mesh/apps/virtualGateway/nope')).size).toBe(0);
    expect(source.snapshotFor(node('mesh/other/virtualGateway/gw')).size).toBe(0);
    expect(envoyNodeIds(source.store.model)).toEqual([GATEWAY_NODE, 'mesh/apps/virtualNode/serviceA', 'mesh/apps/virtualNode/serviceB', 'mesh/apps/virtualNode/serviceBv2']);
    expect(allViews(source.store.model).map((v) => v.key)).toEqual(['gateway:apps/gw', 'envoy:apps/serviceA', 'envoy:apps/serviceB', 'envoy:apps/serviceBv2', 'proxyless:apps', 'proxyless:*']);
    // The sidecars and proxyless clients get what they got without the gateway.
    expect(names(source.snapshotFor(node('mesh/apps/virtualNode/serviceA')), TypeUrl.Listener)).toEqual(['lds_egress_0.0.0.0_15001', 'lds_ingress_0.0.0.0_15000']);
    expect(names(source.snapshotFor(node('mesh/apps/client')), TypeUrl.Listener)).toEqual([SA, `${SA}:80`, SB, `${SB}:80`]);
  });

  it('follows a weight change of the router: new routes for the gateway, the 0-weight target kept at weight 0 with its cluster', async () => {
    const s = new AppMeshSource(storeOf(gatewayDocument(), translationCheck(codec)), codec);
    const before = s.snapshotFor(node(GATEWAY_NODE));
    let changes = 0;
    s.onChange(() => changes++);
    const store = s.store as ModelStore;
    expect((await callOperation(store, 'UpdateRoute', { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' }, { spec: http2Targets([{ virtualNode: 'serviceB', weight: 0 }, { virtualNode: 'serviceBv2', weight: 100 }]) })).ok).toBe(true);
    expect(changes).toBe(1);
    const after = s.snapshotFor(node(GATEWAY_NODE));
    expect(after.get(TypeUrl.RouteConfiguration)!.version).not.toBe(before.get(TypeUrl.RouteConfiguration)!.version);
    expect(decoded(after, TypeUrl.RouteConfiguration, 'rds_ingress_http_8080').virtual_hosts[0].routes[1].route.weighted_clusters.clusters).toEqual([{ name: B, weight: { value: 0 } }, { name: B2, weight: { value: 100 } }]);
    expect(names(after, TypeUrl.Cluster)).toEqual([A, B, B2]);
    for (const typeUrl of [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener]) expect(after.get(typeUrl)!.version).toBe(before.get(typeUrl)!.version);
  });
});

describe('gateway route matches and rewrites', () => {
  it('turns hostname, headers, method and query parameters into Envoy matches; DISABLED keeps the Host', () => {
    const r = routes(
      translate(
        withRoutes([
          'm',
          toService(SA, {
            prefix: '/api/',
            hostname: { suffix: 'Example.com' },
            method: 'POST',
            headers: [{ name: 'X-Tenant', match: { exact: 'a' } }, { name: 'x-debug', invert: true }],
            queryParameters: [{ name: 'v', match: { exact: '2' } }, { name: 'flag' }],
          }, { rewrite: { hostname: { defaultTargetHostname: 'DISABLED' }, prefix: { defaultPrefix: 'DISABLED' } } }),
        ]),
      ),
    );
    expect(r).toEqual([
      {
        name: 'm',
        match: {
          prefix: '/api/',
          headers: [
            authority('(?i).*example\\.com(:[0-9]+)?'),
            { name: 'x-tenant', string_match: { exact: 'a' } },
            { name: 'x-debug', invert_match: true, present_match: true },
            { name: ':method', string_match: { exact: 'POST' } },
          ],
          query_parameters: [{ name: 'v', string_match: { exact: '2' } }, { name: 'flag', present_match: true }],
        },
        route: { cluster: A },
      },
    ]);
  });

  it('replaces a matched prefix as App Mesh does: "/chapter/page" -> "/page" and "/chapter1" -> "/1"; a value; or not at all', () => {
    const r = routes(
      translate(
        withRoutes(
          ['chapter', toService(SA, { prefix: '/chapter' })],
          ['v2', toService(SA, { prefix: '/api/' }, { rewrite: { prefix: { value: '/v2/' } } })],
          ['keep', toService(SA, { prefix: '/keep' }, { rewrite: { prefix: { defaultPrefix: 'DISABLED' } } })],
        ),
      ),
    );
    expect(r.map((x) => [x.name, x.match, x.route.prefix_rewrite])).toEqual([
      ['chapter', { prefix: '/chapter/' }, '/'],
      ['chapter', { prefix: '/chapter' }, '/'],
      ['keep', { prefix: '/keep' }, undefined],
      ['v2', { prefix: '/api/' }, '/v2/'],
    ]);
    expect(r.every((x) => x.route.host_rewrite_literal === SA)).toBe(true);
  });

  it('rewrites a whole path: prefix_rewrite on an exact path, regex_rewrite on a regex', () => {
    const r = routes(translate(withRoutes(['exact', toService(SA, { path: { exact: '/old' } }, { rewrite: { path: { exact: '/new' } } })], ['regex', toService(SA, { path: { regex: '/old/.*' } }, { rewrite: { path: { exact: '/new' } } })])));
    expect(r).toEqual([
      { name: 'regex', match: { safe_regex: { regex: '/old/.*' } }, route: { cluster: A, regex_rewrite: { pattern: { regex: '^.*$' }, substitution: '/new' }, host_rewrite_literal: SA } },
      { name: 'exact', match: { path: '/old' }, route: { cluster: A, prefix_rewrite: '/new', host_rewrite_literal: SA } },
    ]);
  });

  it('answers 503 for a target virtual service without a provider yet', () => {
    const d = withRoutes(['later', toService('later.apps.local', { prefix: '/later' })]);
    d.virtualServices.push({ meshName: 'apps', virtualServiceName: 'later.apps.local', spec: {} });
    const res = translate(d);
    expect(routes(res)).toEqual([{ name: 'later', match: { prefix: '/later' }, direct_response: { status: 503 } }]);
    expect(res.filter((x) => x['@type'] === TypeUrl.Cluster)).toEqual([]);
  });

  it('puts a route with match.port only on that listener, one without on every listener of its protocol', () => {
    const d = withRoutes(['everywhere', toService(SA, { prefix: '/' })], ['only8081', toService(SB, { prefix: '/b/', port: 8081 }, { kind: 'http2Route' })], ['grpc', toService(SA, { serviceName: 'pkg.Svc' }, { kind: 'grpcRoute' })]);
    (d.virtualGateways[0] as any).spec.listeners.push({ portMapping: { port: 8081, protocol: 'http' } }, { portMapping: { port: 9090, protocol: 'grpc' } });
    const res = translate(d);
    expect(res.filter((x) => x['@type'] === TypeUrl.Listener).map((x) => x['name'])).toEqual(['lds_ingress_0.0.0.0_8080', 'lds_ingress_0.0.0.0_8081', 'lds_ingress_0.0.0.0_9090']);
    expect(routes(res, 8080).map((x) => x.name)).toEqual(['everywhere']);
    expect(routes(res, 8081).map((x) => x.name)).toEqual(['only8081/serviceB', 'everywhere']);
    expect(routes(res, 9090)).toEqual([{ name: 'grpc', match: { prefix: '/pkg.Svc/' }, route: { cluster: A, host_rewrite_literal: SA } }]);
  });
});

describe('a virtual router behind a gateway route', () => {
  /** The seed's router with more routes before its catch-all "serviceB" (75/25). */
  function withRouter(...specs: Array<[string, JsonObject]>): AppMeshDocument {
    const d = withRoutes(...specs);
    const route = (name: string, priority: number, match: JsonObject, node: string, extra: JsonObject = {}) => ({
      meshName: 'apps',
      virtualRouterName: 'serviceB',
      routeName: name,
      spec: { priority, http2Route: { match, action: { weightedTargets: [{ virtualNode: node, weight: 1 }] }, ...extra } },
    });
    d.routes.push(
      route('x', 1, { prefix: '/x' }, 'serviceBv2', { timeout: { perRequest: { unit: 's', value: 5 } } }),
      route('health', 2, { path: { exact: '/health' } }, 'serviceB'),
      route('canary', 3, { prefix: '/', headers: [{ name: 'x-canary' }] }, 'serviceBv2'),
    );
    return d;
  }
  const one = (c: string) => weighted([[c, 1]], 1);
  const split = weighted([[B, 75], [B2, 25]]);
  const canary = [{ name: 'x-canary', present_match: true }];

  it('combines each router route with the gateway route (App Mesh order: "<prefix>/" first), then stops at the route that matches everything', () => {
    const r = routes(translate(withRouter(['chapter', toService(SB, { prefix: '/chapter' })])));
    expect(r).toEqual([
      { name: 'chapter/x', match: { prefix: '/chapter/x' }, route: { ...one(B2), timeout: '5s', prefix_rewrite: '/x', host_rewrite_literal: SB } },
      { name: 'chapter/health', match: { path: '/chapter/health' }, route: { ...one(B), prefix_rewrite: '/health', host_rewrite_literal: SB } },
      { name: 'chapter/canary', match: { prefix: '/chapter/', headers: canary }, route: { ...one(B2), prefix_rewrite: '/', host_rewrite_literal: SB } },
      { name: 'chapter/serviceB', match: { prefix: '/chapter/' }, route: { ...split, prefix_rewrite: '/', host_rewrite_literal: SB } },
      { name: 'chapter/x', match: { prefix: '/chapterx' }, route: { ...one(B2), timeout: '5s', prefix_rewrite: '/x', host_rewrite_literal: SB } },
      { name: 'chapter/health', match: { path: '/chapterhealth' }, route: { ...one(B), prefix_rewrite: '/health', host_rewrite_literal: SB } },
      { name: 'chapter/canary', match: { prefix: '/chapter', headers: canary }, route: { ...one(B2), prefix_rewrite: '/', host_rewrite_literal: SB } },
      { name: 'chapter/serviceB', match: { prefix: '/chapter' }, route: { ...split, prefix_rewrite: '/', host_rewrite_literal: SB } },
    ]);
  });

  it('answers 404 for what the gateway route matches but no router route does (no fall-through to a lower gateway route)', () => {
    const d = withRouter(['api', toService(SB, { prefix: '/api/' }, { rewrite: { prefix: { value: '/v2/' } } })], ['rest', toService(SA, { prefix: '/' })]);
    d.routes = d.routes.filter((x) => x['routeName'] !== 'serviceB');
    const r = routes(translate(d));
    expect(r).toEqual([
      // "/x" and "/health" cannot follow "/v2/": left out.
      { name: 'api/canary', match: { prefix: '/api/', headers: canary }, route: { ...one(B2), prefix_rewrite: '/v2/', host_rewrite_literal: SB } },
      { name: 'api/no-route', match: { prefix: '/api/' }, direct_response: { status: 404 } },
      { name: 'rest', match: { prefix: '/' }, route: { cluster: A, host_rewrite_literal: SA } },
    ]);
  });

  it('intersects paths when nothing is rewritten, and matches what a single path specifier cannot hold as :path headers', () => {
    const d = withRouter(
      ['x', toService(SB, { prefix: '/x/' }, { rewrite: { prefix: { defaultPrefix: 'DISABLED' } } })],
      ['rx', toService(SB, { path: { regex: '/x[0-9]+' } }, { priority: 500 })],
    );
    d.routes.push({ meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'v', spec: { priority: 4, http2Route: { match: { path: { regex: '/v[0-9]+/.*' } }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] } } } });
    const r = routes(translate(d));
    expect(r.map((x) => [x.name, x.match])).toEqual([
      // The gateway's regex is the path specifier; the router's paths become :path matches.
      ['rx/x', { safe_regex: { regex: '/x[0-9]+' }, headers: [{ name: ':path', string_match: { prefix: '/x' } }] }],
      ['rx/health', { path: '/health', headers: [{ name: ':path', string_match: { safe_regex: { regex: '(?:/x[0-9]+)(\\?.*)?' } } }] }],
      ['rx/canary', { safe_regex: { regex: '/x[0-9]+' }, headers: canary }],
      ['rx/v', { safe_regex: { regex: '/x[0-9]+' }, headers: [{ name: ':path', string_match: { safe_regex: { regex: '(?:/v[0-9]+/.*)(\\?.*)?' } } }] }],
      ['rx/serviceB', { safe_regex: { regex: '/x[0-9]+' } }],
      // Every "/x/..." request takes the router's "/x" route: "/health" cannot match, the rest are never reached.
      ['x/x', { prefix: '/x/' }],
    ]);
    expect(r.every((x) => x.route.prefix_rewrite === undefined && x.route.regex_rewrite === undefined)).toBe(true);
  });

  it('decides router matches on a rewritten whole path when translating', () => {
    const r = routes(translate(withRouter(['old', toService(SB, { path: { exact: '/old' } }, { rewrite: { path: { exact: '/x/y' } } })])));
    expect(r).toEqual([{ name: 'old/x', match: { path: '/old' }, route: { ...one(B2), timeout: '5s', prefix_rewrite: '/x/y', host_rewrite_literal: SB } }]);
  });

  it('routes gRPC: service name as a path prefix, metadata as headers, the router\'s grpc routes (method paths, max_stream_duration)', () => {
    const d = withRoutes(['svc', toService(SB, { serviceName: 'pkg.Svc', hostname: { exact: 'api.example.com' }, metadata: [{ name: 'tenant', match: { prefix: 'a' } }] }, { kind: 'grpcRoute' })]);
    (d.virtualGateways[0] as any).spec.listeners = [{ portMapping: { port: 9090, protocol: 'grpc' } }];
    (d.virtualRouters[0] as any).spec.listeners = [{ portMapping: { port: 80, protocol: 'grpc' } }];
    d.routes = [
      { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'do', spec: { grpcRoute: { match: { serviceName: 'pkg.Svc', methodName: 'Do' }, action: { weightedTargets: [{ virtualNode: 'serviceBv2', weight: 1 }] }, timeout: { perRequest: { unit: 's', value: 2 } } } } },
      { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'other', spec: { grpcRoute: { match: { serviceName: 'other.Svc' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] } } } },
      { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'all', spec: { grpcRoute: { match: { metadata: [{ name: 'x-any' }] }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] } } } },
    ];
    const gw = [authority('(?i)api\\.example\\.com(:[0-9]+)?'), { name: 'tenant', string_match: { prefix: 'a' } }];
    expect(routes(translate(d), 9090)).toEqual([
      { name: 'svc/do', match: { path: '/pkg.Svc/Do', headers: gw }, route: { ...one(B2), timeout: '2s', max_stream_duration: { max_stream_duration: '2s' }, host_rewrite_literal: SB } },
      { name: 'svc/all', match: { prefix: '/pkg.Svc/', headers: [...gw, { name: 'x-any', present_match: true }] }, route: { ...one(B), host_rewrite_literal: SB } },
      { name: 'svc/no-route', match: { prefix: '/pkg.Svc/', headers: gw }, direct_response: { status: 404 } },
    ]);
  });

  it('sends an httpRoute gateway route through an http2 router, and takes the router\'s httpRoutes on its http2 listener', () => {
    const d = withRoutes(['all', toService(SB, { prefix: '/' })]);
    d.routes[0]!['spec'] = { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 3 }, { virtualNode: 'serviceBv2', weight: 1 }] } } };
    expect(routes(translate(d))).toEqual([{ name: 'all/serviceB', match: { prefix: '/' }, route: { ...weighted([[B, 3], [B2, 1]], 4), host_rewrite_literal: SB } }]);
  });
});
