import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_PATH, openBidi } from '../fixtures/grpc-upstream';
import { Rig } from '../fixtures/rig';
import { waitFor } from '../fixtures/tmp';

/**
 * After a burst, once nothing has moved for RELAY_MEMORY_TRIM_AFTER_QUIET, the
 * relay runs one memory-reducing GC and says so in /status and its log; new
 * traffic arms it again. A real relay process; 6 s quiet here (V8 shrinks its young generation only once
 * its allocation rate over the last 5 s is low).
 */
describe('relay: memory given back when quiet', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start({ relayEnv: { RELAY_MEMORY_TRIM_AFTER_QUIET: '6s' } });
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** One stream through the relay carrying `n` messages of `bytes` each way. */
  const burst = async (n: number, bytes: number): Promise<void> => {
    const up = rig.upstream.nextCall();
    const call = openBidi(rig.client(), BULK_PATH);
    call.on('error', () => undefined);
    let got = 0;
    call.on('data', () => got++);
    const u = await up;
    for (let i = 0; i < n; i++) {
      call.write(Buffer.alloc(bytes, i));
      u.call.write(Buffer.alloc(bytes, i));
    }
    await waitFor(() => got === n && u.received.length === n, 20_000, 'burst relayed');
    u.call.end();
    call.end();
  };

  it('trims once after a burst, reports it, and is armed again by new traffic', async () => {
    await burst(200, 256 * 1024); // 50 MiB each way: V8's young generation grows
    // up to three tries of 6 s quiet each (a trim V8 declines is tried again, twice at most), on a loaded machine
    const st = await rig.waitForStatus((s) => s.memoryTrim?.trims >= 1 && !s.memoryTrim.pending, 60_000, 'a memory trim');
    const last = st.memoryTrim.last;
    expect(last.pauseMs).toBeGreaterThanOrEqual(0);
    expect(last.youngAfter).toBeLessThan(last.youngBefore);
    expect(last.youngAfter).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(last.rssAfter).toBeLessThanOrEqual(last.rssBefore);
    expect(Date.parse(last.at)).toBeGreaterThan(0);
    await waitFor(() => rig.relay.lines.some((l) => l.msg === 'quiet: memory given back'), 5000, 'trim logged');
    const trims = st.memoryTrim.trims;
    // the burst left the heap small: incremental marking stays off (RELAY_V8_INCREMENTAL_MARKING=auto)
    expect(st.incrementalMarking).toEqual({ mode: 'auto', on: false, switches: 0 });

    // quiet on: no second trim without new activity
    await new Promise((r) => setTimeout(r, 3000));
    expect((await rig.status()).memoryTrim).toMatchObject({ trims, pending: false });

    // new traffic arms it; its quiet spell is dealt with again (trimmed or nothing to give back)
    await burst(5, 1024);
    await rig.waitForStatus((s) => s.memoryTrim.pending === true || s.memoryTrim.trims > trims, 20_000, 'armed by traffic');
    await rig.waitForStatus((s) => s.memoryTrim.pending === false, 60_000, 'quiet spell dealt with');
  }, 180_000); // two quiet spells (each up to three 6 s tries) plus a 50 MiB burst, on a loaded machine: every wait above is bounded
});

describe('relay: memory trim off, incremental marking on', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start({ relayEnv: { RELAY_MEMORY_TRIM_AFTER_QUIET: '0', RELAY_V8_INCREMENTAL_MARKING: 'on' } });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('RELAY_MEMORY_TRIM_AFTER_QUIET=0: no trim, no memoryTrim in /status', async () => {
    const st = await rig.status();
    expect(st.healthStatus).toBe('HEALTHY');
    expect(st.memoryTrim).toBeUndefined();
    expect(st.incrementalMarking).toEqual({ mode: 'on', on: true, switches: 0 });
  });
});
