import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_MAIN, AgentRig, alive } from '../fixtures/agent-rig';
import { writeBootstrap } from '../fixtures/envoy-stand-in';
import { running } from '../fixtures/process-tree';
import { DaemonProcess, cleanEnv } from '../fixtures/relay-process';
import { waitFor } from '../fixtures/tmp';

const exitOf = (rig: AgentRig, ms = 20_000) =>
  Promise.race([rig.agent.exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`agent did not exit: ${rig.agent.stderr.slice(-500)}`)), ms))]);

describe('appnet-agent supervising Envoy', () => {
  let rig: AgentRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('starts Envoy with the reference command line and a generated bootstrap it accepts', async () => {
    rig = await AgentRig.start({ env: { ENVOY_CONCURRENCY: '2' } });
    const started = await rig.waitForEvent((e) => e.event === 'started');
    const argv = started.argv as string[];
    expect(argv).toEqual(['-c', rig.configFile, '-l', 'info', '--concurrency', '2', '--drain-time-s', '5', '--disable-hot-restart', '--skip-deprecated-logs']);
    expect(fs.readFileSync(rig.configFile, 'utf8')).toContain('mesh/apps/virtualNode/serviceA');
    await rig.waitForEvent((e) => e.event === 'admin-listening');
    expect(rig.events().some((e) => e.event === 'config-error')).toBe(false);
    const st = await rig.waitForStatus((s) => s.envoyPid === String(started.pid));
    expect(st).toMatchObject({ envoyRestartCount: '0', envoyReadinessState: 'NOT_INITIALIZED' });
  });

  it('restarts a crashing Envoy up to APPNET_ENVOY_RESTART_COUNT, records each exit, then exits 1', async () => {
    rig = await AgentRig.start({ env: { FAKE_ENVOY_CRASH_AFTER_MS: '300', FAKE_ENVOY_EXIT_CODE: '3', APPNET_ENVOY_RESTART_COUNT: '2' }, waitForAdmin: false });
    const r = await exitOf(rig);
    expect(r.code).toBe(1);
    const starts = rig.events().filter((e) => e.event === 'started');
    expect(starts).toHaveLength(3);
    const exits = rig.agent.lines.filter((l) => l.msg === 'Envoy exited');
    expect(exits.map((l) => [l.code, l.action])).toEqual([
      [3, 'restarted'],
      [3, 'restarted'],
      [3, 'gave up (restart budget spent)'],
    ]);
    expect(rig.agent.lines.some((l) => /restart budget \(APPNET_ENVOY_RESTART_COUNT=2\) is spent/.test(String(l.msg)))).toBe(true);
    for (const s of starts) expect(alive(s.pid)).toBe(false);
  });

  it('shows the last exit cause (a signal) in /status', async () => {
    rig = await AgentRig.start({ env: { FAKE_ENVOY_CRASH_AFTER_MS: '500', FAKE_ENVOY_CRASH_SIGNAL: 'SIGSEGV', APPNET_ENVOY_RESTART_COUNT: '5' } });
    const st = await rig.waitForStatus((s) => s.envoyLastExit?.signal === 'SIGSEGV');
    expect(st.envoyLastExit).toMatchObject({ code: null, signal: 'SIGSEGV', action: 'restarted' });
    expect(Number(st.envoyRestartCount)).toBeGreaterThanOrEqual(1);
  });

  it('on SIGTERM drains listeners gracefully, terminates Envoy, leaves no process behind and exits 0', async () => {
    rig = await AgentRig.start();
    const started = await rig.waitForEvent((e) => e.event === 'admin-listening');
    const t0 = Date.now();
    rig.agent.proc.kill('SIGTERM');
    expect((await exitOf(rig)).code).toBe(0);
    const drain = rig.events().find((e) => e.event === 'drain');
    expect(drain).toMatchObject({ graceful: true });
    expect(rig.events().some((e) => e.event === 'signal' && e.signal === 'SIGTERM')).toBe(true);
    expect(alive(started.pid)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(5000); // no connections left: no need to sit out the drain time
  });

  it('leaves no Envoy behind even when the agent itself is SIGKILLed (the stand-in watches its parent pipe)', async () => {
    rig = await AgentRig.start();
    const started = await rig.waitForEvent((e) => e.event === 'admin-listening');
    rig.agent.proc.kill('SIGKILL');
    await rig.agent.exited;
    await waitFor(() => !running(started.pid), 10_000, 'the Envoy stand-in to go with its agent');
    expect(rig.events().some((e) => e.event === 'parent-gone')).toBe(true);
  });

  it('SIGKILLs an Envoy that ignores SIGTERM', async () => {
    rig = await AgentRig.start({ env: { FAKE_ENVOY_HANG: '1' } });
    const started = await rig.waitForEvent((e) => e.event === 'admin-listening');
    rig.agent.proc.kill('SIGTERM');
    expect((await exitOf(rig)).code).toBe(0);
    expect(rig.events().some((e) => e.event === 'signal-ignored')).toBe(true);
    expect(rig.agent.lines.some((l) => l.msg === 'Envoy ignored SIGTERM: sending SIGKILL')).toBe(true);
    expect(alive(started.pid)).toBe(false);
  });

  it('pre-creates the Envoy admin socket (0600) and talks to Envoy over it in uds mode', async () => {
    const probe = new AgentRig(); // only for a directory
    const sock = path.join(probe.dir, 'envoy_admin.sock');
    rig = await AgentRig.start({ env: { ENVOY_ADMIN_MODE: 'uds', ENVOY_ADMIN_UDS_PATH: sock } });
    await rig.waitForEvent((e) => e.event === 'admin-listening');
    expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
    const st = await rig.waitForStatus((s) => s.envoyState !== 'UNKNOWN' && s.envoyState !== 'UNREACHABLE');
    expect(st.envoyState).toMatch(/INITIALIZING/);
    expect(fs.readFileSync(rig.configFile, 'utf8')).toContain(sock);
    fs.rmSync(probe.dir, { recursive: true, force: true });
  });

  it('uses a non-empty ENVOY_CONFIG_FILE as is, without needing the bootstrap variables', async () => {
    const probe = new AgentRig();
    const cfg = writeBootstrap(probe.dir, { admin: { port: 0 } }, 'given.yaml');
    const before = fs.readFileSync(cfg, 'utf8');
    rig = await AgentRig.start({ env: { ENVOY_CONFIG_FILE: cfg, APPMESH_RESOURCE_ARN: '' } });
    const started = await rig.waitForEvent((e) => e.event === 'started');
    expect((started.argv as string[]).slice(0, 2)).toEqual(['-c', cfg]);
    expect(fs.readFileSync(cfg, 'utf8')).toBe(before);
    fs.rmSync(probe.dir, { recursive: true, force: true });
  });

  it('exits 1 naming every bad variable, before writing any bootstrap', async () => {
    const probe = new AgentRig();
    fs.writeFileSync(probe.configFile, '');
    const env = cleanEnv({ ...probe.env(), APPNET_ENVOY_RESTART_COUNT: 'many', ENABLE_ENVOY_XRAY_TRACING: 'maybe', APPMESH_RESOURCE_ARN: '', LISTENER_DRAIN_WAIT_TIME_S: '500' });
    const d = DaemonProcess.spawn(AGENT_MAIN, env);
    const r = await d.exited;
    expect(r.code).toBe(1);
    for (const v of ['APPNET_ENVOY_RESTART_COUNT="many"', 'ENABLE_ENVOY_XRAY_TRACING="maybe"', 'APPMESH_RESOURCE_ARN=""', 'LISTENER_DRAIN_WAIT_TIME_S="500"']) expect(d.stderr).toContain(v);
    expect(fs.readFileSync(probe.configFile, 'utf8')).toBe('');
    expect(fs.existsSync(probe.envoyEvents)).toBe(false); // Envoy never started
    fs.rmSync(probe.dir, { recursive: true, force: true });
  });

  it('replaces a stale regular file at APPNET_AGENT_ADMIN_UDS_PATH, as the reference does, and serves /status', async () => {
    rig = await AgentRig.start({ before: (r) => fs.writeFileSync(r.adminSocket, 'left over'), waitForAdmin: false });
    const st = await rig.waitForStatus((s) => typeof s.healthStatus === 'string', 15_000, 'the admin API on the replaced path');
    expect(st.envoyReadinessState).toBeDefined();
    expect(fs.lstatSync(rig.adminSocket).isSocket()).toBe(true);
    expect(rig.agent.proc.exitCode).toBeNull();
  });

  it('refuses an admin path it must not take (a directory there) before Envoy is started: exit 1, no Envoy', async () => {
    rig = await AgentRig.start({ before: (r) => fs.mkdirSync(r.adminSocket), waitForAdmin: false });
    expect((await exitOf(rig)).code).toBe(1);
    expect(rig.agent.stderr).toMatch(/APPNET_AGENT_ADMIN_UDS_PATH: .* exists and is not a socket/);
    expect(fs.existsSync(rig.envoyEvents)).toBe(false); // Envoy never started
    expect(rig.agent.lines.some((l) => l.msg === 'started Envoy')).toBe(false);
  });

  it('writes its own JSON log and Envoy\'s output to APPNET_ENVOY_LOG_DESTINATION, rotated by size', async () => {
    const probe = new AgentRig();
    const logDir = path.join(probe.dir, 'logs');
    fs.mkdirSync(logDir);
    rig = await AgentRig.start({
      env: { APPNET_ENVOY_LOG_DESTINATION: logDir, APPNET_ENVOY_LOG_NAME: 'sidecar.log', APPNET_AGENT_MAX_LOG_FILE_SIZE: '0.002', APPNET_AGENT_MAX_RETENTION_COUNT: '2', ENVOY_LOG_LEVEL: 'debug' },
    });
    await rig.waitForEvent((e) => e.event === 'admin-listening');
    // Drive the size, not the clock: log-level changes log on both sides; make output
    // until the file is past the limit, then wait for that rotation, twice.
    const logFile = path.join(logDir, 'sidecar.log');
    const limit = 0.002 * 1_048_576;
    const rotated = () => fs.readdirSync(logDir).filter((f) => f !== 'sidecar.log');
    let changes = 0;
    for (const copies of [1, 2]) {
      await waitFor(
        async () => {
          if (rotated().length >= copies) return true;
          if (fs.statSync(logFile).size <= limit) await rig!.request('POST', `/enableLogging?level=${changes++ % 2 ? 'trace' : 'debug'}&permanent=true`);
          return false;
        },
        20_000,
        `rotated copy ${copies} (${changes} log-level changes so far)`,
        150, // under the admin API's rate limit
      );
    }
    const files = fs.readdirSync(logDir).sort();
    expect(files).toHaveLength(3);
    expect(files[0]).toBe('sidecar.log');
    expect(files.slice(1).every((f) => /^sidecar\.log\.\d+$/.test(f))).toBe(true);
    const all = files.map((f) => fs.readFileSync(path.join(logDir, f), 'utf8')).join('');
    expect(all).toMatch(/"name":"appnet-agent"/); // the agent's JSON lines
    expect(all).toMatch(/\]\[(debug|info)\]\[(main|admin)\]/); // Envoy's own lines, same file
    expect(rig.agent.lines.filter((l) => l.name === 'appnet-agent')).toHaveLength(0); // nothing on stdout
    fs.rmSync(probe.dir, { recursive: true, force: true });
  });

  it('gives up cleanly when the Envoy binary does not exist', async () => {
    rig = await AgentRig.start({ env: { ENVOY_BIN: '/nonexistent/envoy', APPNET_ENVOY_RESTART_COUNT: '1' }, waitForAdmin: false });
    expect((await exitOf(rig)).code).toBe(1);
    expect(rig.agent.lines.filter((l) => l.msg === 'cannot start Envoy')).toHaveLength(2);
    await waitFor(() => !fs.existsSync(rig!.adminSocket), 2000, 'admin socket gone');
  });
});
