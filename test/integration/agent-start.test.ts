import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentRig } from '../fixtures/agent-rig';
import { BootstrapHold } from '../fixtures/bootstrap-hold';
import { waitFor } from '../fixtures/tmp';

const STARTING = /^the agent is starting/;

/**
 * The agent's start order (docs/agent-performance.md): the admin API listens
 * first, then the bootstrap is prepared, then Envoy is spawned. Each start is
 * held while the bootstrap is prepared (BootstrapHold), so what /status says
 * meanwhile, and what a failure or a SIGTERM there does, is seen for certain.
 */
describe('appnet-agent start-up: admin API first, then the bootstrap, then Envoy', () => {
  let rig: AgentRig | undefined;
  let hold: BootstrapHold | undefined;
  afterEach(async () => {
    await rig?.close();
    hold?.dispose();
    rig = undefined;
    hold = undefined;
  });

  const heldStart = async () => {
    hold = new BootstrapHold();
    rig = await AgentRig.start({ env: hold.env });
    return { rig, hold };
  };

  it('answers /status while the bootstrap is prepared (UNHEALTHY, envoyPid -1, envoyState UNKNOWN, starting), then reaches an Envoy pid', async () => {
    const { rig, hold } = await heldStart();
    const st = await rig.status();
    expect(st).toMatchObject({ healthStatus: 'UNHEALTHY', envoyPid: '-1', envoyState: 'UNKNOWN', envoyRestartCount: '0', envoyReadinessState: 'NOT_INITIALIZED' });
    expect(st.reasons).toEqual([expect.stringMatching(STARTING)]);
    expect(fs.readFileSync(rig.configFile, 'utf8')).toBe(''); // no bootstrap yet
    expect(rig.events()).toEqual([]); // no Envoy yet
    await hold.release('{}\n');
    const started = await rig.waitForEvent((e) => e.event === 'started');
    const up = await rig.waitForStatus((s) => s.envoyPid === String(started.pid), 15_000, "a /status naming Envoy's pid");
    expect(up.reasons.some((r: string) => STARTING.test(r))).toBe(false);
    expect(fs.readFileSync(rig.configFile, 'utf8')).toContain('mesh/apps/virtualNode/serviceA');
  });

  it('a bootstrap that cannot be prepared: says why, closes the admin API, exits 1, no Envoy', async () => {
    const { rig, hold } = await heldStart();
    expect((await rig.status()).reasons).toEqual([expect.stringMatching(STARTING)]);
    await hold.release('staticResources: { clusters: [\n'); // not YAML
    expect((await rig.agent.exited).code).toBe(1);
    expect(rig.agent.stderr).toMatch(/cannot start: cannot generate the Envoy bootstrap: .*ENVOY_RESOURCES_CONFIG_FILE/s);
    expect(rig.agent.lines.some((l) => l.msg === 'cannot start' && /cannot generate the Envoy bootstrap/.test(String(l.err)))).toBe(true);
    expect(fs.existsSync(rig.adminSocket)).toBe(false); // closed (and unlinked) before the exit, not left behind
    expect(rig.events()).toEqual([]);
  });

  it('SIGTERM while the bootstrap is prepared: exits 0 at once, no Envoy started', async () => {
    const { rig, hold } = await heldStart();
    expect((await rig.status()).envoyPid).toBe('-1');
    rig.agent.proc.kill('SIGTERM');
    await rig.agent.waitForLog((l) => l.msg === 'agent stopped', 10_000, 'the agent to stop');
    // A read of the pipe still pending would keep the exiting process waiting for it (a
    // blocked worker thread, which a real bootstrap file never is): let it end, if it began.
    let exited = false;
    void rig.agent.exited.then(() => (exited = true));
    await waitFor(() => exited || (hold.tryRelease('{}\n') && false), 15_000, 'the agent to exit');
    expect((await rig.agent.exited).code).toBe(0);
    expect(rig.agent.lines.some((l) => l.msg === 'shutting down (no Envoy running)')).toBe(true);
    expect(rig.agent.lines.some((l) => l.msg === 'started Envoy')).toBe(false);
    expect(rig.events()).toEqual([]);
    expect(fs.existsSync(rig.adminSocket)).toBe(false);
  });
});
