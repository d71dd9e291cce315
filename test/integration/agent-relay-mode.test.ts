import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { AdsTestClient } from '../fixtures/ads-client';
import { AGENT_MAIN } from '../fixtures/agent-rig';
import { DaemonProcess, cleanEnv, getJson } from '../fixtures/relay-process';
import { tmpDir } from '../fixtures/tmp';
import { XdsRig } from '../fixtures/xds-rig';
import { serviceChain } from '../fixtures/xds-resources';

describe('appnet-agent in relay mode (APPNET_ENABLE_RELAY_MODE_FOR_XDS=1)', () => {
  let xds: XdsRig;
  const dir = tmpDir('appnet-agent-relay-');
  beforeAll(async () => {
    xds = await XdsRig.start({ resources: serviceChain('echo', 9) });
  });
  afterAll(async () => {
    await xds?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the relay in-process with the relay variables, and exits 0 on SIGTERM', async () => {
    const env = cleanEnv({ ...xds.relayEnv({}, dir), APPNET_ENABLE_RELAY_MODE_FOR_XDS: '1', APPMESH_RESOURCE_ARN: '' });
    const agent = DaemonProcess.spawn(AGENT_MAIN, env);
    await agent.waitForLog((l) => l.msg === 'relay listening', 15_000, 'relay listening');
    expect(agent.lines.find((l) => l.msg === 'relay listening')?.name).toBe('appnet-relay');
    const client = new AdsTestClient({ target: `unix://${path.join(dir, 'relay.sock')}` });
    const s = client.openSotw({ id: 'through-agent-relay', cluster: 'c' });
    s.send({ typeUrl: TypeUrl.Cluster });
    expect((await s.next()).resources.map((r) => r.name)).toEqual(['echo-cluster']);
    const st = (await getJson(path.join(dir, 'admin.sock'), '/status')).body;
    expect(st.upstream.state).toBe('CONNECTED');
    expect(st.activeStreams[0].node.id).toBe('through-agent-relay');
    s.cancel();
    client.close();
    expect(await agent.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('reports bad relay variables and exits 1', async () => {
    const env = cleanEnv({ ...xds.relayEnv({}, dir), APPNET_ENABLE_RELAY_MODE_FOR_XDS: 'true', RELAY_BUFFER_LIMIT_BYTES: 'lots' });
    const agent = DaemonProcess.spawn(AGENT_MAIN, env);
    expect((await agent.exited).code).toBe(1);
    expect(agent.stderr).toContain('RELAY_BUFFER_LIMIT_BYTES="lots"');
  });
});
