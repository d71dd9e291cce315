import { describe, expect, it } from 'vitest';
import { QuietTrimPolicy, youngGenerationBytes } from './memory-trim';

const MiB = 1024 * 1024;

describe('QuietTrimPolicy', () => {
  it('trims once the activity counter has stood still for the quiet time, and once only', () => {
    const p = new QuietTrimPolicy(10_000, 4 * MiB);
    expect(p.tick({ activity: 0, youngBytes: 16 * MiB, nowMs: 0 })).toBe(false);
    expect(p.tick({ activity: 5, youngBytes: 16 * MiB, nowMs: 1000 })).toBe(false);
    expect(p.tick({ activity: 5, youngBytes: 16 * MiB, nowMs: 10_999 })).toBe(false);
    expect(p.pending).toBe(true);
    expect(p.tick({ activity: 5, youngBytes: 16 * MiB, nowMs: 11_000 })).toBe(true);
    expect(p.pending).toBe(false);
    expect(p.tick({ activity: 5, youngBytes: 16 * MiB, nowMs: 60_000 })).toBe(false);
  });

  it('new activity arms it again; a busy process is never trimmed', () => {
    const p = new QuietTrimPolicy(10_000, 4 * MiB);
    p.tick({ activity: 1, youngBytes: 16 * MiB, nowMs: 0 });
    expect(p.tick({ activity: 1, youngBytes: 16 * MiB, nowMs: 10_000 })).toBe(true);
    for (let t = 11_000, a = 2; t < 100_000; t += 2500, a++) expect(p.tick({ activity: a, youngBytes: 16 * MiB, nowMs: t })).toBe(false);
    expect(p.pending).toBe(true);
    expect(p.tick({ activity: 999, youngBytes: 16 * MiB, nowMs: 200_000 })).toBe(false);
    expect(p.tick({ activity: 999, youngBytes: 16 * MiB, nowMs: 210_000 })).toBe(true);
  });

  it('a quiet spell with nothing to give back (young generation small) is dealt with, not trimmed', () => {
    const p = new QuietTrimPolicy(1000, 4 * MiB);
    p.tick({ activity: 0, youngBytes: MiB, nowMs: 0 });
    expect(p.tick({ activity: 0, youngBytes: MiB, nowMs: 1000 })).toBe(false);
    expect(p.pending).toBe(false);
    expect(p.tick({ activity: 0, youngBytes: 32 * MiB, nowMs: 5000 })).toBe(false);
  });

  it('reads the young generation of this process', () => {
    expect(youngGenerationBytes()).toBeGreaterThan(0);
  });

  it('tries again after another quiet interval when V8 kept its young generation, at most twice per spell', () => {
    const p = new QuietTrimPolicy(10_000, 4 * MiB);
    p.tick({ activity: 1, youngBytes: 32 * MiB, nowMs: 0 });
    expect(p.tick({ activity: 1, youngBytes: 32 * MiB, nowMs: 10_000 })).toBe(true);
    p.trimmed(32 * MiB, 10_000); // declined
    expect(p.pending).toBe(true);
    expect(p.tick({ activity: 1, youngBytes: 32 * MiB, nowMs: 19_999 })).toBe(false);
    expect(p.tick({ activity: 1, youngBytes: 32 * MiB, nowMs: 20_000 })).toBe(true);
    p.trimmed(32 * MiB, 20_000); // declined again
    expect(p.tick({ activity: 1, youngBytes: 32 * MiB, nowMs: 30_000 })).toBe(true);
    p.trimmed(32 * MiB, 30_000); // twice retried: done with this spell
    expect(p.pending).toBe(false);
    expect(p.tick({ activity: 1, youngBytes: 32 * MiB, nowMs: 90_000 })).toBe(false);
    // new activity: a new spell, with its own retries
    p.tick({ activity: 2, youngBytes: 32 * MiB, nowMs: 100_000 });
    expect(p.tick({ activity: 2, youngBytes: 32 * MiB, nowMs: 110_000 })).toBe(true);
    p.trimmed(32 * MiB, 110_000);
    expect(p.tick({ activity: 2, youngBytes: 32 * MiB, nowMs: 120_000 })).toBe(true);
  });

  it('a trim that gave the young generation back is not repeated', () => {
    const p = new QuietTrimPolicy(10_000, 4 * MiB);
    p.tick({ activity: 1, youngBytes: 32 * MiB, nowMs: 0 });
    expect(p.tick({ activity: 1, youngBytes: 32 * MiB, nowMs: 10_000 })).toBe(true);
    p.trimmed(1 * MiB, 10_000);
    expect(p.pending).toBe(false);
    expect(p.tick({ activity: 1, youngBytes: 1 * MiB, nowMs: 30_000 })).toBe(false);
  });
});
