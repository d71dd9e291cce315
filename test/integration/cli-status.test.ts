import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { type DecodedResponse, AdsTestClient, type SotwStream } from '../fixtures/ads-client';
import { AgentRig } from '../fixtures/agent-rig';
import { ROOT, cleanEnv } from '../fixtures/relay-process';
import { XdsRig } from '../fixtures/xds-rig';
import { cluster, endpoints, serviceChain } from '../fixtures/xds-resources';

const CLI_MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const GOOD = { id: 'mesh/apps/virtualNode/good', cluster: 'good-cluster' };
const BAD = { id: 'mesh/apps/virtualNode/bad', cluster: 'bad-cluster' };
const NACK_MESSAGE = 'Error adding/updating cluster(s) extra-cluster: unknown lb policy\n  (line two of the NACK)';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `appnet ...` as a real child process (stdout is a pipe: no colors). */
function appnet(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI_MAIN, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The table's rows as { header: cell }, cut at the header's column starts (so misalignment shows). */
function tableRows(text: string): Array<Record<string, string>> {
  const lines = text.split('\n');
  const h = lines.findIndex((l) => l.startsWith('NODE ID'));
  expect(h).toBeGreaterThanOrEqual(0);
  const header = lines[h]!;
  const names = header.split(/ {2,}/);
  const starts = names.map((n) => header.indexOf(n));
  const rows: Array<Record<string, string>> = [];
  for (const line of lines.slice(h + 1)) {
    if (line.trim() === '') break;
    rows.push(Object.fromEntries(names.map((n, i) => [n, line.slice(starts[i], starts[i + 1]).trim()])));
  }
  return rows;
}

describe('appnet status against real processes (mgmt + relay + ADS clients, agent)', () => {
  let rig: XdsRig;
  let client: AdsTestClient;
  let good: SotwStream;
  let bad: SotwStream;
  let badCds: DecodedResponse;
  let goodCds: DecodedResponse;
  let goodLds: DecodedResponse;
  let badLds: DecodedResponse;

  beforeAll(async () => {
    rig = await XdsRig.start({ resources: [...serviceChain('svc-a', 8080), cluster('extra-cluster', 'extra-eds'), endpoints('extra-eds', 8081)] });
    client = new AdsTestClient({ target: `unix://${rig.socket}` });
    good = client.openSotw(GOOD);
    good.send({ typeUrl: TypeUrl.Cluster });
    goodCds = await good.next();
    good.ack(goodCds);
    good.send({ typeUrl: TypeUrl.Listener });
    goodLds = await good.next();
    good.ack(goodLds);

    bad = client.openSotw(BAD);
    bad.send({ typeUrl: TypeUrl.Cluster });
    badCds = await bad.next();
    bad.nack(badCds, NACK_MESSAGE);
    bad.send({ typeUrl: TypeUrl.Listener });
    badLds = await bad.next(); // not ACKed: STALE
    await rig.waitForRelayStatus(
      (s) =>
        s.activeStreams.some((a: any) => a.node?.id === GOOD.id && a.types.length === 2 && a.types.every((t: any) => t.state === 'SYNCED')) &&
        s.activeStreams.some((a: any) => a.node?.id === BAD.id && a.types.some((t: any) => t.state === 'NACKED') && a.types.some((t: any) => t.state === 'STALE')),
      10_000,
      'both nodes in the relay status',
    );
  });
  afterAll(async () => {
    good?.cancel();
    bad?.cancel();
    client?.close();
    await rig?.close();
  });

  it('prints one row per node: SYNCED for the one that ACKed, NACKED with the reason and STALE for the other', async () => {
    const r = await appnet(['status', '--relay', rig.adminSocket]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Relay: +HEALTHY at unix:\//);
    expect(r.stdout).toMatch(/^Upstream: +CONNECTED ecs-sc\.us-west-2\.api\.aws via 127\.0\.0\.1:\d+ \(TLS\)/m);
    expect(r.stdout).toMatch(/^Credentials: +VALID from /m);
    const rows = tableRows(r.stdout);
    expect(rows.map((x) => x['NODE ID'])).toEqual([BAD.id, GOOD.id]);
    const [b, g] = rows;
    expect(g).toMatchObject({
      CLUSTER: GOOD.cluster,
      CDS: `SYNCED ${goodCds.versionInfo.slice(0, 8)}…`,
      LDS: `SYNCED ${goodLds.versionInfo.slice(0, 8)}…`,
      EDS: '-',
      RDS: '-',
      SDS: '-',
      STREAMS: '1',
      'LAST NACK': '',
    });
    expect(g!['AGE']).toMatch(/^\d+s$/);
    expect(b).toMatchObject({ CLUSTER: BAD.cluster, CDS: `NACKED ${badCds.versionInfo.slice(0, 8)}…`, LDS: `STALE ${badLds.versionInfo.slice(0, 8)}…` });
    // one line, cut to 60 characters, with the type it is about
    expect(b!['LAST NACK']).toBe('CDS: Error adding/updating cluster(s) extra-cluster: unknow…');
  });

  it('--json gives every field, the whole NACK message included', async () => {
    const r = await appnet(['status', '--relay', `unix:${rig.adminSocket}`, '--json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schema: 'appnet-status/relay/v1', address: `unix:${rig.adminSocket}`, relay: { healthStatus: 'HEALTHY' }, upstream: { state: 'CONNECTED' }, credentials: { state: 'VALID' } });
    expect(doc.columns).toEqual(['CDS', 'LDS', 'EDS', 'RDS', 'SDS']);
    const bad = doc.nodes.find((n: any) => n.nodeId === BAD.id);
    expect(bad.types.map((t: any) => [t.type, t.state])).toEqual([['CDS', 'NACKED'], ['LDS', 'STALE']]);
    expect(bad.lastNack).toMatchObject({ type: 'CDS', typeUrl: TypeUrl.Cluster, message: NACK_MESSAGE, code: 3, nonce: badCds.nonce, rejectedVersion: badCds.versionInfo });
    expect(bad.streams).toHaveLength(1);
    expect(bad.streams[0]).toMatchObject({ kind: 'sotw', path: '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources' });
    const good = doc.nodes.find((n: any) => n.nodeId === GOOD.id);
    expect(good.types.find((t: any) => t.type === 'CDS')).toMatchObject({ state: 'SYNCED', lastVersionSent: goodCds.versionInfo, lastAckedVersion: goodCds.versionInfo, acks: 1, nacks: 0, lastResourceCount: 2 });
    expect(good.lastNack).toBeNull();
  });

  it('finds the relay from the environment like the relay itself when --relay is not given', async () => {
    const r = await appnet(['status'], { APPNET_AGENT_ADMIN_MODE: 'uds', APPNET_AGENT_ADMIN_UDS_PATH: rig.adminSocket });
    expect(r.code).toBe(0);
    expect(tableRows(r.stdout)).toHaveLength(2);
    const bad = await appnet(['status'], { APPNET_AGENT_ADMIN_MODE: 'udp' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('APPNET_AGENT_ADMIN_MODE="udp"');
  });

  it('exits 2, naming the address, when the relay cannot be reached or is not a relay', async () => {
    const gone = path.join(rig.dir, 'gone.sock');
    const r = await appnet(['status', '--relay', gone]);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(`appnet status: cannot read the relay's /status at unix:${gone}: no socket at ${gone}\n`);
    // the management server's admin port speaks HTTP over TCP but has no /status
    const http = await appnet(['status', '--relay', `http://127.0.0.1:${rig.mgmtAdminPort}`]);
    expect(http.code).toBe(2);
    expect(http.stderr).toContain(`at 127.0.0.1:${rig.mgmtAdminPort}: /status answered HTTP 404`);
  });

  it('answers usage errors with exit 1 and help with exit 0', async () => {
    for (const args of [['status', '--verbose'], ['status', '--relay'], ['stauts'], [], ['status', '--relay', 'x', '--agent', 'y'], ['status', 'extra']]) {
      const r = await appnet(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/^appnet: .*\nRun 'appnet (status )?--help' for usage\.\n$/);
    }
    const help = await appnet(['status', '--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Usage: appnet status [--relay <addr>] [--json]');
    expect((await appnet(['--help'])).stdout).toContain('Usage: appnet <command> [options]');
  });

  describe('--agent', () => {
    let agent: AgentRig;
    beforeAll(async () => {
      agent = await AgentRig.start({ relaySocket: rig.socket });
      await agent.waitForStatus((s) => s.envoyState === 'LIVE' && s.relay?.controlPlane === 'SERVING', 20_000, 'agent LIVE behind the relay');
    });
    afterAll(async () => {
      await agent?.close();
    });

    it("prints one agent's health, Envoy, readiness, control plane and relay", async () => {
      const r = await appnet(['status', '--agent', agent.adminSocket]);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const st = await agent.status();
      expect(r.stdout).toContain(`Agent:          ${st.healthStatus} at unix:${agent.adminSocket}, up `);
      expect(r.stdout).toMatch(new RegExp(`^Envoy: +LIVE, pid ${st.envoyPid}, 0 restarts$`, 'm'));
      expect(r.stdout).toMatch(/^Readiness: +INITIALIZED, initial config UPDATE_SUCCESSFUL$/m);
      expect(r.stdout).toMatch(/^Control plane: +(CONNECTED|NOT_CONNECTED)/m);
      expect(r.stdout).toMatch(new RegExp(`^Relay: +SERVING on ${rig.socket}, its control plane SERVING \\(checked `, 'm'));
    });

    it('--json gives the agent document in a stable form', async () => {
      const r = await appnet(['status', '--agent', agent.adminSocket, '--json']);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc).toMatchObject({
        schema: 'appnet-status/agent/v1',
        envoy: { state: 'LIVE', restartCount: 0, lastExit: null },
        readiness: { envoyReadinessState: 'INITIALIZED', initialConfigUpdateStatus: 'UPDATE_SUCCESSFUL' },
        relay: { socket: rig.socket, relay: 'SERVING', controlPlane: 'SERVING' },
      });
      expect(doc.envoy.pid).toBeGreaterThan(0);
      expect(doc.uptimeSeconds).toBeGreaterThanOrEqual(0);
    });

    it('tells which flag to use when pointed at the wrong kind of admin API', async () => {
      const asRelay = await appnet(['status', '--relay', agent.adminSocket]);
      expect(asRelay.code).toBe(2);
      expect(asRelay.stderr).toContain("this is an appnet-agent's /status, not a relay's: use --agent");
      const asAgent = await appnet(['status', '--agent', rig.adminSocket]);
      expect(asAgent.code).toBe(2);
      expect(asAgent.stderr).toContain("use --relay");
    });

    it("shows the agent's Envoy as a third node on the relay", async () => {
      await rig.waitForRelayStatus((s) => s.activeStreams.filter((a: any) => a.node).length >= 3, 10_000, 'the Envoy stand-in on the relay');
      const r = await appnet(['status', '--relay', rig.adminSocket]);
      expect(tableRows(r.stdout).map((x) => x['NODE ID'])).toEqual([BAD.id, GOOD.id, 'mesh/apps/virtualNode/serviceA']);
    });
  });
});
