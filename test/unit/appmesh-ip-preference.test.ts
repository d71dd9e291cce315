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
 * ipPreference as App Mesh applied it: listener binding (IPv4 only without a
 * preference, every IPv4 and IPv6 address with one), the local application's
 * address (::1 under an IPv6 preference), and the listed endpoints a *_ONLY
 * preference leaves out; a preference that leaves a node no endpoint is refused.
 * Every snapshot is encoded, so Envoy's validate.rules hold too.
 */

const codec = new ResourceCodec();
const A = 'mesh/apps/virtualNode/serviceA';
const B = 'mesh/apps/virtualNode/serviceB';
const CLUSTER_B = 'cds_egress_apps_serviceB_http2_80';
const V4_ANY = { socket_address: { address: '0.0.0.0', port_value: 15000 } };
const ALL = (port: number) => ({ socket_address: { address: '::', port_value: port, ipv4_compat: true } });

function snapshot(doc: AppMeshDocument, nodeId: string): Snapshot {
  return new AppMeshSource(storeOf(doc, translationCheck(codec)), codec).snapshotFor({ id: nodeId, cluster: '' });
}

function decoded(snap: Snapshot, typeUrl: string, name: string): any {
  const r = snap.get(typeUrl)?.resources.get(name);
  if (!r) throw new Error(`no ${typeUrl} ${name}`);
  return codec.decode(r.any);
}

function addresses(snap: Snapshot, cluster: string): string[] {
  return decoded(snap, TypeUrl.ClusterLoadAssignment, cluster).endpoints.flatMap((l: any) => l.lb_endpoints.map((e: any) => `${e.endpoint.address.socket_address.address}:${e.endpoint.address.socket_address.port_value}`));
}

/** The local application's address (the ingress cluster is STATIC: its assignment is inline). */
function appAddress(snap: Snapshot): string {
  const sa = decoded(snap, TypeUrl.Cluster, 'cds_ingress_apps_serviceB_http2_80').load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
  return `${sa.address}:${sa.port_value}`;
}

function nodeSpec(doc: AppMeshDocument, i: number): JsonObject {
  return doc.virtualNodes[i]!['spec'] as JsonObject;
}

/** serviceB discovered through Cloud Map, its instances listed: one IPv4, one IPv6. */
function cloudMapSeed(ipPreference?: string): AppMeshDocument {
  const doc = seedDocument();
  nodeSpec(doc, 1)['serviceDiscovery'] = { awsCloudMap: { namespaceName: 'apps.local', serviceName: 'serviceb', ...(ipPreference ? { ipPreference } : {}) } };
  doc.endpoints!['apps/serviceB'] = ['127.0.0.1:7101', '[::1]:7102'];
  return doc;
}

function problemsOf(doc: AppMeshDocument): string[] {
  const r = validateDocument(doc);
  return r.ok ? [] : r.problems.map(renderProblem);
}

describe('ipPreference', () => {
  it('without one: listeners bind IPv4 only, the app is 127.0.0.1, every listed instance is used', () => {
    const snap = snapshot(cloudMapSeed(), B);
    expect(decoded(snap, TypeUrl.Listener, 'lds_ingress_0.0.0.0_15000').address).toEqual(V4_ANY);
    expect(appAddress(snap)).toEqual('127.0.0.1:80');
    expect(addresses(snapshot(cloudMapSeed(), A), CLUSTER_B)).toEqual(['127.0.0.1:7101', '::1:7102']);
  });

  it("the mesh's IPv6_PREFERRED: listeners bind every address, the app is ::1, both instances stay", () => {
    const doc = cloudMapSeed();
    (doc.meshes[0] as JsonObject)['spec'] = { serviceDiscovery: { ipPreference: 'IPv6_PREFERRED' } };
    const b = snapshot(doc, B);
    expect(decoded(b, TypeUrl.Listener, 'lds_ingress_0.0.0.0_15000').address).toEqual(ALL(15000));
    expect(appAddress(b)).toEqual('::1:80');
    const a = snapshot(doc, A);
    expect(decoded(a, TypeUrl.Listener, 'lds_ingress_0.0.0.0_15000').address).toEqual(ALL(15000));
    expect(decoded(a, TypeUrl.Listener, 'lds_egress_0.0.0.0_15001').address).toEqual(ALL(15001));
    expect(addresses(a, CLUSTER_B)).toEqual(['127.0.0.1:7101', '::1:7102']);
  });

  it("a Cloud Map node's IPv6_ONLY / IPv4_ONLY keeps only that family's instances, over the mesh's", () => {
    const v6 = cloudMapSeed('IPv6_ONLY');
    (v6.meshes[0] as JsonObject)['spec'] = { serviceDiscovery: { ipPreference: 'IPv4_ONLY' } };
    expect(addresses(snapshot(v6, A), CLUSTER_B)).toEqual(['::1:7102']);
    expect(addresses(snapshot(cloudMapSeed('IPv4_ONLY'), A), CLUSTER_B)).toEqual(['127.0.0.1:7101']);
    expect(addresses(snapshot(cloudMapSeed('IPv4_PREFERRED'), A), CLUSTER_B)).toEqual(['127.0.0.1:7101', '::1:7102']);
    // The node's own ingress follows its preference too.
    expect(appAddress(snapshot(v6, B))).toEqual('::1:80');
  });

  it("a virtual gateway's listeners follow its mesh", () => {
    const doc = gatewayDocument();
    (doc.meshes[0] as JsonObject)['spec'] = { serviceDiscovery: { ipPreference: 'IPv4_ONLY' } };
    expect(decoded(snapshot(doc, GATEWAY_NODE), TypeUrl.Listener, 'lds_ingress_0.0.0.0_8080').address).toEqual(ALL(8080));
    expect(decoded(snapshot(gatewayDocument(), GATEWAY_NODE), TypeUrl.Listener, 'lds_ingress_0.0.0.0_8080').address).toEqual({ socket_address: { address: '0.0.0.0', port_value: 8080 } });
  });

  it('refuses a preference that leaves a node no endpoint, naming where it comes from; a bad value is refused', () => {
    const doc = cloudMapSeed('IPv6_ONLY');
    doc.endpoints!['apps/serviceB'] = ['127.0.0.1:7101'];
    expect(problemsOf(doc)).toEqual([
      'virtualNodes[1] (apps/serviceB): spec.serviceDiscovery.awsCloudMap.ipPreference: IPv6_ONLY leaves none of the node\'s endpoints (127.0.0.1:7101); list an IPv6 address or change the preference',
    ]);
    const meshWide = seedDocument();
    (meshWide.meshes[0] as JsonObject)['spec'] = { serviceDiscovery: { ipPreference: 'IPv6_ONLY' } };
    expect(problemsOf(meshWide)).toContain(
      'virtualNodes[1] (apps/serviceB): mesh "apps" spec.serviceDiscovery.ipPreference: IPv6_ONLY leaves none of the node\'s endpoints (127.0.0.1:7101); list an IPv6 address or change the preference',
    );
    expect(problemsOf(cloudMapSeed('IPv6'))).toEqual(['virtualNodes[1] (apps/serviceB): spec.serviceDiscovery.awsCloudMap.ipPreference: expected one of IPv6_PREFERRED, IPv4_PREFERRED, IPv4_ONLY, IPv6_ONLY, got "IPv6"']);
  });
});
