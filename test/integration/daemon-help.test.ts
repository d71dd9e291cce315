import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { USAGE as MGMT_USAGE } from '../../src/mgmt/cli-config';
import { relayHelp } from '../../src/relay/config';
import { agentHelp } from '../../src/sidecar/config';
import { ROOT, cleanEnv } from '../fixtures/relay-process';

/** The built daemons' --help: the settings table on stdout, nothing on stderr, exit 0, nothing started. */

const main = (daemon: string) => path.join(ROOT, 'dist', 'src', daemon, 'main.js');

function run(daemon: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [main(daemon), ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('--help of the daemons', () => {
  it('appnet-relay --help prints its table and exits 0, even with a configuration that would not start', async () => {
    const r = await run('relay', ['--help'], { APPNET_MANAGEMENT_PORT: 'bad' });
    expect(r).toEqual({ code: 0, stdout: relayHelp(), stderr: '' });
    expect(r.stdout).toContain('  RELAY_DRAIN_TIMEOUT\n');
    expect((await run('relay', ['-h'])).code).toBe(0);
  });

  it('appnet-agent takes Go-style -h, -help and --help (relay mode too) and prints both its tables', async () => {
    for (const flag of ['-h', '-help', '--help', '--h']) {
      const r = await run('sidecar', [flag], { APPNET_ENABLE_RELAY_MODE_FOR_XDS: '1' });
      expect(r, flag).toEqual({ code: 0, stdout: agentHelp(), stderr: '' });
    }
    const out = agentHelp();
    expect(out).toContain('Operation (always read):');
    expect(out).toContain('  ENVOY_LOG_LEVEL (or -logLevel <level>)\n');
    expect(out).toContain('  APPMESH_RESOURCE_ARN (or APPMESH_RESOURCE_NAME, APPMESH_VIRTUAL_NODE_NAME)\n');
  });

  it('appnet-mgmt --help prints its table from the same module', async () => {
    const r = await run('mgmt', ['--help']);
    expect(r).toEqual({ code: 0, stdout: `${MGMT_USAGE}\n`, stderr: '' });
    expect(r.stdout).toContain('  --data-dir <dir>  (APPNET_MGMT_DATA_DIR)\n');
  });
});
