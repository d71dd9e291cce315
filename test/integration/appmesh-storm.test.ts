import { CreateVirtualNodeCommand, DeleteVirtualNodeCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import type * as grpc from '@grpc/grpc-js';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountClient, writeClientBootstrap, type Batch, type ClientKind } from '../fixtures/count-client';
import { echoServer } from '../fixtures/echo-server';
import { ROOT } from '../fixtures/relay-process';
import { waitFor } from '../fixtures/tmp';
import { XdsRig } from '../fixtures/xds-rig';

/**
 * What two independent proxyless xDS clients see while the App Mesh model
 * changes under them: @grpc/grpc-js-xds and gRPC C-core (Debian's
 * python3-grpcio), each a process calling xds:///serviceb.apps.local:80 through
 * the relay, against appnet-mgmt --appmesh examples/appmesh/apps.yaml. The
 * changes go through the App Mesh API (official SDK): weights moved, a target
 * added and removed, a virtual node created and deleted — each change waited
 * for until both clients ACKed it, while both call without pause. Not one call
 * may fail, and the split afterwards is the route's.
 */

const ROUTE = { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' };
const TARGET = 'xds:///serviceb.apps.local:80';
const NODES: Record<ClientKind, string> = { 'grpc-js': 'mesh/apps/grpc-js-client', 'c-core': 'mesh/apps/c-core-client' };
const KINDS: ClientKind[] = ['grpc-js', 'c-core'];
const ROUNDS = 3;

function route(targets: Array<{ virtualNode: string; weight: number }>) {
  return { ...ROUTE, spec: { http2Route: { match: { prefix: '/' }, action: { weightedTargets: targets } } } };
}

function share(b: Batch, name: string): number {
  return (b.counts[name] ?? 0) / b.ok;
}

describe('config change storms seen by grpc-js-xds and gRPC C-core (real processes)', () => {
  let rig: XdsRig;
  const servers: grpc.Server[] = [];
  const clients = new Map<ClientKind, CountClient>();
  let v3Port = 0;

  /** Every open stream of both clients has been sent all the server holds for it, and has ACKed it. */
  const clientsInSync = () => rig.nodesInSync(Object.values(NODES));

  async function change(what: string, send: () => Promise<unknown>): Promise<void> {
    await send();
    await waitFor(clientsInSync, 10_000, `both clients in sync after: ${what}`, 20);
  }

  beforeAll(async () => {
    const [b, b2, b3] = await Promise.all([echoServer('serviceB'), echoServer('serviceBv2'), echoServer('serviceBv3')]);
    servers.push(b.server, b2.server, b3.server);
    v3Port = b3.port;
    rig = await XdsRig.start({
      appmesh: { file: path.join(ROOT, 'examples', 'appmesh', 'apps.yaml'), env: { SERVICEB_PORT: String(b.port), SERVICEBV2_PORT: String(b2.port) } },
    });
    for (const kind of KINDS) {
      clients.set(kind, CountClient.start(kind, writeClientBootstrap(rig.dir, `${kind}-bootstrap.json`, rig.socket, NODES[kind]), TARGET));
    }
  });

  afterAll(async () => {
    for (const c of clients.values()) c.stop();
    for (const s of servers) s.forceShutdown();
    await rig?.close();
  });

  it('both split 1,000 calls 75/25 before any change', async () => {
    const batches = await Promise.all(KINDS.map((k) => clients.get(k)!.run(1000, 30_000)));
    for (const b of batches) {
      expect(b).toMatchObject({ ok: 1000, failed: 0, errors: [] });
      expect(share(b, 'serviceB')).toBeGreaterThanOrEqual(0.7);
      expect(share(b, 'serviceB')).toBeLessThanOrEqual(0.8);
    }
  }, 40_000);

  it('not one call fails on either client while weights change, a target comes and goes, a virtual node appears and disappears', async () => {
    await waitFor(clientsInSync, 10_000, 'both clients in sync before the storm');
    const api = rig.appMesh();
    for (const c of clients.values()) c.startRun();
    let tallies: Batch[];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        await change('0/100', () => api.send(new UpdateRouteCommand(route([{ virtualNode: 'serviceB', weight: 0 }, { virtualNode: 'serviceBv2', weight: 100 }]))));
        await change('back to 75/25', () => api.send(new UpdateRouteCommand(route([{ virtualNode: 'serviceB', weight: 75 }, { virtualNode: 'serviceBv2', weight: 25 }]))));
        await change('100/0', () => api.send(new UpdateRouteCommand(route([{ virtualNode: 'serviceB', weight: 100 }, { virtualNode: 'serviceBv2', weight: 0 }]))));
        await change('virtual node serviceBv3 created', () =>
          api.send(
            new CreateVirtualNodeCommand({
              meshName: 'apps',
              virtualNodeName: 'serviceBv3',
              spec: { listeners: [{ portMapping: { port: v3Port, protocol: 'http2' } }], serviceDiscovery: { dns: { hostname: '127.0.0.1' } } },
            }),
          ),
        );
        await change('target serviceBv3 added', () =>
          api.send(new UpdateRouteCommand(route([{ virtualNode: 'serviceB', weight: 50 }, { virtualNode: 'serviceBv2', weight: 25 }, { virtualNode: 'serviceBv3', weight: 25 }]))),
        );
        await change('target serviceBv3 removed', () => api.send(new UpdateRouteCommand(route([{ virtualNode: 'serviceB', weight: 75 }, { virtualNode: 'serviceBv2', weight: 25 }]))));
        await change('virtual node serviceBv3 deleted', () => api.send(new DeleteVirtualNodeCommand({ meshName: 'apps', virtualNodeName: 'serviceBv3' })));
      }
    } finally {
      tallies = await Promise.all(KINDS.map((k) => clients.get(k)!.stopRun(30_000)));
    }
    // Both clients at once, so a failure shows what each saw.
    expect(KINDS.map((kind, i) => ({ kind, failed: tallies[i]!.failed, errors: tallies[i]!.errors.slice(0, 3) }))).toEqual(
      KINDS.map((kind) => ({ kind, failed: 0, errors: [] })),
    );
    for (const t of tallies) {
      // The calls ran through the whole storm and reached every backend the routes named.
      expect(t.ok).toBeGreaterThan(200);
      expect(Object.keys(t.counts).sort()).toEqual(['serviceB', 'serviceBv2', 'serviceBv3']);
    }
  }, 120_000);

  it('both split 1,000 calls 75/25 again after the storm', async () => {
    const batches = await Promise.all(KINDS.map((k) => clients.get(k)!.run(1000, 30_000)));
    for (const b of batches) {
      expect(b).toMatchObject({ ok: 1000, failed: 0, errors: [] });
      expect(share(b, 'serviceB')).toBeGreaterThanOrEqual(0.7);
      expect(share(b, 'serviceB')).toBeLessThanOrEqual(0.8);
    }
  }, 40_000);
});
