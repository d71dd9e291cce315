import { describe, expect, it } from 'vitest';
import { LogLevelController } from './log-level';

function controller(resetAfterMs = 50) {
  const applied: string[] = [];
  let fail = false;
  const c = new LogLevelController({
    baseline: 'info',
    resetAfterMs,
    apply: async (l) => {
      if (fail) throw new Error('Envoy said no');
      applied.push(l);
    },
  });
  return { c, applied, failNext: (v: boolean) => (fail = v) };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LogLevelController', () => {
  it('accepts every Envoy level, warning and critical included, and rejects others', async () => {
    const { c } = controller();
    expect(await c.set('warning', false)).toEqual({ kind: 'changed', from: 'info', to: 'warning' });
    expect(await c.set('CRITICAL', false)).toEqual({ kind: 'changed', from: 'warning', to: 'critical' });
    expect(await c.set('loud', false)).toMatchObject({ kind: 'invalid', message: expect.stringContaining('trace, debug, info, warn, warning, error, critical, off') });
    c.stop();
  });

  it('reverts a temporary change after the timeout; a newer change re-arms it', async () => {
    const { c, applied } = controller(80);
    await c.set('debug', false);
    await sleep(50);
    await c.set('trace', false);
    await sleep(50);
    expect(applied).toEqual(['debug', 'trace']); // the first timer was re-armed
    await sleep(60);
    expect(applied).toEqual(['debug', 'trace', 'info']);
    expect(c.current).toBe('info');
    expect(await c.set('info', false)).toEqual({ kind: 'unchanged' });
  });

  it('makes permanent changes the new baseline (also for a restarted Envoy)', async () => {
    const { c, applied } = controller(30);
    await c.set('debug', true);
    await sleep(60);
    expect(applied).toEqual(['debug']);
    expect(c.baseline).toBe('debug');
    await c.set('trace', false);
    c.envoyRestarted();
    expect([c.current, c.resetPending]).toEqual(['debug', false]);
    // a temporary level made permanent without touching Envoy again
    await c.set('error', false);
    expect(await c.set('error', true)).toEqual({ kind: 'changed', from: 'error', to: 'error' });
    expect([c.baseline, c.resetPending, applied.at(-1)]).toEqual(['error', false, 'error']);
  });

  it('leaves the state alone when Envoy refuses', async () => {
    const { c, failNext } = controller();
    failNext(true);
    await expect(c.set('debug', false)).rejects.toThrow('Envoy said no');
    expect([c.current, c.resetPending]).toEqual(['info', false]);
  });
});
