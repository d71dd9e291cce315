import { describe, expect, it } from 'vitest';
import { CredentialManager } from './credentials';

function provider(seq: Array<{ id: string; ttlMs: number } | Error>) {
  const calls: Array<{ forceRefresh?: boolean } | undefined> = [];
  let i = 0;
  const fn = async (opts?: { forceRefresh?: boolean }) => {
    calls.push(opts);
    const next = seq[Math.min(i++, seq.length - 1)]!;
    if (next instanceof Error) throw next;
    return { accessKeyId: next.id, secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + next.ttlMs), $source: { CREDENTIALS_HTTP: 'z' } };
  };
  return { fn, calls };
}

describe('CredentialManager', () => {
  it('fetches once and serves the cached credentials', async () => {
    const p = provider([{ id: 'A', ttlMs: 3600_000 }]);
    const m = new CredentialManager(p.fn);
    await Promise.all([m.get(), m.get(), m.get()]);
    expect((await m.get()).accessKeyId).toBe('A');
    expect(p.calls).toHaveLength(1);
    expect(m.status()).toMatchObject({ state: 'VALID', source: 'container-credentials', refreshes: 1, failures: 0 });
  });

  it('refreshes on a timer before expiry, with forceRefresh', async () => {
    const p = provider([{ id: 'A', ttlMs: 400 }, { id: 'B', ttlMs: 3600_000 }]);
    const m = new CredentialManager(p.fn);
    m.start();
    await new Promise((r) => setTimeout(r, 350));
    expect((await m.get()).accessKeyId).toBe('B');
    expect(p.calls[1]).toEqual({ forceRefresh: true });
    m.stop();
  });

  it('reports a failure clearly, holds it briefly, and recovers', async () => {
    const p = provider([new Error('Could not load credentials from any providers'), { id: 'C', ttlMs: 3600_000 }]);
    const m = new CredentialManager(p.fn, { failureHoldMs: 100 });
    await expect(m.get()).rejects.toThrow(/could not load AWS credentials for SigV4 signing: Could not load credentials from any providers/);
    expect(m.status()).toMatchObject({ state: 'FAILED', failures: 1 });
    expect(m.healthy).toBe(false);
    await expect(m.get()).rejects.toThrow(); // held: no second fetch at once
    expect(p.calls).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 120));
    expect((await m.get()).accessKeyId).toBe('C');
    expect(m.status().state).toBe('VALID');
  });

  it('never hands out credentials that are already expired: refreshes first, then fails with the credentials message', async () => {
    const p = provider([{ id: 'OLD', ttlMs: -60_000 }, { id: 'OLD', ttlMs: -60_000 }, { id: 'NEW', ttlMs: 3600_000 }]);
    const m = new CredentialManager(p.fn, { failureHoldMs: 50 });
    await expect(m.get()).rejects.toThrow(/^could not load AWS credentials for SigV4 signing: container-credentials returned credentials that expired at /);
    expect(m.status()).toMatchObject({ state: 'EXPIRED', source: 'container-credentials', failures: 1, refreshes: 0 });
    expect(m.status().lastError?.message).toMatch(/expired at/);
    expect(m.healthy).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    await expect(m.get()).rejects.toThrow(/expired at/); // refreshed (forceRefresh), still expired
    expect(p.calls).toEqual([undefined, { forceRefresh: true }]);
    await new Promise((r) => setTimeout(r, 60));
    expect((await m.get()).accessKeyId).toBe('NEW');
    expect(m.status()).toMatchObject({ state: 'VALID', lastError: null });
  });

  it('retries failed fetches by itself once started', async () => {
    const p = provider([new Error('down'), { id: 'D', ttlMs: 3600_000 }]);
    const m = new CredentialManager(p.fn);
    m.start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(m.status()).toMatchObject({ state: 'VALID', failures: 1, refreshes: 1 });
    m.stop();
  });
});
