import { describe, expect, it } from 'vitest';
import { agentReport } from '../../../src/cli/agent-report';
import { renderAgentText } from '../../../src/cli/agent-text';
import { AGENT_DOC, relayStatus } from './docs';

describe('agent /status as text', () => {
  it('shows health with reasons, Envoy with its last exit, readiness, control plane and the relay', () => {
    const r = agentReport(AGENT_DOC, 'unix:/tmp/agent.sock');
    expect(renderAgentText(r)).toBe(
      [
        'Agent:          HEALTHY at unix:/tmp/agent.sock, up 1h00m',
        'Reasons:        the xDS relay is up but its management server is not connected',
        '                not connected to the management server since 2026-11-21T09:40:02.118Z (tolerated for HC_DISCONNECTED_TIMEOUT_S=604800)',
        'Envoy:          LIVE, pid 12, 1 restart',
        '                last exit: pid 11 was killed by SIGSEGV at 2026-11-21T08:50:00.000Z (restarted)',
        'Readiness:      INITIALIZED, initial config UPDATE_SUCCESSFUL',
        'Control plane:  NOT_CONNECTED since 2026-11-21T09:40:02.118Z',
        'Relay:          SERVING on /var/run/ecs/relay/relay_xds.sock, its control plane NOT_SERVING (checked 2026-11-21T09:40:04.001Z)',
        '',
      ].join('\n'),
    );
  });

  it('shows an agent still starting (no Envoy yet), without a relay, and a relay error', () => {
    const early = { healthStatus: 'UNHEALTHY', agentUptime: '0s', envoyPid: '-1', envoyState: 'UNKNOWN', envoyRestartCount: '0', envoyReadinessState: 'NOT_INITIALIZED', reasons: ['the agent is starting: the Envoy bootstrap is being prepared, Envoy is not started yet'] };
    expect(renderAgentText(agentReport(early, '127.0.0.1:9902'))).toBe(
      [
        'Agent:          UNHEALTHY at 127.0.0.1:9902, up 0s',
        'Reasons:        the agent is starting: the Envoy bootstrap is being prepared, Envoy is not started yet',
        'Envoy:          UNKNOWN, no process, 0 restarts',
        'Readiness:      NOT_INITIALIZED',
        'Control plane:  not known yet',
        '',
      ].join('\n'),
    );
    const down = { ...AGENT_DOC, envoyLastExit: { pid: 11, code: 1, signal: null, at: '2026-11-21T08:50:00.000Z', action: 'gave up (restart budget spent)' }, relay: { socket: '/s', relay: 'UNREACHABLE', controlPlane: 'UNREACHABLE', checkedAt: '2026-11-21T08:50:01.000Z', error: 'connect ENOENT /s' } };
    const out = renderAgentText(agentReport(down, 'x'));
    expect(out).toContain('                last exit: pid 11 exited with code 1 at 2026-11-21T08:50:00.000Z (gave up (restart budget spent))\n');
    expect(out).toContain('Relay:          UNREACHABLE on /s, its control plane UNREACHABLE (checked 2026-11-21T08:50:01.000Z)\n                error: connect ENOENT /s\n');
  });

  it('gives a stable JSON form, and refuses a relay document', () => {
    expect(agentReport(AGENT_DOC, 'unix:/a')).toEqual({
      schema: 'appnet-status/agent/v1',
      address: 'unix:/a',
      healthStatus: 'HEALTHY',
      reasons: AGENT_DOC.reasons,
      uptimeSeconds: 3605,
      envoy: { state: 'LIVE', pid: 12, restartCount: 1, lastExit: { pid: 11, code: null, signal: 'SIGSEGV', at: '2026-11-21T08:50:00.000Z', action: 'restarted' } },
      controlPlane: { connection: 'NOT_CONNECTED', disconnectedSince: '2026-11-21T09:40:02.118Z' },
      readiness: { envoyReadinessState: 'INITIALIZED', initialConfigUpdateStatus: 'UPDATE_SUCCESSFUL' },
      relay: { socket: '/var/run/ecs/relay/relay_xds.sock', relay: 'SERVING', controlPlane: 'NOT_SERVING', checkedAt: '2026-11-21T09:40:04.001Z', error: null },
    });
    expect(() => agentReport(relayStatus([]), 'x')).toThrow(/appnet-relay's \/status.*use --relay/);
    expect(() => agentReport('HEALTHY', 'x')).toThrow(/not a JSON object/);
  });
});
