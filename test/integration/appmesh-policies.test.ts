import { CreateVirtualNodeCommand, DescribeVirtualNodeCommand, UpdateMeshCommand, UpdateVirtualNodeCommand, type VirtualNodeSpec } from '@aws-sdk/client-app-mesh';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { FakeEnvoyProcess, writeBootstrap } from '../fixtures/envoy-stand-in';
import { ROOT } from '../fixtures/relay-process';
import { waitFor } from '../fixtures/tmp';
import { XdsRig } from '../fixtures/xds-rig';

/**
 * The App Mesh policies through the official SDK to Envoys (the stand-in,
 * which checks every resource against Envoy's validate.rules as Envoy does):
 * listener TLS with mTLS, outlier detection, a connection pool, access logs,
 * client policies and backend defaults, DNS and mesh ipPreference — each
 * stored, served and ACKed; ACM is refused with the way out named.
 */

const TYPES = [TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment];
const NODE_A = 'mesh/apps/virtualNode/serviceA';
const NODE_B = 'mesh/apps/virtualNode/serviceB';
const trust = { file: { certificateChain: '/certs/ca.pem' } };
const log = { accessLog: { file: { path: '/dev/stdout', format: { json: [{ key: 'code', value: '%RESPONSE_CODE%' }] } } } };

const specB: VirtualNodeSpec = {
  listeners: [
    {
      portMapping: { port: 80, protocol: 'http2' },
      tls: { mode: 'PERMISSIVE', certificate: { file: { certificateChain: '/certs/b.pem', privateKey: '/certs/b.key' } }, validation: { trust, subjectAlternativeNames: { match: { exact: ['servicea.apps.local'] } } } },
      outlierDetection: { maxServerErrors: 5, interval: { unit: 's', value: 10 }, baseEjectionDuration: { unit: 's', value: 30 }, maxEjectionPercent: 50 },
      connectionPool: { http2: { maxRequests: 100 } },
    },
  ],
  serviceDiscovery: { dns: { hostname: 'serviceB.apps.local', ipPreference: 'IPv4_PREFERRED' } },
  logging: log,
};

const specA: VirtualNodeSpec = {
  listeners: [{ portMapping: { port: 80, protocol: 'http2' } }],
  backends: [{ virtualService: { virtualServiceName: 'serviceb.apps.local', clientPolicy: { tls: { certificate: { sds: { secretName: 'serviceA' } }, validation: { trust, subjectAlternativeNames: { match: { exact: ['serviceb.apps.local'] } } } } } } }],
  backendDefaults: { clientPolicy: { tls: { enforce: true, ports: [80], validation: { trust } } } },
  serviceDiscovery: { dns: { hostname: 'servicea.apps.local' } },
  logging: log,
};

describe('App Mesh policies reach the Envoys (real processes, official SDK)', () => {
  let rig: XdsRig;
  const envoys: FakeEnvoyProcess[] = [];

  async function envoy(nodeId: string, name: string): Promise<FakeEnvoyProcess> {
    const config = writeBootstrap(rig.dir, { admin: { port: 0 }, xdsTarget: `unix://${rig.socket}`, nodeId, nodeCluster: nodeId }, `${name}.yaml`);
    const fe = await FakeEnvoyProcess.start({ dir: rig.dir, config });
    envoys.push(fe);
    await fe.waitForState('LIVE');
    return fe;
  }

  /** The Envoy ACKed, with no NACK, every version the server holds for it now. */
  async function acked(fe: FakeEnvoyProcess, nodeId: string): Promise<void> {
    const held = await rig.mgmtAdmin.resources(nodeId);
    const types = TYPES.filter((t) => held.types[t] !== undefined);
    expect(types.length).toBeGreaterThanOrEqual(3);
    await waitFor(() => types.every((t) => fe.events().some((e) => e.event === 'ack' && e.typeUrl === t && e.version === held.types[t].version)), 5000, `${nodeId} ACKs what the server holds`);
    expect(fe.events().filter((e) => e.event === 'nack')).toEqual([]);
  }

  beforeAll(async () => {
    rig = await XdsRig.start({ appmesh: { file: path.join(ROOT, 'examples', 'appmesh', 'apps.yaml') } });
  });

  afterAll(async () => {
    for (const fe of envoys) await fe.stop('SIGKILL');
    await rig?.close();
  });

  it('stores every policy as given and the Envoys ACK what they become', async () => {
    const api = rig.appMesh();
    await api.send(new UpdateMeshCommand({ meshName: 'apps', spec: { serviceDiscovery: { ipPreference: 'IPv6_PREFERRED' } } }));
    const b = await api.send(new UpdateVirtualNodeCommand({ meshName: 'apps', virtualNodeName: 'serviceB', spec: specB }));
    expect(b.virtualNode?.spec?.listeners?.[0]).toMatchObject({ tls: { mode: 'PERMISSIVE' }, outlierDetection: { maxServerErrors: 5 }, connectionPool: { http2: { maxRequests: 100 } } });
    await api.send(new UpdateVirtualNodeCommand({ meshName: 'apps', virtualNodeName: 'serviceA', spec: specA }));
    const described = await api.send(new DescribeVirtualNodeCommand({ meshName: 'apps', virtualNodeName: 'serviceA' }));
    expect(described.virtualNode?.spec).toMatchObject({ backendDefaults: specA.backendDefaults, logging: log });

    const a = await envoy(NODE_A, 'envoy-a');
    const bEnvoy = await envoy(NODE_B, 'envoy-b');
    await acked(a, NODE_A);
    await acked(bEnvoy, NODE_B);
    const held = await rig.mgmtAdmin.resources(NODE_B);
    expect(Object.keys(held.types[TypeUrl.Listener].resources)).toEqual(['lds_ingress_0.0.0.0_15000']);
  }, 40_000);

  it('refuses ACM with the way out named, and changes nothing', async () => {
    const err = await rig
      .appMesh()
      .send(
        new CreateVirtualNodeCommand({
          meshName: 'apps',
          virtualNodeName: 'serviceC',
          spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' }, tls: { mode: 'STRICT', certificate: { acm: { certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/x' } } } }], serviceDiscovery: { dns: { hostname: 'c.local' } } },
        }),
      )
      .catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'BadRequestException' });
    expect((err as Error).message).toContain('spec.listeners[0].tls.certificate.acm: ACM certificates come from AWS Certificate Manager, which appnet-mgmt cannot reach: use "file"');
    const missing = await rig.appMesh().send(new DescribeVirtualNodeCommand({ meshName: 'apps', virtualNodeName: 'serviceC' })).catch((e: Error) => e);
    expect(missing).toMatchObject({ name: 'NotFoundException' });
  });
});
