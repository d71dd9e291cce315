import { renderProblem } from '../../src/common/problem';
import { describe, expect, it } from 'vitest';
import { AppMeshSource, translationCheck } from '../../src/mgmt/appmesh/source';
import type { AppMeshDocument, JsonObject } from '../../src/mgmt/appmesh/types';
import { validateDocument } from '../../src/mgmt/appmesh/validate';
import { ResourceCodec } from '../../src/mgmt/resource-codec';
import { TypeUrl, type Snapshot } from '../../src/mgmt/snapshot';
import { GATEWAY_NODE, gatewayDocument } from '../fixtures/appmesh-gateway';
import { seedDocument } from '../fixtures/appmesh-seed';
import { storeOf } from '../fixtures/control-plane';

/**
 * The App Mesh policies as Envoy gets them, field by field: listener TLS
 * (files, SDS, mTLS), client policies (TLS origination, enforce, ports),
 * outlier detection, connection pools, access logs, DNS ipPreference (node and
 * mesh) — for sidecars and virtual gateways; what cannot be translated is
 * refused with a clear error. Every snapshot here is also encoded, so every
 * resource keeps Envoy's validate.rules (the codec checks them).
 */

const codec = new ResourceCodec();
const A = 'mesh/apps/virtualNode/serviceA';
const B = 'mesh/apps/virtualNode/serviceB';
const CLUSTER_B = 'cds_egress_apps_serviceB_http2_80';
const CLUSTER_B2 = 'cds_egress_apps_serviceBv2_http2_80';
const SDS = { resource_api_version: 'V3', api_config_source: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'static_cluster_sds_unix_socket' } }] } };
const DOWNSTREAM = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const UPSTREAM = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';

function snapshot(doc: AppMeshDocument, nodeId: string): Snapshot {
  return new AppMeshSource(storeOf(doc, translationCheck(codec)), codec).snapshotFor({ id: nodeId, cluster: '' });
}

function decoded(snap: Snapshot, typeUrl: string, name: string): any {
  const r = snap.get(typeUrl)?.resources.get(name);
  if (!r) throw new Error(`no ${typeUrl} ${name}`);
  return codec.decode(r.any);
}

function nodeSpec(doc: AppMeshDocument, i: number): JsonObject {
  return doc.virtualNodes[i]!['spec'] as JsonObject;
}

function listener0(doc: AppMeshDocument, i: number): JsonObject {
  return (nodeSpec(doc, i)['listeners'] as JsonObject[])[0]!;
}

function problemsOf(doc: unknown): string[] {
  const v = validateDocument(doc);
  return v.ok ? [] : v.problems.map(renderProblem);
}

function translationProblems(doc: AppMeshDocument): string[] {
  const v = validateDocument(doc);
  if (!v.ok) return v.problems.map(renderProblem);
  return translationCheck(codec)(v.value.model).map(renderProblem);
}

const fileCert = { file: { certificateChain: '/certs/chain.pem', privateKey: '/certs/key.pem' } };
const fileTrust = (path = '/certs/ca.pem') => ({ trust: { file: { certificateChain: path } } });

describe('listener TLS (a sidecar terminates it)', () => {
  it('STRICT with files: the listener port\'s chain carries TLS, h2 offered first', () => {
    const doc = seedDocument();
    listener0(doc, 1)['tls'] = { mode: 'STRICT', certificate: fileCert };
    const l = decoded(snapshot(doc, B), TypeUrl.Listener, 'lds_ingress_0.0.0.0_15000');
    expect(l.listener_filters.map((f: any) => f.name)).toEqual(['envoy.filters.listener.original_dst']);
    expect(l.filter_chains).toHaveLength(1);
    expect(l.filter_chains[0].transport_socket).toEqual({
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': DOWNSTREAM,
        common_tls_context: { tls_certificates: [{ certificate_chain: { filename: '/certs/chain.pem' }, private_key: { filename: '/certs/key.pem' } }], alpn_protocols: ['h2', 'http/1.1'] },
      },
    });
  });

  it('PERMISSIVE mTLS with SDS: a TLS chain (by the TLS inspector) and a plaintext one; client certificates required and matched by SAN', () => {
    const doc = seedDocument();
    listener0(doc, 1)['tls'] = {
      mode: 'PERMISSIVE',
      certificate: { sds: { secretName: 'spiffe://apps/serviceB' } },
      validation: { trust: { sds: { secretName: 'spiffe://apps' } }, subjectAlternativeNames: { match: { exact: ['spiffe://apps/serviceA', 'servicea.apps.local'] } } },
    };
    const l = decoded(snapshot(doc, B), TypeUrl.Listener, 'lds_ingress_0.0.0.0_15000');
    expect(l.listener_filters.map((f: any) => f.name)).toEqual(['envoy.filters.listener.original_dst', 'envoy.filters.listener.tls_inspector']);
    expect(l.filter_chains.map((c: any) => [c.name, c.filter_chain_match, c.transport_socket !== undefined])).toEqual([
      ['ingress_http2_80_tls', { destination_port: { value: 80 }, transport_protocol: 'tls' }, true],
      ['ingress_http2_80', { destination_port: { value: 80 } }, false],
    ]);
    const ctx = l.filter_chains[0].transport_socket.typed_config;
    expect(ctx.require_client_certificate).toEqual({ value: true });
    expect(ctx.common_tls_context.tls_certificate_sds_secret_configs).toEqual([{ name: 'spiffe://apps/serviceB', sds_config: SDS }]);
    expect(ctx.common_tls_context.combined_validation_context).toEqual({
      default_validation_context: {
        match_typed_subject_alt_names: [
          { san_type: 'URI', matcher: { exact: 'spiffe://apps/serviceA' } },
          { san_type: 'DNS', matcher: { exact: 'servicea.apps.local' } },
        ],
      },
      validation_context_sds_secret_config: { name: 'spiffe://apps', sds_config: SDS },
    });
  });

  it('DISABLED stays plaintext; ACM certificates and trust are refused with the way out named', () => {
    const doc = seedDocument();
    listener0(doc, 1)['tls'] = { mode: 'DISABLED', certificate: fileCert };
    expect(decoded(snapshot(doc, B), TypeUrl.Listener, 'lds_ingress_0.0.0.0_15000').filter_chains[0].transport_socket).toBeUndefined();
    const acm = seedDocument();
    listener0(acm, 1)['tls'] = { mode: 'STRICT', certificate: { acm: { certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/x' } } };
    (nodeSpec(acm, 0)['backends'] as JsonObject[])[0]!['virtualService'] = { virtualServiceName: 'serviceb.apps.local', clientPolicy: { tls: { validation: { trust: { acm: { certificateAuthorityArns: ['arn:x'] } } } } } };
    expect(problemsOf(acm)).toEqual([
      'virtualNodes[0] (apps/serviceA): spec.backends[0].virtualService.clientPolicy.tls.validation.trust.acm: ACM Private CA trust comes from AWS Certificate Manager, which appnet-mgmt cannot reach: use "file" (a CA bundle on the Envoy\'s host) or "sds"',
      'virtualNodes[1] (apps/serviceB): spec.listeners[0].tls.certificate.acm: ACM certificates come from AWS Certificate Manager, which appnet-mgmt cannot reach: use "file" (paths on the Envoy\'s host) or "sds" (a secret from the local SDS agent)',
    ]);
  });
});

describe('client policies (a sidecar originates TLS to its backends)', () => {
  const policy = (extra: JsonObject = {}) => ({ tls: { validation: { ...fileTrust(), subjectAlternativeNames: { match: { exact: ['serviceb.apps.local'] } } }, ...extra } });

  it('a backend\'s policy: every target cluster of the service gets TLS with the trust and SANs, a client certificate when given', () => {
    const doc = seedDocument();
    (nodeSpec(doc, 0)['backends'] as JsonObject[])[0]!['virtualService'] = { virtualServiceName: 'serviceb.apps.local', clientPolicy: policy({ certificate: fileCert }) };
    const snap = snapshot(doc, A);
    for (const c of [CLUSTER_B, CLUSTER_B2]) {
      expect(decoded(snap, TypeUrl.Cluster, c).transport_socket).toEqual({
        name: 'envoy.transport_sockets.tls',
        typed_config: {
          '@type': UPSTREAM,
          common_tls_context: {
            tls_certificates: [{ certificate_chain: { filename: '/certs/chain.pem' }, private_key: { filename: '/certs/key.pem' } }],
            validation_context: { trusted_ca: { filename: '/certs/ca.pem' }, match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'serviceb.apps.local' } }] },
            alpn_protocols: ['h2'],
          },
        },
      });
    }
    // The proxyless clients' clusters stay plaintext (gRPC takes TLS from its own bootstrap).
    expect(decoded(snapshot(doc, 'mesh/apps/client'), TypeUrl.Cluster, CLUSTER_B).transport_socket).toBeUndefined();
  });

  it('backendDefaults for backends without their own; enforce false and ports that do not list the target leave it plaintext', () => {
    const withDefaults = (p: JsonObject) => {
      const doc = seedDocument();
      nodeSpec(doc, 0)['backendDefaults'] = { clientPolicy: p };
      return decoded(snapshot(doc, A), TypeUrl.Cluster, CLUSTER_B).transport_socket;
    };
    expect(withDefaults(policy())).toMatchObject({ typed_config: { '@type': UPSTREAM } });
    expect(withDefaults(policy({ enforce: false }))).toBeUndefined();
    expect(withDefaults(policy({ ports: [443] }))).toBeUndefined();
    expect(withDefaults(policy({ ports: [80] }))).toMatchObject({ typed_config: { '@type': UPSTREAM } });
  });

  it('two backends reaching one target with different policies are refused, naming both', () => {
    const doc = seedDocument();
    doc.virtualServices.push({ meshName: 'apps', virtualServiceName: 'b2.apps.local', spec: { provider: { virtualNode: { virtualNodeName: 'serviceB' } } } });
    (nodeSpec(doc, 0)['backends'] as JsonObject[]).push({ virtualService: { virtualServiceName: 'b2.apps.local', clientPolicy: policy() } });
    expect(translationProblems(doc)).toEqual([
      'translation (envoy:apps/serviceA): virtual node "serviceA": backends "serviceb.apps.local" and "b2.apps.local" reach the same target (cds_egress_apps_serviceB_http2_80) with different client policies; give them the same clientPolicy',
    ]);
  });
});

describe('outlier detection, connection pools, access logs, DNS', () => {
  it('outlierDetection of a node\'s listener is on its callers\' cluster for it (consecutive 5xx only), not on proxyless clients\'', () => {
    const doc = seedDocument();
    listener0(doc, 1)['outlierDetection'] = { maxServerErrors: 5, interval: { unit: 's', value: 10 }, baseEjectionDuration: { unit: 'ms', value: 30000 }, maxEjectionPercent: 50 };
    expect(decoded(snapshot(doc, A), TypeUrl.Cluster, CLUSTER_B).outlier_detection).toEqual({
      consecutive_5xx: { value: 5 },
      enforcing_consecutive_5xx: { value: 100 },
      enforcing_success_rate: { value: 0 },
      interval: { seconds: '10', nanos: 0 },
      base_ejection_time: { seconds: '30', nanos: 0 },
      max_ejection_percent: { value: 50 },
    });
    expect(decoded(snapshot(doc, A), TypeUrl.Cluster, CLUSTER_B2).outlier_detection).toBeUndefined();
    expect(decoded(snapshot(doc, 'mesh/apps/client'), TypeUrl.Cluster, CLUSTER_B).outlier_detection).toBeUndefined();
  });

  it('connectionPool limits the node\'s own Envoy towards its local app; the member must be the listener\'s protocol', () => {
    const doc = seedDocument();
    listener0(doc, 1)['connectionPool'] = { http2: { maxRequests: 64 } };
    expect(decoded(snapshot(doc, B), TypeUrl.Cluster, 'cds_ingress_apps_serviceB_http2_80').circuit_breakers).toEqual({ thresholds: [{ max_requests: { value: 64 } }] });
    const bad = seedDocument();
    listener0(bad, 1)['connectionPool'] = { http: { maxConnections: 10 } };
    expect(problemsOf(bad)).toEqual([
      'virtualNodes[1] (apps/serviceB): spec.listeners[0].connectionPool.http: unknown field (expected http2)',
      'virtualNodes[1] (apps/serviceB): spec.listeners[0].connectionPool.http2: required',
    ]);
  });

  it('logging: every HTTP connection manager of the node writes the file, text (one line each) or JSON', () => {
    const doc = seedDocument();
    nodeSpec(doc, 0)['logging'] = { accessLog: { file: { path: '/dev/stdout', format: { text: '%START_TIME% %RESPONSE_CODE%' } } } };
    const snap = snapshot(doc, A);
    for (const name of ['lds_ingress_0.0.0.0_15000', 'lds_egress_0.0.0.0_15001']) {
      const hcm = decoded(snap, TypeUrl.Listener, name).filter_chains[0].filters[0].typed_config;
      expect(hcm.access_log).toEqual([
        { name: 'envoy.access_loggers.file', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', path: '/dev/stdout', log_format: { text_format_source: { inline_string: '%START_TIME% %RESPONSE_CODE%\n' } } } },
      ]);
    }
    nodeSpec(doc, 0)['logging'] = { accessLog: { file: { path: '/var/log/a.json', format: { json: [{ key: 'code', value: '%RESPONSE_CODE%' }] } } } };
    const json = decoded(snapshot(doc, A), TypeUrl.Listener, 'lds_egress_0.0.0.0_15001').filter_chains[0].filters[0].typed_config.access_log[0].typed_config;
    expect(json).toEqual({ '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', path: '/var/log/a.json', log_format: { json_format: { fields: { code: { stringValue: '%RESPONSE_CODE%' } } } } });
  });

  it('DNS ipPreference (the node\'s, else the mesh\'s) is the DNS cluster\'s lookup family', () => {
    const doc = seedDocument();
    delete doc.endpoints!['apps/serviceB'];
    delete doc.endpoints!['apps/serviceBv2'];
    (doc.meshes[0] as JsonObject)['spec'] = { serviceDiscovery: { ipPreference: 'IPv6_PREFERRED' } };
    (nodeSpec(doc, 1)['serviceDiscovery'] as { dns: JsonObject }).dns['ipPreference'] = 'IPv4_ONLY';
    const snap = snapshot(doc, A);
    expect(decoded(snap, TypeUrl.Cluster, CLUSTER_B)).toMatchObject({ type: 'STRICT_DNS', dns_lookup_family: 'V4_ONLY' });
    expect(decoded(snap, TypeUrl.Cluster, CLUSTER_B2)).toMatchObject({ type: 'STRICT_DNS', dns_lookup_family: 'AUTO' });
    (nodeSpec(doc, 1)['serviceDiscovery'] as { dns: JsonObject }).dns['ipPreference'] = 'IPv6_ANY';
    expect(problemsOf(doc)).toEqual(['virtualNodes[1] (apps/serviceB): spec.serviceDiscovery.dns.ipPreference: expected one of IPv6_PREFERRED, IPv4_PREFERRED, IPv4_ONLY, IPv6_ONLY, got "IPv6_ANY"']);
  });
});

describe('a virtual gateway\'s policies', () => {
  it('listener TLS, backend defaults (TLS to every target), the listener\'s pool on its clusters, access logs', () => {
    const doc = gatewayDocument();
    const spec = doc.virtualGateways[0]!['spec'] as JsonObject;
    const l = (spec['listeners'] as JsonObject[])[0]!;
    l['tls'] = { mode: 'STRICT', certificate: fileCert, validation: fileTrust('/certs/clients.pem') };
    l['connectionPool'] = { http2: { maxRequests: 100 } };
    spec['backendDefaults'] = { clientPolicy: { tls: { validation: fileTrust() } } };
    spec['logging'] = { accessLog: { file: { path: '/dev/stdout' } } };
    const snap = snapshot(doc, GATEWAY_NODE);
    const listener = decoded(snap, TypeUrl.Listener, 'lds_ingress_0.0.0.0_8080');
    const chain = listener.filter_chains[0];
    expect(chain.transport_socket.typed_config).toMatchObject({ '@type': DOWNSTREAM, require_client_certificate: { value: true }, common_tls_context: { validation_context: { trusted_ca: { filename: '/certs/clients.pem' } } } });
    expect(chain.filters[0].typed_config.access_log[0].typed_config).toEqual({ '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', path: '/dev/stdout' });
    for (const c of snap.get(TypeUrl.Cluster)!.resources.keys()) {
      const cluster = decoded(snap, TypeUrl.Cluster, c);
      expect(cluster.transport_socket.typed_config).toMatchObject({ '@type': UPSTREAM, common_tls_context: { validation_context: { trusted_ca: { filename: '/certs/ca.pem' } } } });
      expect(cluster.circuit_breakers).toEqual({ thresholds: [{ max_requests: { value: 100 } }] });
    }
  });
});
