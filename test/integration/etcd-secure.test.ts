import * as AM from '@aws-sdk/client-app-mesh';
import { Etcd3 } from 'etcd3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeLocalCa } from '../../src/common/local-ca';
import { EtcdProcess } from '../fixtures/etcd-process';
import { ControlPlaneProcess } from '../fixtures/mgmt-process';
import { DaemonProcess, cleanEnv } from '../fixtures/relay-process';
import { MGMT_MAIN } from '../fixtures/xds-rig';
import { tmpDir } from '../fixtures/tmp';
import { MgmtAdminClient } from '../fixtures/mgmt-admin';

/**
 * appnet-mgmt on an etcd that asks what production etcds ask: TLS with a CA
 * of its own (etcds:// and --etcd-ca-file), and user/password authentication
 * (--etcd-username, --etcd-password-file). A wrong password or CA is never
 * taken for a working store.
 */

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('appnet-mgmt on a secured etcd (real etcd)', () => {
  it('talks TLS to etcd with the CA it is given, and keeps waiting (saying why) with another CA', async () => {
    const dir = tmpDir('appnet-etcd-tls-');
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const ca = await makeLocalCa(['127.0.0.1', 'localhost'], path.join(dir, 'etcd'));
    const etcd = await EtcdProcess.start({ tls: { cert: ca.files!.cert, key: ca.files!.key, ca: ca.files!.ca } });
    cleanup.push(() => etcd.close());

    const cp = await ControlPlaneProcess.start({ durable: false, args: ['--store', `etcds://${etcd.endpoint}/appnet-tls`, '--etcd-ca-file', ca.files!.ca] });
    cleanup.push(() => cp.close());
    await cp.client().send(new AM.CreateMeshCommand({ meshName: 'secure' }));
    expect((await new MgmtAdminClient(cp.endpoint).health()).store).toMatchObject({ kind: 'etcd', reachable: true });

    // Another CA: it never serves (an etcd it cannot trust is not its store); it waits, saying why.
    const other = await makeLocalCa(['127.0.0.1'], path.join(dir, 'other'));
    const wrong = DaemonProcess.spawn(MGMT_MAIN, cleanEnv({}), ['--store', `etcds://${etcd.endpoint}/appnet-tls`, '--etcd-ca-file', other.files!.ca, '--port', '0', '--admin-port', '0']);
    cleanup.push(() => wrong.stop('SIGKILL').then(() => undefined));
    const waiting = await wrong.waitForLog((l) => l.msg === 'the store cannot be reached yet; waiting (nothing is served meanwhile)', 20_000, 'the wait for a trusted etcd');
    expect(String(waiting.err)).toMatch(/cannot read the state/);
    expect(wrong.lines.some((l) => l.msg === 'listening')).toBe(false);
  }, 60_000);

  it('authenticates to etcd with a user and a password file, and refuses to start with a wrong password', async () => {
    const etcd = await EtcdProcess.start();
    cleanup.push(() => etcd.close());
    const admin = new Etcd3({ hosts: `http://${etcd.endpoint}` });
    await admin.role('root').create();
    await admin.user('root').create('root-password');
    await admin.user('root').addRole('root');
    await admin.role('appnet').create();
    await admin.role('appnet').grant({ permission: 'Readwrite', range: admin.range({ prefix: '/appnet-auth/' }) });
    await admin.user('appnet').create('appnet-password');
    await admin.user('appnet').addRole('appnet');
    await admin.auth.authEnable();
    admin.close();

    const dir = tmpDir('appnet-etcd-auth-');
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'good'), 'appnet-password\n', { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'bad'), 'not-the-password\n', { mode: 0o600 });

    const cp = await ControlPlaneProcess.start({ durable: false, args: ['--store', `etcd://${etcd.endpoint}/appnet-auth`, '--etcd-username', 'appnet', '--etcd-password-file', path.join(dir, 'good')] });
    cleanup.push(() => cp.close());
    await cp.client().send(new AM.CreateMeshCommand({ meshName: 'authed' }));
    expect((await cp.client().send(new AM.ListMeshesCommand({}))).meshes?.map((m) => m.meshName)).toEqual(['authed']);
    expect(cp.proc.lines.map((l) => JSON.stringify(l)).join('\n') + cp.proc.stderr).not.toContain('appnet-password');

    // A wrong password is a configuration error: the server says so and exits, it does not wait.
    const bad = DaemonProcess.spawn(MGMT_MAIN, cleanEnv({}), ['--store', `etcd://${etcd.endpoint}/appnet-auth`, '--etcd-username', 'appnet', '--etcd-password-file', path.join(dir, 'bad'), '--port', '0']);
    expect((await bad.exited).code).toBe(1);
    expect(bad.stderr).toMatch(/cannot read the state \(etcd .*\): .*(authentication failed|invalid auth)/i);
    expect(bad.stderr).toContain('check --etcd-username, --etcd-password-file');
    expect(bad.stderr).not.toContain('not-the-password');
  }, 60_000);
});
