import { renderProblem } from '../../src/common/problem';
import { describe, expect, it } from 'vitest';
import { ModelIndex } from '../../src/mgmt/appmesh/model-index';
import { AppMeshSource, translationCheck } from '../../src/mgmt/appmesh/source';
import type { ModelStore } from '../../src/mgmt/appmesh/state/model-store';
import type { AppMeshDocument } from '../../src/mgmt/appmesh/types';
import { validateDocument } from '../../src/mgmt/appmesh/validate';
import { envoyRoute } from '../../src/mgmt/appmesh/xds-route';
import { CombinedSource } from '../../src/mgmt/combined-source';
import { ResourceCodec } from '../../src/mgmt/resource-codec';
import { TypeUrl, type Snapshot } from '../../src/mgmt/snapshot';
import { StaticResourceSource } from '../../src/mgmt/static-source';
import { http2Targets, seedDocument, seedRoute } from '../fixtures/appmesh-seed';
import { callOperation, decodedResource, snapshotNames, storeOf } from '../fixtures/control-plane';
import { cluster } from '../fixtures/xds-resources';

const codec = new ResourceCodec();
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
const B = 'cds_egress_apps_serviceB_http2_80';
const B2 = 'cds_egress_apps_serviceBv2_http2_80';

function source(doc: AppMeshDocument = seedDocument()): AppMeshSource {
  return new AppMeshSource(storeOf(doc, translationCheck(codec)), codec);
}

const names = snapshotNames;
const decoded = (snap: Snapshot, typeUrl: string, name: string): any => decodedResource(codec, snap, typeUrl, name);

const node = (id: string) => ({ id, cluster: '' });
const ROUTE_LABELS = { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' };

describe('App Mesh -> xDS for an Envoy sidecar', () => {
  const snap = source().snapshotFor(node('mesh/apps/virtualNode/serviceA'));

  it('names the resources of serviceA (backend serviceb.apps.local via the router)', () => {
    expect(names(snap, TypeUrl.Listener)).toEqual(['lds_egress_0.0.0.0_15001', 'lds_ingress_0.0.0.0_15000']);
    expect(names(snap, TypeUrl.RouteConfiguration)).toEqual(['rds_egress_http_80', 'rds_ingress_http_80']);
    expect(names(snap, TypeUrl.Cluster)).toEqual([B, B2, 'cds_ingress_apps_serviceA_http2_80']);
    expect(names(snap, TypeUrl.ClusterLoadAssignment)).toEqual([B, B2]);
  });

  it('has an ingress listener on 0.0.0.0:15000 to the app on 127.0.0.1:80', () => {
    const l = decoded(snap, TypeUrl.Listener, 'lds_ingress_0.0.0.0_15000');
    expect(l).toMatchObject({ address: { socket_address: { address: '0.0.0.0', port_value: 15000 } }, traffic_direction: 'INBOUND' });
    expect(l.listener_filters[0].name).toBe('envoy.filters.listener.original_dst');
    expect(l.filter_chains).toHaveLength(1);
    const chain = l.filter_chains[0];
    expect(chain.filter_chain_match).toEqual({ destination_port: { value: 80 } });
    const hcm = chain.filters[0].typed_config;
    expect(hcm).toMatchObject({ '@type': HCM, stat_prefix: 'ingress', rds: { route_config_name: 'rds_ingress_http_80', config_source: { ads: {} } } });
    expect(hcm.http_filters.at(-1).typed_config['@type']).toBe(ROUTER);
    const rc = decoded(snap, TypeUrl.RouteConfiguration, 'rds_ingress_http_80');
    expect(rc.virtual_hosts).toEqual([{ name: 'ingress_80', domains: ['*'], routes: [{ name: 'ingress', match: { prefix: '/' }, route: { cluster: 'cds_ingress_apps_serviceA_http2_80' } }] }]);
    const c = decoded(snap, TypeUrl.Cluster, 'cds_ingress_apps_serviceA_http2_80');
    expect(c).toMatchObject({ type: 'STATIC', lb_policy: 'ROUND_ROBIN' });
    expect(c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 80 });
    expect(c.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].explicit_http_config).toEqual({ http2_protocol_options: {} });
  });

  it('has an egress listener on 0.0.0.0:15001 whose routes split serviceb.apps.local 75/25', () => {
    const l = decoded(snap, TypeUrl.Listener, 'lds_egress_0.0.0.0_15001');
    expect(l).toMatchObject({ address: { socket_address: { address: '0.0.0.0', port_value: 15001 } }, traffic_direction: 'OUTBOUND' });
    expect(l.default_filter_chain).toBeUndefined(); // egressFilter DROP_ALL (App Mesh's default)
    expect(l.filter_chains.map((c: any) => [c.name, c.filter_chain_match.destination_port.value, c.filters[0].typed_config.rds.route_config_name])).toEqual([['egress_http_80', 80, 'rds_egress_http_80']]);
    const rc = decoded(snap, TypeUrl.RouteConfiguration, 'rds_egress_http_80');
    expect(rc.virtual_hosts).toEqual([
      {
        name: 'serviceb.apps.local:80',
        domains: ['serviceb.apps.local', 'serviceb.apps.local:80'],
        routes: [{ name: 'serviceB', match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: B, weight: { value: 75 } }, { name: B2, weight: { value: 25 } }] } } }],
      },
    ]);
  });

  it('says what weights add up to when it is not 100 (gRPC C-core 1.51 assumes 100 and refuses the route otherwise)', () => {
    const doc = seedDocument();
    seedRoute(doc)['spec'] = http2Targets([{ virtualNode: 'serviceB', weight: 1 }, { virtualNode: 'serviceBv2', weight: 3 }]);
    const rc = decoded(source(doc).snapshotFor(node('mesh/apps/virtualNode/serviceA')), TypeUrl.RouteConfiguration, 'rds_egress_http_80');
    expect(rc.virtual_hosts[0].routes[0].route.weighted_clusters).toEqual({ clusters: [{ name: B, weight: { value: 1 } }, { name: B2, weight: { value: 3 } }], total_weight: { value: 4 } });
  });

  it('has EDS clusters per virtual node listener and assignments with the local endpoints', () => {
    expect(decoded(snap, TypeUrl.Cluster, B)).toMatchObject({ type: 'EDS', eds_cluster_config: { service_name: B, eds_config: { ads: {} } }, lb_policy: 'ROUND_ROBIN' });
    const cla = decoded(snap, TypeUrl.ClusterLoadAssignment, B2);
    expect(cla.endpoints).toEqual([
      { locality: { region: 'local', zone: 'local' }, load_balancing_weight: { value: 1 }, lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 7102 } } }, health_status: 'HEALTHY' }] },
    ]);
  });

  it('serves the same to the ARN form of the node id, only ingress to a node without backends, nothing to an unknown node', () => {
    const s = source();
    const arn = s.snapshotFor(node('arn:aws:appmesh:us-west-2:123456789012:mesh/apps/virtualNode/serviceA'));
    expect(arn.get(TypeUrl.Listener)!.version).toBe(snap.get(TypeUrl.Listener)!.version);
    const b = s.snapshotFor(node('mesh/apps/virtualNode/serviceB'));
    expect(names(b, TypeUrl.Listener)).toEqual(['lds_ingress_0.0.0.0_15000']);
    expect(names(b, TypeUrl.Cluster)).toEqual(['cds_ingress_apps_serviceB_http2_80']);
    expect(names(b, TypeUrl.ClusterLoadAssignment)).toEqual([]);
    expect(s.snapshotFor(node('mesh/apps/virtualNode/serviceZ')).size).toBe(0);
    expect(s.nodeIds()).toEqual(['mesh/apps/virtualNode/serviceA', 'mesh/apps/virtualNode/serviceB', 'mesh/apps/virtualNode/serviceBv2']);
  });
});

describe('App Mesh -> xDS for proxyless gRPC clients', () => {
  it('serves API listeners named by virtual service (with and without port) over RDS -> EDS', () => {
    const s = source();
    const snap = s.snapshotFor(node('mesh/apps/proxyless-client'));
    expect(s.snapshotFor(node('mesh/apps/another-client'))).toBe(snap);
    expect(s.snapshotFor(node('any-client-id')).get(TypeUrl.Listener)!.version).toBe(snap.get(TypeUrl.Listener)!.version);
    expect(names(snap, TypeUrl.Listener)).toEqual(['servicea.apps.local', 'servicea.apps.local:80', 'serviceb.apps.local', 'serviceb.apps.local:80']);
    expect(names(snap, TypeUrl.RouteConfiguration)).toEqual(['rds_apps_servicea.apps.local_80', 'rds_apps_serviceb.apps.local_80']);
    expect(names(snap, TypeUrl.Cluster)).toEqual(['cds_egress_apps_serviceA_http2_80', B, B2]);
    expect(names(snap, TypeUrl.ClusterLoadAssignment)).toEqual(['cds_egress_apps_serviceA_http2_80', B, B2]);
    const l = decoded(snap, TypeUrl.Listener, 'serviceb.apps.local:80');
    const hcm = l.api_listener.api_listener;
    expect(hcm).toMatchObject({ '@type': HCM, rds: { route_config_name: 'rds_apps_serviceb.apps.local_80', config_source: { ads: {}, resource_api_version: 'V3' } } });
    expect(hcm.http_filters.at(-1).typed_config['@type']).toBe(ROUTER);
    expect(decoded(snap, TypeUrl.Listener, 'serviceb.apps.local').api_listener.api_listener.rds.route_config_name).toBe('rds_apps_serviceb.apps.local_80');
    const rc = decoded(snap, TypeUrl.RouteConfiguration, 'rds_apps_serviceb.apps.local_80');
    expect(rc.virtual_hosts[0].routes[0].route.weighted_clusters.clusters).toEqual([{ name: B, weight: { value: 75 } }, { name: B2, weight: { value: 25 } }]);
    expect(decoded(snap, TypeUrl.ClusterLoadAssignment, B).endpoints[0]).toMatchObject({ locality: { region: 'local' }, lb_endpoints: [{ health_status: 'HEALTHY' }] });
    expect(s.snapshotFor(node('mesh/other/client')).size).toBe(0);
  });

  it('pushes a weight change: onChange fires, the routes keep the 0-weight target at weight 0, clusters and assignments unchanged', async () => {
    const s = source();
    const before = s.snapshotFor(node('client'));
    let changes = 0;
    s.onChange(() => changes++);
    const r = await callOperation(s.store as ModelStore, 'UpdateRoute', ROUTE_LABELS, { spec: http2Targets([{ virtualNode: 'serviceB', weight: 0 }, { virtualNode: 'serviceBv2', weight: 100 }]) });
    expect(r.ok).toBe(true);
    expect(changes).toBe(1);
    const after = s.snapshotFor(node('client'));
    expect(after.get(TypeUrl.RouteConfiguration)!.version).not.toBe(before.get(TypeUrl.RouteConfiguration)!.version);
    expect(decoded(after, TypeUrl.RouteConfiguration, 'rds_apps_serviceb.apps.local_80').virtual_hosts[0].routes[0].route.weighted_clusters.clusters).toEqual([{ name: B, weight: { value: 0 } }, { name: B2, weight: { value: 100 } }]);
    expect(names(after, TypeUrl.Cluster)).toEqual(['cds_egress_apps_serviceA_http2_80', B, B2]);
    // No cluster churn: a split moving to 0 (and back) changes the routes only.
    for (const typeUrl of [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener]) expect(after.get(typeUrl)!.version).toBe(before.get(typeUrl)!.version);
  });
});

describe('route, discovery and protocol translation', () => {
  it('translates matches, retry policies and timeouts into Envoy route fields', () => {
    const doc = seedDocument();
    seedRoute(doc)['spec'] = {
      priority: 5,
      http2Route: {
        match: {
          prefix: '/api',
          method: 'POST',
          headers: [{ name: 'X-Version', match: { exact: 'v2' } }, { name: 'x-re', match: { regex: 'a.*' }, invert: true }, { name: 'x-n', match: { range: { start: 1, end: 5 } } }, { name: 'x-any' }],
          queryParameters: [{ name: 'q', match: { exact: '1' } }, { name: 'flag' }],
        },
        action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] },
        retryPolicy: { maxRetries: 3, perRetryTimeout: { unit: 'ms', value: 1500 }, httpRetryEvents: ['server-error', 'gateway-error'], tcpRetryEvents: ['connection-error'] },
        timeout: { perRequest: { unit: 's', value: 20 }, idle: { unit: 'ms', value: 250 } },
      },
    };
    doc.routes.push({
      meshName: 'apps',
      virtualRouterName: 'serviceB',
      routeName: 'grpc',
      spec: { http2Route: { match: { path: { exact: '/pkg.Svc/Do' } }, action: { weightedTargets: [{ virtualNode: 'serviceBv2', weight: 1 }] } } },
    });
    const v = validateDocument(doc);
    if (!v.ok) throw new Error(v.problems.map(renderProblem).join('\n'));
    expect(translationCheck(codec)(v.value.model)).toEqual([]);
    const index = new ModelIndex(v.value.model);
    expect(index.routesOf('apps', 'serviceB').map((r) => r.name)).toEqual(['serviceB', 'grpc']);
    expect(envoyRoute(index, v.value.model.routes[0]!)).toEqual({
      name: 'serviceB',
      match: {
        prefix: '/api',
        headers: [
          { name: 'x-version', string_match: { exact: 'v2' } },
          { name: 'x-re', invert_match: true, string_match: { safe_regex: { regex: 'a.*' } } },
          { name: 'x-n', range_match: { start: 1, end: 5 } },
          { name: 'x-any', present_match: true },
          { name: ':method', string_match: { exact: 'POST' } },
        ],
        query_parameters: [{ name: 'q', string_match: { exact: '1' } }, { name: 'flag', present_match: true }],
      },
      route: {
        weighted_clusters: { clusters: [{ name: B, weight: 1 }], total_weight: 1 },
        timeout: '20s',
        idle_timeout: '0.25s',
        retry_policy: { retry_on: '5xx,gateway-error,connect-failure', num_retries: 3, per_try_timeout: '1.5s' },
      },
    });
    expect(envoyRoute(index, v.value.model.routes[1]!).match).toEqual({ path: '/pkg.Svc/Do' });
  });

  it('turns grpcRoute service and method names into paths and metadata into header matches', () => {
    const doc = seedDocument();
    (doc.virtualRouters[0] as any).spec.listeners = [{ portMapping: { port: 80, protocol: 'grpc' } }];
    seedRoute(doc)['spec'] = {
      grpcRoute: {
        match: { serviceName: 'appnet.test.Echo', methodName: 'Say', metadata: [{ name: 'tenant', match: { prefix: 'a' } }] },
        action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] },
        retryPolicy: { maxRetries: 1, perRetryTimeout: { unit: 's', value: 1 }, grpcRetryEvents: ['unavailable', 'deadline-exceeded'] },
        timeout: { perRequest: { unit: 's', value: 2 } },
      },
    };
    const v = validateDocument(doc);
    if (!v.ok) throw new Error(v.problems.map(renderProblem).join('\n'));
    expect(translationCheck(codec)(v.value.model)).toEqual([]);
    expect(envoyRoute(new ModelIndex(v.value.model), v.value.model.routes[0]!)).toEqual({
      name: 'serviceB',
      match: { path: '/appnet.test.Echo/Say', headers: [{ name: 'tenant', string_match: { prefix: 'a' } }] },
      route: {
        weighted_clusters: { clusters: [{ name: B, weight: 1 }], total_weight: 1 },
        timeout: '2s',
        max_stream_duration: { max_stream_duration: '2s' },
        retry_policy: { retry_on: 'unavailable,deadline-exceeded', num_retries: 1, per_try_timeout: '1s' },
      },
    });
  });

  it('serves an httpRoute of an http2 router (App Mesh takes either HTTP route type on either HTTP listener) to sidecars and proxyless clients', () => {
    const doc = seedDocument();
    seedRoute(doc)['spec'] = { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 3 }, { virtualNode: 'serviceBv2', weight: 1 }] } } };
    const s = source(doc);
    const clusters = [{ name: B, weight: { value: 3 } }, { name: B2, weight: { value: 1 } }];
    const envoy = s.snapshotFor(node('mesh/apps/virtualNode/serviceA'));
    expect(decoded(envoy, TypeUrl.RouteConfiguration, 'rds_egress_http_80').virtual_hosts[0].routes[0].route.weighted_clusters.clusters).toEqual(clusters);
    expect(names(envoy, TypeUrl.Cluster)).toEqual([B, B2, 'cds_ingress_apps_serviceA_http2_80']);
    const proxyless = s.snapshotFor(node('client'));
    expect(decoded(proxyless, TypeUrl.RouteConfiguration, 'rds_apps_serviceb.apps.local_80').virtual_hosts[0].routes[0].route.weighted_clusters.clusters).toEqual(clusters);
  });

  it('uses DNS clusters when a node has no local endpoints (STRICT_DNS for Envoy, LOGICAL_DNS proxyless), Cloud Map as empty EDS', () => {
    const doc = seedDocument();
    doc.endpoints = { 'apps/serviceA': ['127.0.0.1:1'] };
    (doc.virtualNodes[2] as any).spec.serviceDiscovery = { awsCloudMap: { namespaceName: 'apps.local', serviceName: 'serviceBv2' } };
    const s = source(doc);
    const envoy = s.snapshotFor(node('mesh/apps/virtualNode/serviceA'));
    expect(decoded(envoy, TypeUrl.Cluster, B)).toMatchObject({ type: 'STRICT_DNS', load_assignment: { endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'serviceB.apps.local', port_value: 80 } } } }] }] } });
    expect(names(envoy, TypeUrl.ClusterLoadAssignment)).toEqual([B2]);
    expect(decoded(envoy, TypeUrl.ClusterLoadAssignment, B2).endpoints ?? []).toEqual([]);
    expect(decoded(s.snapshotFor(node('client')), TypeUrl.Cluster, B).type).toBe('LOGICAL_DNS');
  });

  it('takes a DNS hostname that is an IP address as the endpoint, with the listener port', () => {
    const doc = seedDocument();
    delete doc.endpoints;
    (doc.virtualNodes[1] as any).spec.serviceDiscovery.dns.hostname = '127.0.0.9';
    const snap = source(doc).snapshotFor(node('client'));
    expect(decoded(snap, TypeUrl.ClusterLoadAssignment, B).endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({ address: '127.0.0.9', port_value: 80 });
    expect(decoded(snap, TypeUrl.Cluster, B2).type).toBe('LOGICAL_DNS');
  });

  it('carries TCP backends with tcp_proxy (weighted), ALLOW_ALL as a passthrough chain, and listener health checks and timeouts', () => {
    const doc = seedDocument();
    (doc.meshes[0] as any).spec = { egressFilter: { type: 'ALLOW_ALL' } };
    const tcpNode = (name: string, port: number) => ({ meshName: 'apps', virtualNodeName: name, spec: { listeners: [{ portMapping: { port, protocol: 'tcp' }, timeout: { tcp: { idle: { unit: 's', value: 30 } } } }], serviceDiscovery: { dns: { hostname: '127.0.0.1' } } } });
    doc.virtualNodes.push(tcpNode('db1', 5432), tcpNode('db2', 5433));
    doc.virtualRouters.push({ meshName: 'apps', virtualRouterName: 'db', spec: { listeners: [{ portMapping: { port: 5432, protocol: 'tcp' } }] } });
    doc.routes.push({ meshName: 'apps', virtualRouterName: 'db', routeName: 'db', spec: { tcpRoute: { action: { weightedTargets: [{ virtualNode: 'db1', weight: 90 }, { virtualNode: 'db2', weight: 10 }] }, timeout: { idle: { unit: 's', value: 60 } } } } });
    doc.virtualServices.push({ meshName: 'apps', virtualServiceName: 'db.apps.local', spec: { provider: { virtualRouter: { virtualRouterName: 'db' } } } });
    const a = doc.virtualNodes[0] as any;
    a.spec.backends.push({ virtualService: { virtualServiceName: 'db.apps.local' } });
    a.spec.listeners[0].healthCheck = { protocol: 'http2', path: '/ping', intervalMillis: 5000, timeoutMillis: 2000, healthyThreshold: 2, unhealthyThreshold: 3 };
    a.spec.listeners[0].timeout = { http2: { perRequest: { unit: 's', value: 15 } } };
    const s = source(doc);
    const snap = s.snapshotFor(node('mesh/apps/virtualNode/serviceA'));
    const egress = decoded(snap, TypeUrl.Listener, 'lds_egress_0.0.0.0_15001');
    const tcp = egress.filter_chains.find((c: any) => c.name === 'egress_tcp_5432');
    expect(tcp.filters[0].typed_config).toMatchObject({
      stat_prefix: 'egress',
      idle_timeout: { seconds: '60' },
      weighted_clusters: { clusters: [{ name: 'cds_egress_apps_db1_tcp_5432', weight: 90 }, { name: 'cds_egress_apps_db2_tcp_5433', weight: 10 }] },
    });
    expect(egress.default_filter_chain.filters[0].typed_config.cluster).toBe('cds_egress_apps_passthrough');
    expect(decoded(snap, TypeUrl.Cluster, 'cds_egress_apps_passthrough')).toMatchObject({ type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED' });
    const ingress = decoded(snap, TypeUrl.Cluster, 'cds_ingress_apps_serviceA_http2_80');
    expect(ingress.health_checks).toEqual([
      { timeout: { seconds: '2', nanos: 0 }, interval: { seconds: '5', nanos: 0 }, healthy_threshold: { value: 2 }, unhealthy_threshold: { value: 3 }, http_health_check: { path: '/ping', codec_client_type: 'HTTP2' } },
    ]);
    expect(decoded(snap, TypeUrl.RouteConfiguration, 'rds_ingress_http_80').virtual_hosts[0].routes[0].route.timeout).toEqual({ seconds: '15', nanos: 0 });
    const db1 = s.snapshotFor(node('mesh/apps/virtualNode/db1'));
    expect(decoded(db1, TypeUrl.Listener, 'lds_ingress_0.0.0.0_15000').filter_chains[0].filters[0].typed_config).toMatchObject({ cluster: 'cds_ingress_apps_db1_tcp_5432', idle_timeout: { seconds: '30' } });
    expect(names(s.snapshotFor(node('client')), TypeUrl.Listener)).not.toContain('db.apps.local:5432');
  });
});

describe('CombinedSource (--resources with --appmesh)', () => {
  it('lays the model\'s resources over the file\'s, per node, and relays both sources\' changes', async () => {
    const file = new StaticResourceSource(codec.encodeAll([cluster(B, 'from-file'), cluster('file-only', 'x')]));
    const mesh = source();
    const both = new CombinedSource(file, mesh);
    const snap = both.snapshotFor(node('mesh/apps/virtualNode/serviceA'));
    expect(names(snap, TypeUrl.Cluster)).toEqual([B, B2, 'cds_ingress_apps_serviceA_http2_80', 'file-only']);
    expect(decoded(snap, TypeUrl.Cluster, B).eds_cluster_config.service_name).toBe(B);
    expect(both.snapshotFor(node('mesh/apps/virtualNode/serviceA'))).toBe(snap);
    expect(names(both.snapshotFor(node('mesh/other/x')), TypeUrl.Cluster)).toEqual([B, 'file-only']);
    let changes = 0;
    both.onChange(() => changes++);
    file.upsert(...codec.encodeAll([cluster('another', 'y')]));
    expect(await callOperation(mesh.store as ModelStore, 'DeleteVirtualService', { meshName: 'apps', virtualServiceName: 'servicea.apps.local' })).toMatchObject({ ok: true });
    expect(changes).toBe(2);
  });
});
