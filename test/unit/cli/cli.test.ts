import { describe, expect, it } from 'vitest';
import type { AdminAddress } from '../../../src/cli/admin-address';
import { type CliIo, runCli } from '../../../src/cli/cli';
import { AGENT_DOC, CDS, relayStatus, stream, type } from './docs';

/** The CLI with its I/O replaced: what it asked for, and an answer (or a failure). */
function io(answer: unknown | Error, over: Partial<CliIo> = {}): CliIo & { asked: AdminAddress[] } {
  const asked: AdminAddress[] = [];
  return {
    env: {},
    cwd: '/',
    stdoutIsTTY: false,
    fetchStatus: async (a) => {
      asked.push(a);
      if (answer instanceof Error) throw answer;
      return JSON.parse(JSON.stringify(answer));
    },
    asked,
    ...over,
  };
}

const RELAY = relayStatus([stream(1, { id: 'n', cluster: 'c' }, [type(CDS, 'SYNCED')])]);

describe('appnet (argv in, output and exit code out)', () => {
  it('exits 0 with the table, asking the default socket when no --relay is given', async () => {
    const x = io(RELAY);
    const r = await runCli(['status'], x);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\nn        c        SYNCED 1503230b…');
    expect(x.asked).toEqual([{ kind: 'uds', path: '/var/run/ecs/appnet_admin.sock' }]);
  });

  it('exits 2 naming the address when nothing answers, 1 on usage errors without asking anything', async () => {
    const down = await runCli(['status', '--relay', '127.0.0.1:9902'], io(new Error('connection refused')));
    expect(down).toEqual({ code: 2, stdout: '', stderr: "appnet status: cannot read the relay's /status at 127.0.0.1:9902: connection refused\n" });
    const dflt = await runCli(['status'], io(new Error('no socket at /var/run/ecs/appnet_admin.sock')));
    expect(dflt.stderr).toContain('(the default address: give --relay <addr> to ask elsewhere)');
    const wrong = await runCli(['status', '--agent', '/a.sock'], io(RELAY));
    expect(wrong).toMatchObject({ code: 2, stderr: expect.stringContaining("at unix:/a.sock: this is an appnet-relay's /status, not an agent's: use --relay") });
    for (const argv of [['status', '--relay', 'nowhere'], ['status', '-x'], ['nope']]) {
      const x = io(RELAY);
      const r = await runCli(argv, x);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(x.asked).toEqual([]);
    }
    const env = await runCli(['status'], io(RELAY, { env: { APPNET_AGENT_ADMIN_MODE: 'uds', APPNET_AGENT_ADMIN_UDS_PATH: 'rel.sock' } }));
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('APPNET_AGENT_ADMIN_UDS_PATH="rel.sock": expected an absolute path');
  });

  it('prints JSON for scripts, never colored', async () => {
    const r = await runCli(['status', '--json'], io(RELAY, { stdoutIsTTY: true }));
    expect(r.stdout).not.toContain('\u001b[');
    expect(JSON.parse(r.stdout).nodes[0]).toMatchObject({ nodeId: 'n', types: [{ type: 'CDS', state: 'SYNCED' }] });
    const a = await runCli(['status', '--agent', ':9902', '--json'], io(AGENT_DOC));
    expect(JSON.parse(a.stdout)).toMatchObject({ schema: 'appnet-status/agent/v1', address: '127.0.0.1:9902', envoy: { pid: 12 } });
  });

  it('colors only a terminal, and never with NO_COLOR', async () => {
    expect((await runCli(['status'], io(RELAY, { stdoutIsTTY: true }))).stdout).toContain('\u001b[32m');
    expect((await runCli(['status'], io(RELAY, { stdoutIsTTY: true, env: { NO_COLOR: '1' } }))).stdout).not.toContain('\u001b[');
    expect((await runCli(['status'], io(RELAY, { stdoutIsTTY: false }))).stdout).not.toContain('\u001b[');
  });
});
