import * as AM from '@aws-sdk/client-app-mesh';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeState } from '../../src/mgmt/appmesh/state/state-file';
import { http2Targets } from '../fixtures/appmesh-seed';
import { ControlPlaneProcess } from '../fixtures/mgmt-process';
import { DaemonProcess, ROOT, cleanEnv } from '../fixtures/relay-process';
import { MGMT_MAIN } from '../fixtures/xds-rig';

/**
 * Nothing acknowledged is lost: appnet-mgmt --data-dir killed with SIGKILL
 * right after an answer, or at any moment during a stream of changes, comes
 * back with every acknowledged change and a state file that is whole. The seed
 * applies to an empty store only.
 */

const SEED = path.join(ROOT, 'examples', 'appmesh', 'apps.yaml');
const ROUTE = { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' };
const weightsOf = (r: AM.RouteData | undefined) => r?.spec?.http2Route?.action?.weightedTargets?.map((t) => t.weight);

let cp: ControlPlaneProcess | undefined;
afterEach(async () => {
  await cp?.close();
  cp = undefined;
});

describe('appnet-mgmt --data-dir across SIGKILL', () => {
  it('keeps an update acknowledged just before SIGKILL, and does not apply the seed again', async () => {
    cp = await ControlPlaneProcess.start({ args: ['--appmesh', SEED] });
    expect(cp.proc.lines.some((l) => l.msg === 'App Mesh model seeded from the file (the store was empty)')).toBe(true);
    const out = await cp.client().send(new AM.UpdateRouteCommand({ ...ROUTE, spec: http2Targets([{ virtualNode: 'serviceB', weight: 0 }, { virtualNode: 'serviceBv2', weight: 100 }]) }));
    expect(out.route?.metadata?.version).toBe(2);
    await cp.kill();
    await cp.launch();
    expect(cp.proc.lines.find((l) => l.msg?.startsWith('the store already holds a model'))).toMatchObject({ msg: 'the store already holds a model: the seed file was NOT applied (the stored model wins)', seed: SEED });
    const route = (await cp.client().send(new AM.DescribeRouteCommand(ROUTE))).route;
    expect(route?.metadata?.version).toBe(2);
    expect(weightsOf(route)).toEqual([0, 100]);
    // Seeded resources are ordinary resources: deleted through the API like any other, and it stays deleted.
    await cp.client().send(new AM.DeleteVirtualServiceCommand({ meshName: 'apps', virtualServiceName: 'servicea.apps.local' }));
    await cp.kill();
    await cp.launch();
    expect((await cp.client().send(new AM.ListVirtualServicesCommand({ meshName: 'apps' }))).virtualServices?.map((s) => s.virtualServiceName)).toEqual(['serviceb.apps.local']);
  });

  it('loses no acknowledged change when killed at an arbitrary moment of a stream of updates', async () => {
    cp = await ControlPlaneProcess.start({ args: ['--appmesh', SEED] });
    const api = cp.client();
    // Updates one after another; after the 8th answer SIGKILL is sent 0-4 ms later, while the 9th is on its way or being written.
    let acked = 1;
    const weightAt = new Map<number, number>([[1, 75]]);
    const writer = (async () => {
      for (let i = 1; i <= 40; i++) {
        const w = (i * 7) % 101;
        try {
          const out = await api.send(new AM.UpdateRouteCommand({ ...ROUTE, spec: http2Targets([{ virtualNode: 'serviceB', weight: w }, { virtualNode: 'serviceBv2', weight: 100 - w }]) }));
          acked = out.route!.metadata!.version!;
          weightAt.set(acked, w);
          if (i === 8) setTimeout(() => void cp!.kill(), Math.random() * 4);
        } catch {
          weightAt.set(acked + 1, w); // in flight when the process died: may or may not have been stored
          return;
        }
      }
    })();
    await writer;
    expect(acked).toBeGreaterThanOrEqual(9);
    const leftovers = fs.readdirSync(cp.dataDir).filter((f) => f.includes('.tmp-'));
    await cp.launch();
    // The state file the killed process left is whole, and temporary files are cleaned at start.
    expect(decodeState(fs.readFileSync(path.join(cp.dataDir, 'appmesh-state.json'), 'utf8')).ok).toBe(true);
    expect(fs.readdirSync(cp.dataDir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(leftovers.length).toBeLessThanOrEqual(1);
    const route = (await cp.client().send(new AM.DescribeRouteCommand(ROUTE))).route!;
    const version = route.metadata!.version!;
    expect(version === acked || version === acked + 1).toBe(true);
    expect(weightsOf(route)?.[0]).toBe(weightAt.get(version));
  });

  it('keeps a second appnet-mgmt off the same data directory, and refuses a damaged state file', async () => {
    cp = await ControlPlaneProcess.start();
    const second = DaemonProcess.spawn(MGMT_MAIN, cleanEnv({}), ['--data-dir', cp.dataDir, '--port', '0']);
    expect((await second.exited).code).toBe(1);
    expect(second.stderr).toContain(`is in use by another appnet-mgmt (pid ${cp.proc.pid}`);
    await cp.client().send(new AM.CreateMeshCommand({ meshName: 'apps' }));
    await cp.kill();
    const file = path.join(cp.dataDir, 'appmesh-state.json');
    const good = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, good.slice(0, good.length / 2));
    const damaged = DaemonProcess.spawn(MGMT_MAIN, cleanEnv({}), ['--data-dir', cp.dataDir, '--port', '0']);
    expect((await damaged.exited).code).toBe(1);
    expect(damaged.stderr).toContain(`${file} is not a state this server can load; it was left as it is`);
    expect(fs.readFileSync(file, 'utf8')).toBe(good.slice(0, good.length / 2));
    fs.writeFileSync(file, good);
    await cp.launch();
    expect((await cp.client().send(new AM.ListMeshesCommand({}))).meshes?.map((m) => m.meshName)).toEqual(['apps']);
  });

  it('says at start when the model lives in memory', async () => {
    cp = await ControlPlaneProcess.start({ durable: false });
    expect(cp.proc.lines.find((l) => l.level === 40 && String(l.msg).startsWith('the App Mesh model lives in memory'))).toBeDefined();
  });
});
