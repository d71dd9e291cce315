import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_MAIN, AgentRig } from '../fixtures/agent-rig';
import { cleanEnv } from '../fixtures/relay-process';
import { TEST_CREDS } from '../fixtures/rig';
import { XdsRig } from '../fixtures/xds-rig';
import { serviceChain } from '../fixtures/xds-resources';

const NODE = 'mesh/apps/virtualNode/serviceA';

/** `appnet-agent -envoyReadiness` against a running agent: exit code and what it printed. */
function probe(rig: AgentRig, extra: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [AGENT_MAIN, '-envoyReadiness'], { env: cleanEnv({ ...rig.env(), ...extra }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => resolve({ code, out }));
  });
}

describe('agent + Envoy stand-in + relay + management server (all real processes)', () => {
  let xds: XdsRig;
  let rig: AgentRig;
  beforeAll(async () => {
    xds = await XdsRig.start({ resources: serviceChain('serviceb.apps.local:80', 8080) });
    rig = await AgentRig.start({ relaySocket: xds.socket, env: { APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S: '0' } });
  });
  afterAll(async () => {
    await rig?.close();
    await xds?.close();
  });

  it('goes HEALTHY and CONNECTED, with the relay and the control plane behind it SERVING', async () => {
    const st = await rig.waitForStatus((s) => s.healthStatus === 'HEALTHY' && s.managementServerConnectionStatus === 'CONNECTED', 20_000, 'HEALTHY + CONNECTED');
    expect(st).toMatchObject({ envoyState: 'LIVE', envoyReadinessState: 'INITIALIZED', initialConfigUpdateStatus: 'UPDATE_SUCCESSFUL', reasons: [] });
    expect(st.relay).toMatchObject({ socket: xds.socket, relay: 'SERVING', controlPlane: 'SERVING', error: null });
    // Envoy's stream really went through the relay, signed
    const streams = await xds.mgmtAdmin.streams();
    const envoy = streams.find((s) => s.nodeId === NODE && s.open)!;
    expect(envoy.sigv4).toMatchObject({ ok: true, accessKeyId: TEST_CREDS.accessKeyId });
    expect(envoy.nodeUserAgent).toMatch(/^envoy/);
    // and the relay knows it by node
    const relay = await xds.relayStatus();
    expect(relay.activeStreams.some((s: any) => s.node?.id === NODE && s.types.every((t: any) => t.state === 'SYNCED'))).toBe(true);
  });

  it('answers the readiness probe with 0 when HEALTHY', async () => {
    const r = await probe(rig);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain('readiness probe: HEALTHY');
  });

  it('shows the control plane down while the relay is up when the management server stops', async () => {
    await xds.mgmt.stop('SIGKILL');
    const st = await rig.waitForStatus((s) => s.relay?.controlPlane === 'NOT_SERVING', 10_000, 'control plane down');
    expect(st.relay.relay).toBe('SERVING');
    expect(st.managementServerConnectionStatus).toBe('NOT_CONNECTED');
    expect(st.managementServerDisconnectedTimestamp).toBeDefined();
    expect(st.healthStatus).toBe('HEALTHY'); // Envoy keeps its config: tolerated for HC_DISCONNECTED_TIMEOUT_S
    expect(st.reasons[0]).toBe('the xDS relay is up but its management server is not connected');
  });

  it('shows the relay down when the relay stops', async () => {
    await xds.relay.stop('SIGKILL');
    const st = await rig.waitForStatus((s) => s.relay?.relay === 'UNREACHABLE', 10_000, 'relay down');
    expect(st.relay.error).toMatch(/relay socket|ENOENT|ECONNREFUSED/);
    expect(st.reasons[0]).toMatch(/^the xDS relay on .* is unreachable/);
    expect(st.managementServerConnectionStatus).toBe('NOT_CONNECTED');
  });
});

describe('readiness probe against an unhealthy agent', () => {
  it('exits 1 and says why (one attempt with a timeout of 0)', async () => {
    const rig = await AgentRig.start({ env: { APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S: '0' } });
    try {
      await rig.waitForStatus((s) => /INITIALIZING/.test(s.envoyState), 10_000, 'Envoy up but not LIVE');
      const r = await probe(rig);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/readiness probe: not healthy \(UNHEALTHY: Envoy is (PRE_)?INITIALIZING/);
    } finally {
      await rig.close();
    }
  });
});
