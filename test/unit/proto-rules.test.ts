import { describe, expect, it } from 'vitest';
import { checkBounds, nanosOf, showNanos } from '../../src/common/proto-rules/bounds';
import { RulesChecker, formatViolation } from '../../src/common/proto-rules/rules-checker';
import { checkString, isHostname } from '../../src/common/proto-rules/string-rules';
import { AppMeshSource, translationCheck } from '../../src/mgmt/appmesh/source';
import { allViews } from '../../src/mgmt/appmesh/translate';
import type { AppMeshDocument } from '../../src/mgmt/appmesh/types';
import type { ModelStore } from '../../src/mgmt/appmesh/state/model-store';
import { JsonChecker } from '../../src/mgmt/resource-json';
import { ResourceCodec, ResourceError, type ResourceObject } from '../../src/mgmt/resource-codec';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { gatewayDocument } from '../fixtures/appmesh-gateway';
import { seedDocument } from '../fixtures/appmesh-seed';
import { callOperation, storeOf } from '../fixtures/control-plane';
import { cluster, serviceChain } from '../fixtures/xds-resources';

/**
 * Envoy's validate.rules (src/common/proto-rules): each kind of rule on a real
 * Envoy field, PGV's meanings (unset scalars, oneof members, wrappers, Any),
 * the codec refusing what Envoy would NACK, and the App Mesh API refusing a
 * model whose translation would break a rule.
 */

const codec = new ResourceCodec();
const lax = new ResourceCodec(codec.root, { rules: false });
const rules = new RulesChecker(codec.root);

/** The violations of a proto-JSON resource (encoded without the rules, then checked). */
function broken(obj: ResourceObject): string[] {
  const r = lax.encode(obj);
  return rules.checkEncoded(r.typeUrl, r.value).map(formatViolation);
}

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const TCP = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
const route = (match: Record<string, unknown>, action: Record<string, unknown> = { cluster: 'c' }): ResourceObject => ({
  '@type': TypeUrl.RouteConfiguration,
  name: 'r',
  virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match, route: action }] }],
});

describe('bounds (PGV ranges)', () => {
  it('reads a lower and an upper bound as inside when upper > lower, outside otherwise', () => {
    expect(checkBounds(5n, { gt: 0n, lt: 10n }, String)).toEqual([]);
    expect(checkBounds(10n, { gt: 0n, lt: 10n }, String)).toEqual([{ rule: 'gt,lt', message: 'must be inside range (0, 10)' }]);
    expect(checkBounds(7n, { gt: 10n, lt: 5n }, String)).toEqual([{ rule: 'gt,lt', message: 'must be greater than 10 or less than 5' }]);
    expect(checkBounds(11n, { gt: 10n, lt: 5n }, String)).toEqual([]);
    expect(checkBounds(3, { gte: 1, lte: 3, in: [1, 2], not_in: [3] }, String)).toEqual([
      { rule: 'in', message: 'must be one of 1, 2' },
      { rule: 'not_in', message: 'must not be one of 3' },
    ]);
  });

  it('durations in nanoseconds, printed as Envoy does', () => {
    expect(nanosOf({ seconds: '1', nanos: 500_000_000 })).toBe(1_500_000_000n);
    expect(showNanos(1_500_000_000n)).toBe('1.5s');
    expect(showNanos(0n)).toBe('0s');
    expect(showNanos(1_000_000n)).toBe('0.001s');
  });

  it('strings: lengths in characters and bytes, header regexes strict and lax, hostnames', () => {
    expect(checkString('é', { max_len: 1, max_bytes: 1 })).toEqual([{ rule: 'max_bytes', message: 'length must be at most 1 bytes' }]);
    expect(checkString('x-ok', { well_known_regex: 'HTTP_HEADER_NAME' })).toEqual([]);
    expect(checkString('bad name', { well_known_regex: 'HTTP_HEADER_NAME' })).toHaveLength(1);
    expect(checkString('bad name', { well_known_regex: 'HTTP_HEADER_NAME', strict: false })).toEqual([]);
    expect(checkString('a\nb', { well_known_regex: 'HTTP_HEADER_VALUE', strict: false })).toHaveLength(1);
    expect(checkString('', { min_len: 1, ignore_empty: true })).toEqual([]);
    expect([isHostname('serviceb.apps.local'), isHostname('-bad.local'), isHostname('a'.repeat(64))]).toEqual([true, false, false]);
  });
});

describe('RulesChecker on Envoy resources', () => {
  it('passes the resources the tests serve', () => {
    for (const r of [...serviceChain('svc', 9000), cluster('c', 'c-eds')]) expect(broken(r)).toEqual([]);
  });

  it('duration bounds, enum defined_only, string min_len: each named by path and rule', () => {
    expect(broken({ ...cluster('c', 'c-eds'), connect_timeout: '0s' })).toEqual(['connect_timeout: must be greater than 0s [(validate.rules).duration.gt]']);
    // (protobufjs' own verify already refuses an unknown enum number on the way in; decoded bytes can carry one.)
    const type = codec.root.lookupType('envoy.config.cluster.v3.Cluster');
    expect(rules.check(type, type.fromObject({ name: 'c', lb_policy: 42 }) as unknown as Record<string, unknown>).map(formatViolation)).toEqual([
      'lb_policy: must be one of the defined values of LbPolicy, got 42 [(validate.rules).enum.defined_only]',
    ]);
    const cla = { '@type': TypeUrl.ClusterLoadAssignment, cluster_name: 'c', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '', port_value: 1 } } } }] }] };
    expect(broken(cla)).toEqual(['endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: length must be at least 1 characters [(validate.rules).string.min_len]']);
  });

  it('a required oneof; rules of oneof members only when set; pattern; header names; repeated min_items', () => {
    expect(broken(route({}))).toEqual(['virtual_hosts[0].routes[0].match: one of prefix, path, safe_regex, connect_matcher, path_separated_prefix, path_match_policy is required [(validate.required)]']);
    expect(broken(route({ path_separated_prefix: '/api/' }))).toEqual(['virtual_hosts[0].routes[0].match.path_separated_prefix: does not match regex pattern "^[^?#]+[^?#/]$" [(validate.rules).string.pattern]']);
    expect(broken(route({ prefix: '/', headers: [{ name: '', present_match: true }] }))).toEqual(['virtual_hosts[0].routes[0].match.headers[0].name: length must be at least 1 characters [(validate.rules).string.min_len]']);
    expect(broken(route({ prefix: '/' }, { weighted_clusters: { clusters: [] } }))).toEqual(['virtual_hosts[0].routes[0].route.weighted_clusters.clusters: must have at least 1 item(s) [(validate.rules).repeated.min_items]']);
    // A weight of 0 is fine on an HTTP route (App Mesh keeps 0-weight targets there)...
    expect(broken(route({ prefix: '/' }, { weighted_clusters: { clusters: [{ name: 'a', weight: 0 }, { name: 'b', weight: 1 }] } }))).toEqual([]);
  });

  it('checks inside Any (a listener filter typed config) and wrappers, as Envoy unpacks them', () => {
    const listener = (typed: Record<string, unknown>): ResourceObject => ({
      '@type': TypeUrl.Listener,
      name: 'l',
      address: { socket_address: { address: '0.0.0.0', port_value: 1 } },
      filter_chains: [{ filters: [{ name: 'f', typed_config: typed }] }],
    });
    // ...but not in tcp_proxy, whose weights start at 1.
    expect(broken(listener({ '@type': TCP, stat_prefix: 't', weighted_clusters: { clusters: [{ name: 'a', weight: 0 }] } }))).toEqual([
      'filter_chains[0].filters[0].typed_config.weighted_clusters.clusters[0].weight: must be greater than or equal to 1 [(validate.rules).uint32.gte]',
    ]);
    expect(broken(listener({ '@type': HCM, stat_prefix: '', rds: { config_source: { ads: {} }, route_config_name: 'r' } }))).toEqual([
      'filter_chains[0].filters[0].typed_config.stat_prefix: length must be at least 1 characters [(validate.rules).string.min_len]',
    ]);
    const hc = { timeout: '1s', interval: '5s', healthy_threshold: 2, unhealthy_threshold: 2, tcp_health_check: {} };
    expect(broken({ ...cluster('c', 'c-eds'), health_checks: [hc] })).toEqual([]);
    const { healthy_threshold: _h, ...noThreshold } = hc;
    expect(broken({ ...cluster('c', 'c-eds'), health_checks: [noThreshold] })).toEqual(['health_checks[0].healthy_threshold: is required [(validate.rules).message.required]']);
  });

  it('map keys (metadata namespaces)', () => {
    expect(broken({ ...cluster('c', 'c-eds'), metadata: { filter_metadata: { '': { a: 1 } } } })).toEqual(['metadata.filter_metadata[""]<key>: length must be at least 1 characters [(validate.rules).map.keys.string.min_len]']);
  });
});

/** The seed with TCP backends (one target at weight 0), ALLOW_ALL, health checks and timeouts. */
function tcpDocument(): AppMeshDocument {
  const doc = seedDocument();
  (doc.meshes[0] as Record<string, unknown>)['spec'] = { egressFilter: { type: 'ALLOW_ALL' } };
  const tcpNode = (name: string, port: number) => ({
    meshName: 'apps',
    virtualNodeName: name,
    spec: { listeners: [{ portMapping: { port, protocol: 'tcp' }, timeout: { tcp: { idle: { unit: 's', value: 30 } } }, healthCheck: { protocol: 'tcp', intervalMillis: 5000, timeoutMillis: 2000, healthyThreshold: 2, unhealthyThreshold: 2 } }], serviceDiscovery: { dns: { hostname: '127.0.0.1' } } },
  });
  doc.virtualNodes.push(tcpNode('db1', 5432), tcpNode('db2', 5433));
  doc.virtualRouters.push({ meshName: 'apps', virtualRouterName: 'db', spec: { listeners: [{ portMapping: { port: 5432, protocol: 'tcp' } }] } });
  doc.routes.push({ meshName: 'apps', virtualRouterName: 'db', routeName: 'db', spec: { tcpRoute: { action: { weightedTargets: [{ virtualNode: 'db1', weight: 100 }, { virtualNode: 'db2', weight: 0 }] } } } });
  doc.virtualServices.push({ meshName: 'apps', virtualServiceName: 'db.apps.local', spec: { provider: { virtualRouter: { virtualRouterName: 'db' } } } });
  (doc.virtualNodes[0]!['spec'] as { backends: unknown[] }).backends.push({ virtualService: { virtualServiceName: 'db.apps.local' } });
  return doc;
}

describe('every resource the App Mesh translation serves keeps the rules', () => {
  it.each([
    ['the seed', seedDocument],
    ['the gateway', gatewayDocument],
    ['TCP backends with a 0-weight target, ALLOW_ALL, health checks', tcpDocument],
  ])('%s: every view, read back from the bytes a client gets', (_name, doc) => {
    const source = new AppMeshSource(storeOf(doc(), translationCheck(codec)), codec);
    let checked = 0;
    for (const view of allViews(source.store.model)) {
      const id = view.kind === 'envoy' ? `mesh/${view.mesh}/virtualNode/${view.node}` : view.kind === 'gateway' ? `mesh/${view.mesh}/virtualGateway/${view.gateway}` : view.meshes ? `mesh/${view.meshes[0]}` : '';
      for (const [typeUrl, t] of source.snapshotFor({ id, cluster: '' })) {
        for (const [name, r] of t.resources) {
          expect({ name, broken: rules.checkEncoded(typeUrl, r.any.value).map(formatViolation) }).toEqual({ name, broken: [] });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe('where the rules are enforced', () => {
  it('the codec refuses what Envoy would reject, naming the resource, the field and the rule', () => {
    expect(() => codec.encodeAll([{ ...cluster('c', 'c-eds'), connect_timeout: '0s' }], 'file')).toThrow(ResourceError);
    try {
      codec.encodeAll([{ ...cluster('c', 'c-eds'), connect_timeout: '0s' }], 'file');
    } catch (e) {
      expect((e as ResourceError).problems).toEqual(['file[0] (Cluster "c"): connect_timeout: must be greater than 0s [(validate.rules).duration.gt]']);
    }
  });

  it('the App Mesh API refuses a change whose translation Envoy would reject, and changes nothing', async () => {
    const store = storeOf(seedDocument(), translationCheck(codec)) as ModelStore;
    const spec = { http2Route: { match: { prefix: '/', queryParameters: [{ name: 'q'.repeat(1100) }] }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 1 }] } } };
    const r = await callOperation(store, 'UpdateRoute', { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' }, { spec });
    expect(r).toMatchObject({ ok: false, error: { type: 'BadRequestException' } });
    const message = r.ok ? '' : r.error.message;
    expect(message).toContain('(RouteConfiguration "rds_egress_http_80"): virtual_hosts[0].routes[0].match.query_parameters[0].name: length must be at most 1024 bytes [(validate.rules).string.max_bytes]');
    expect(store.revision).toBe(1);
  });

  it('JSON names (camelCase) are read when asked, for bootstraps', () => {
    const checker = new JsonChecker(codec.root, { jsonNames: true });
    const type = codec.root.lookupType('envoy.config.cluster.v3.Cluster');
    const norm = checker.message(type, { name: 'c', connectTimeout: '0s', type: 'STATIC' }, '');
    expect(checker.problems).toEqual([]);
    expect(rules.check(type, type.fromObject(norm!) as unknown as Record<string, unknown>).map(formatViolation)).toEqual(['connect_timeout: must be greater than 0s [(validate.rules).duration.gt]']);
  });
});
