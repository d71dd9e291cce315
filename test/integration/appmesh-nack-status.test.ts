import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEnvoyProcess, writeBootstrap } from '../fixtures/envoy-stand-in';
import { ROOT } from '../fixtures/relay-process';
import { XdsRig } from '../fixtures/xds-rig';

const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const NODE = 'mesh/apps/virtualNode/serviceA';

/** The seed model, the Envoy stand-in as serviceA rejecting its listeners, and `appnet status` saying so. */
describe('a NACK from an Envoy in the App Mesh scenario shows in appnet status', () => {
  let rig: XdsRig;
  let envoy: FakeEnvoyProcess;
  beforeAll(async () => {
    rig = await XdsRig.start({ appmesh: { file: path.join(ROOT, 'examples', 'appmesh', 'apps.yaml') } });
    const config = writeBootstrap(rig.dir, { admin: { port: 0 }, xdsTarget: `unix://${rig.socket}`, nodeId: NODE, nodeCluster: 'serviceA' });
    envoy = await FakeEnvoyProcess.start({ dir: rig.dir, config, env: { FAKE_ENVOY_NACK: 'lds' } });
    await envoy.waitForEvent((e) => e.event === 'nack', 10_000, 'the stand-in NACKing LDS');
  });
  afterAll(async () => {
    await envoy?.stop('SIGKILL');
    await rig?.close();
  });

  it('shows the node with LDS NACKED, the others SYNCED, and the reason', async () => {
    const nack = envoy.events().find((e) => e.event === 'nack')!;
    await rig.waitForRelayStatus((s) => s.activeStreams.some((x: any) => x.node?.id === NODE && x.types.some((t: any) => t.state === 'NACKED')), 5000, 'NACKED in the relay');
    const json = spawnSync(process.execPath, [CLI, 'status', '--relay', rig.adminSocket, '--json'], { encoding: 'utf8' });
    expect(json.status).toBe(0);
    const doc = JSON.parse(json.stdout);
    const row = doc.nodes.find((n: any) => n.nodeId === NODE);
    const state = (t: string) => row.types.find((x: any) => x.type === t)?.state;
    expect(state('LDS')).toBe('NACKED');
    expect(state('CDS')).toBe('SYNCED');
    expect(row.lastNack).toMatchObject({ type: 'LDS', message: nack.message });

    const text = spawnSync(process.execPath, [CLI, 'status', '--relay', rig.adminSocket], { encoding: 'utf8' });
    const line = text.stdout.split('\n').find((l) => l.startsWith(NODE))!;
    expect(line).toMatch(/NACKED/);
    expect(line).toContain(`LDS: ${String(nack.message).slice(0, 30)}`);
  });
});
