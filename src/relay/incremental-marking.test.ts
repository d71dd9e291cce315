import { describe, expect, it } from 'vitest';
import { MARKING_OFF_BELOW_BYTES, MARKING_ON_ABOVE_BYTES, markingWanted, oldGenerationBytes, startMarkingSwitch } from './incremental-marking';

const MiB = 1024 * 1024;

describe('incremental marking by heap size', () => {
  it('auto: on above 48 MiB, off again only below 32 MiB (no flapping in between)', () => {
    expect(MARKING_ON_ABOVE_BYTES).toBe(48 * MiB);
    expect(MARKING_OFF_BELOW_BYTES).toBe(32 * MiB);
    expect(markingWanted('auto', 9 * MiB, false)).toBe(false);
    expect(markingWanted('auto', 48 * MiB, false)).toBe(false);
    expect(markingWanted('auto', 48 * MiB + 1, false)).toBe(true);
    expect(markingWanted('auto', 40 * MiB, true)).toBe(true);
    expect(markingWanted('auto', 32 * MiB, true)).toBe(true);
    expect(markingWanted('auto', 32 * MiB - 1, true)).toBe(false);
    expect(markingWanted('auto', 40 * MiB, false)).toBe(false);
  });

  it('on and off ignore the heap', () => {
    for (const bytes of [0, 40 * MiB, 500 * MiB]) {
      for (const now of [true, false]) {
        expect(markingWanted('on', bytes, now)).toBe(true);
        expect(markingWanted('off', bytes, now)).toBe(false);
      }
    }
  });

  it('the switch follows the heap in auto mode and counts its switches', async () => {
    const heap = [10, 60, 60, 40, 20, 20].map((m) => m * MiB);
    const flags: boolean[] = [];
    let i = 0;
    const seen: boolean[] = [];
    await new Promise<void>((resolve) => {
      const sw = startMarkingSwitch({
        mode: 'auto',
        everyMs: 5,
        heapBytes: () => heap[Math.min(i++, heap.length - 1)]!,
        setFlag: (on) => flags.push(on),
        onSwitch: (on) => {
          seen.push(on);
          if (seen.length === 2) {
            sw.stop();
            expect(sw.record).toEqual({ mode: 'auto', on: false, switches: 2 });
            resolve();
          }
        },
      });
      expect(sw.record).toEqual({ mode: 'auto', on: false, switches: 0 });
    });
    expect(flags).toEqual([false, true, false]); // the starting state, then the two switches
    expect(seen).toEqual([true, false]);
  });

  it('on and off set their state once, at start', async () => {
    for (const mode of ['on', 'off'] as const) {
      const flags: boolean[] = [];
      const sw = startMarkingSwitch({ mode, everyMs: 1, heapBytes: () => 500 * MiB, setFlag: (on) => flags.push(on) });
      await new Promise((r) => setTimeout(r, 20));
      expect(flags).toEqual([mode === 'on']);
      expect(sw.record).toEqual({ mode, on: mode === 'on', switches: 0 });
      sw.stop();
    }
  });

  it('reads the old generation of this process', () => {
    const n = oldGenerationBytes();
    expect(n).toBeGreaterThan(1 * MiB);
    expect(n).toBeLessThan(4096 * MiB);
  });
});
