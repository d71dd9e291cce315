import { UpdateRouteCommand, UpdateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { AdsTestClient, type DecodedDeltaResponse, type DecodedResponse, type DeltaStream, type SotwStream } from '../fixtures/ads-client';
import { ROOT } from '../fixtures/relay-process';
import { waitFor } from '../fixtures/tmp';
import { XdsRig } from '../fixtures/xds-rig';

/**
 * What one App Mesh change costs on the wire (appnet-mgmt --appmesh apps.yaml,
 * through the relay): Delta streams get only the resources whose content
 * changed, SotW streams only the types that changed (the other types keep their
 * versions), and a node the change does not touch gets nothing — shown without
 * waiting on a clock: its next response is the one a later change made for it.
 */

const { Listener: LDS, RouteConfiguration: RDS, Cluster: CDS, ClusterLoadAssignment: EDS } = TypeUrl;
const TYPES = [CDS, EDS, LDS, RDS];
const A = 'mesh/apps/virtualNode/serviceA';
const B = 'mesh/apps/virtualNode/serviceB';
const P = 'mesh/apps/proxyless-client';
const ROUTE = { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' };

/** Every response of a stream, in order, each ACKed as it comes. */
function recordDelta(s: DeltaStream): DecodedDeltaResponse[] {
  const seen: DecodedDeltaResponse[] = [];
  void (async () => {
    for (;;) {
      const r = await s.next(120_000).catch(() => undefined);
      if (!r) return;
      seen.push(r);
      s.ack(r);
    }
  })();
  return seen;
}

function recordSotw(s: SotwStream): DecodedResponse[] {
  const seen: DecodedResponse[] = [];
  void (async () => {
    for (;;) {
      const r = await s.next(120_000).catch(() => undefined);
      if (!r) return;
      seen.push(r);
      s.ack(r);
    }
  })();
  return seen;
}

const short = (r: DecodedDeltaResponse) => ({ type: r.typeUrl, resources: r.resources.map((x) => x.name), removed: r.removedResources });

describe('one App Mesh change moves only what changed (real processes)', () => {
  let rig: XdsRig;
  let client: AdsTestClient;
  const delta = new Map<string, DecodedDeltaResponse[]>();
  let sotwA: DecodedResponse[] = [];
  const streams: Array<DeltaStream | SotwStream> = [];

  /** Every open stream has been sent all the server holds for it, and has ACKed it. */
  async function allInSync(): Promise<boolean> {
    const open = await rig.mgmtAdmin.streams({ open: true });
    return open.length === 4 && open.every((s) => TYPES.every((t) => s.types[t] && !s.types[t].pending && s.types[t].lastAckedVersion === s.types[t].lastVersion));
  }

  const versions = async (node: string) => {
    const held = await rig.mgmtAdmin.resources(node);
    return Object.fromEntries(TYPES.map((t) => [t, held.types[t]?.version]));
  };

  beforeAll(async () => {
    rig = await XdsRig.start({ appmesh: { file: path.join(ROOT, 'examples', 'appmesh', 'apps.yaml') } });
    client = new AdsTestClient({ target: `unix://${rig.socket}` });
    for (const node of [A, B, P]) {
      const d = client.openDelta({ id: node });
      streams.push(d);
      delta.set(node, recordDelta(d));
      for (const t of TYPES) d.subscribe(t, ['*']);
    }
    const s = client.openSotw({ id: A });
    streams.push(s);
    sotwA = recordSotw(s);
    for (const t of TYPES) s.send({ typeUrl: t, resourceNames: ['*'] });
    await waitFor(allInSync, 10_000, 'every stream in sync');
  });

  afterAll(async () => {
    for (const s of streams) s.cancel();
    client?.close();
    await rig?.close();
  });

  it('the first state arrives clusters, assignments, listeners, routes, in that order, on every stream', () => {
    for (const node of [A, B, P]) expect(delta.get(node)!.map((r) => r.typeUrl)).toEqual(TYPES);
    expect(sotwA.map((r) => r.typeUrl)).toEqual(TYPES);
  });

  it('a weight change: one RouteConfiguration to each node that routes to the service, nothing else', async () => {
    const before = { a: await versions(A), b: await versions(B), p: await versions(P) };
    const counts = { a: delta.get(A)!.length, b: delta.get(B)!.length, p: delta.get(P)!.length, sotw: sotwA.length };
    await rig.appMesh().send(new UpdateRouteCommand({ ...ROUTE, spec: { http2Route: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 60 }, { virtualNode: 'serviceBv2', weight: 40 }] } } } }));
    await waitFor(async () => delta.get(A)!.length > counts.a && delta.get(P)!.length > counts.p && sotwA.length > counts.sotw && (await allInSync()), 10_000, 'the change everywhere');

    expect(delta.get(A)!.slice(counts.a).map(short)).toEqual([{ type: RDS, resources: ['rds_egress_http_80'], removed: [] }]);
    expect(delta.get(P)!.slice(counts.p).map(short)).toEqual([{ type: RDS, resources: ['rds_apps_serviceb.apps.local_80'], removed: [] }]);
    const sotw = sotwA.slice(counts.sotw);
    expect(sotw.map((r) => r.typeUrl)).toEqual([RDS]);
    // SotW: the whole RouteConfiguration set of the node, the ingress one unchanged beside it.
    expect(sotw[0]!.resources.map((r) => r.name).sort()).toEqual(['rds_egress_http_80', 'rds_ingress_http_80']);
    expect(sotw[0]!.resources.find((r) => r.name === 'rds_egress_http_80')!.decoded).toMatchObject({
      virtual_hosts: [{ routes: [{ route: { weighted_clusters: { clusters: [{ weight: { value: 60 } }, { weight: { value: 40 } }] } } }] }],
    });

    const after = { a: await versions(A), b: await versions(B), p: await versions(P) };
    for (const node of ['a', 'p'] as const) {
      expect(after[node][RDS]).not.toBe(before[node][RDS]);
      expect({ ...after[node], [RDS]: null }).toEqual({ ...before[node], [RDS]: null });
    }
    expect(after.b).toEqual(before.b);

    // serviceB's own sidecar was sent nothing: the next thing it gets is what the next change makes for it.
    await rig.appMesh().send(
      new UpdateVirtualNodeCommand({
        meshName: 'apps',
        virtualNodeName: 'serviceB',
        spec: { listeners: [{ portMapping: { port: 80, protocol: 'http2' }, timeout: { http2: { perRequest: { unit: 's', value: 7 } } } }], serviceDiscovery: { dns: { hostname: 'serviceB.apps.local' } } },
      }),
    );
    await waitFor(async () => delta.get(B)!.length > counts.b && (await allInSync()), 10_000, "serviceB's sidecar gets the timeout");
    expect(delta.get(B)!.slice(counts.b).map(short)).toEqual([{ type: RDS, resources: ['rds_ingress_http_80'], removed: [] }]);
  }, 30_000);
});
