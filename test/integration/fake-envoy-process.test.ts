import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeEnvoyProcess, fakeEnvoyBin, writeBootstrap } from '../fixtures/envoy-stand-in';
import { sleep, tmpDir } from '../fixtures/tmp';

/** The Envoy stand-in as a process: command line, config validation, signals, and the crash/hang controls. */

let dir: string;
let bin: string;
let config: string;
const cleanups: Array<() => unknown> = [];
beforeAll(() => {
  dir = tmpDir('fake-envoy-proc-');
  bin = fakeEnvoyBin(dir);
  config = writeBootstrap(dir, { admin: { port: 0 } });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(bin, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function start(env: Record<string, string> = {}, args: string[] = []): Promise<FakeEnvoyProcess> {
  const fe = await FakeEnvoyProcess.start({ dir, config, env, args });
  cleanups.push(() => fe.stop('SIGKILL'));
  return fe;
}

describe('fake Envoy command line (through the fakeEnvoyBin script)', () => {
  it('prints its version like Envoy; FAKE_ENVOY_VERSION_SSL makes it a FIPS build', () => {
    expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
    expect(run(['--version'])).toEqual({ status: 0, stdout: '\nenvoy  version: deadbeefdeadbeefdeadbeefdeadbeefdeadbeef/1.29.1/Clean/RELEASE/BoringSSL\n\n', stderr: '' });
    expect(run(['--version'], { FAKE_ENVOY_VERSION_SSL: 'AWS-LC-FIPS' }).stdout).toMatch(/version: \w+\/1\.29\.1\/Clean\/RELEASE\/AWS-LC-FIPS\n/);
  });

  it('rejects unknown flags, missing values, bad numbers and bad log levels with exit 1', () => {
    const unknown = run(['-c', config, '--bogus']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^PARSE ERROR: Argument: --bogus\n {13}Couldn't find match for argument\n/);
    expect(run(['-c']).stderr).toContain('PARSE ERROR: Argument: -c (--config-path)\n             Missing a value for this argument!');
    expect(run(['-c', config, '--concurrency', 'two']).stderr).toContain("Couldn't read argument value from string 'two'");
    expect(run(['-c', config, '-l', 'verbose'])).toMatchObject({ status: 1, stderr: "error: invalid log level specified 'verbose'\n" });
  });

  it('--mode validate: "configuration \'<path>\' OK" and exit 0 for the agent\'s command line (with -l warn)', () => {
    const r = run(['-c', config, '-l', 'warn', '--concurrency', '1', '--drain-time-s', '20', '--disable-hot-restart', '--skip-deprecated-logs', '--mode', 'validate']);
    expect(r).toMatchObject({ status: 0, stdout: `configuration '${config}' OK\n` });
  });

  it('fails bad configs with Envoy\'s critical line and exit 1', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['unknown.yaml', 'admin:\n  adress: {}\n', /\(admin\) adress: Cannot find field\.\) has unknown fields$/m],
      ['broken.yaml', 'admin: [\n', /Unable to convert YAML as JSON: /],
      ['yaml-as-json.conf', 'admin: {}\n', /Unable to parse JSON as proto/],
    ];
    for (const [name, text, why] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      const r = run(['-c', file, '--mode', 'validate']);
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toMatch(new RegExp(`^\\[[\\d-]+ [\\d:.]+\\]\\[\\d+\\]\\[critical\\]\\[main\\] \\[source/server/server\\.cc:\\d+\\] error initializing configuration '${file.replace(/[.]/g, '\\.')}': `));
      expect(r.stderr, name).toMatch(why);
    }
    expect(run(['-c', path.join(dir, 'absent.yaml')]).stderr).toContain('Invalid path: ');
    expect(run([]).stderr).toContain('At least one of --config-path or --config-yaml or Options::configProto() should be non-empty');
    expect(run(['-c', config], { FAKE_ENVOY_BAD_CONFIG: '1' }).status).toBe(1);
  });
});

describe('fake Envoy process behaviour', () => {
  it('logs in Envoy\'s format at the -l level, on stderr', async () => {
    const fe = await start({}, ['-l', 'info']);
    await fe.waitForState('LIVE');
    const lines = fe.stderr.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\]\[\d+\]\[(info|warning|error|critical)\]\[[a-z_0-9]+\] \[source\/[^\]]+:\d+\] /);
    expect(fe.stderr).toContain(`][${fe.pid}][info][admin] [source/server/admin/admin.cc:67] admin address: 127.0.0.1:`);
    const quiet = await start({}, ['-l', 'error']);
    await quiet.waitForState('LIVE');
    expect(quiet.stderr).toBe('');
  });

  it('exits 0 promptly on SIGTERM, and on POST /quitquitquit', async () => {
    const fe = await start();
    const t0 = Date.now();
    expect(await fe.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(fe.events().map((e) => e.event)).toEqual(expect.arrayContaining(['started', 'admin-listening', 'signal', 'exiting']));
    expect(fe.stderr).toContain('caught SIGTERM');

    const quit = await start();
    expect(await quit.request('POST', '/quitquitquit')).toMatchObject({ status: 200, body: 'OK\n' });
    expect(await quit.exited).toEqual({ code: 0, signal: null });
  });

  it('FAKE_ENVOY_CRASH_AFTER_MS exits with FAKE_ENVOY_EXIT_CODE, or dies of FAKE_ENVOY_CRASH_SIGNAL', async () => {
    const fe = await start({ FAKE_ENVOY_CRASH_AFTER_MS: '300', FAKE_ENVOY_EXIT_CODE: '3' });
    expect(await fe.exited).toEqual({ code: 3, signal: null });
    expect(fe.events().at(-1)).toMatchObject({ event: 'exiting', code: 3, reason: 'FAKE_ENVOY_CRASH_AFTER_MS' });

    const dflt = await start({ FAKE_ENVOY_CRASH_AFTER_MS: '100' });
    expect(await dflt.exited).toEqual({ code: 1, signal: null });

    const segv = await start({ FAKE_ENVOY_CRASH_AFTER_MS: '200', FAKE_ENVOY_CRASH_SIGNAL: 'SIGSEGV' });
    expect(await segv.exited).toEqual({ code: null, signal: 'SIGSEGV' });
    expect(segv.stderr).toMatch(/\[critical\]\[backtrace\] .*Caught SIGSEGV/);
  });

  it('FAKE_ENVOY_HANG=1 ignores SIGTERM and SIGINT; only SIGKILL ends it', async () => {
    const fe = await start({ FAKE_ENVOY_HANG: '1' });
    fe.proc.kill('SIGTERM');
    fe.proc.kill('SIGINT');
    await sleep(600);
    expect(fe.proc.exitCode).toBeNull();
    expect((await fe.request('GET', '/ready')).body).toBe('LIVE\n');
    expect(fe.events().filter((e) => e.event === 'signal-ignored').map((e) => e.signal).sort()).toEqual(['SIGINT', 'SIGTERM']);
    expect(await fe.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('eats SIGHUP like Envoy', async () => {
    const fe = await start();
    fe.proc.kill('SIGHUP');
    await fe.waitForEvent((e) => e.event === 'signal' && e.signal === 'SIGHUP');
    await sleep(200);
    expect(fe.proc.exitCode).toBeNull();
    expect(fe.stderr).toContain('caught and eating SIGHUP');
  });
});
