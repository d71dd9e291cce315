import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonProcess, RELAY_MAIN, cleanEnv } from '../fixtures/relay-process';
import { Rig } from '../fixtures/rig';
import { tmpDir, waitFor } from '../fixtures/tmp';

async function runToExit(env: Record<string, string>) {
  const d = DaemonProcess.spawn(RELAY_MAIN, cleanEnv(env));
  const r = await Promise.race([d.exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('did not exit')), 10_000))]);
  return { ...r, stderr: d.stderr };
}

describe('appnet-relay process', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start();
  });
  afterAll(() => rig?.close());

  it('exits 1 and names every bad variable with the accepted form', async () => {
    const r = await runToExit(
      rig.relayEnv({ RELAY_STREAM_IDLE_TIMEOUT: 'forever', RELAY_BUFFER_LIMIT_BYTES: '-5', APPNET_MANAGEMENT_PORT: 'https', AWS_REGION: 'moon' }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('invalid configuration (4 problems)');
    expect(r.stderr).toContain('RELAY_STREAM_IDLE_TIMEOUT="forever": expected a duration such as 300s');
    expect(r.stderr).toContain('RELAY_BUFFER_LIMIT_BYTES="-5": expected an integer from 16384 to 2147483647');
    expect(r.stderr).toContain('APPNET_MANAGEMENT_PORT="https": expected an integer from 1 to 65535');
    expect(r.stderr).toContain('AWS_REGION="moon": expected a region name');
  });

  it('refuses a socket directory that does not exist (it never creates or deletes it)', async () => {
    const r = await runToExit(rig.relayEnv({ APPNET_RELAY_LISTENER_UDS_PATH: '/nonexistent-dir/relay.sock', APPNET_AGENT_ADMIN_MODE: '' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('APPNET_RELAY_LISTENER_UDS_PATH: directory /nonexistent-dir does not exist');
  });

  it('refuses to take over a socket another relay is serving, and keeps that one working', async () => {
    const r = await runToExit(rig.relayEnv({ APPNET_AGENT_ADMIN_UDS_PATH: path.join(rig.dir, 'admin2.sock') }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`another process is already listening on ${rig.socket}`);
    expect(fs.statSync(rig.socket).isSocket()).toBe(true);
    expect((await rig.status()).healthStatus).toBe('HEALTHY');
  });

  it('replaces a stale socket file left by a killed process, and refuses to delete a regular file', async () => {
    const dir = tmpDir('appnet-stale-');
    const sock = path.join(dir, 'relay.sock');
    const holder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => holder.stdout!.once('data', r));
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    expect(fs.statSync(sock).isSocket()).toBe(true); // stale: nobody listens
    const d = DaemonProcess.spawn(RELAY_MAIN, cleanEnv(rig.relayEnv({ APPNET_RELAY_LISTENER_UDS_PATH: sock, APPNET_AGENT_ADMIN_MODE: '' })));
    await d.waitForLog((l) => l.msg === 'relay listening');
    expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
    expect((await d.stop()).code).toBe(0);
    await waitFor(() => !fs.existsSync(sock), 2000, 'socket removed on exit');
    expect(fs.existsSync(dir)).toBe(true); // the directory stays

    const file = path.join(dir, 'not-a-socket');
    fs.writeFileSync(file, 'precious');
    const r = await runToExit(rig.relayEnv({ APPNET_RELAY_LISTENER_UDS_PATH: file, APPNET_AGENT_ADMIN_MODE: '' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('exists and is not a socket');
    expect(fs.readFileSync(file, 'utf8')).toBe('precious');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
