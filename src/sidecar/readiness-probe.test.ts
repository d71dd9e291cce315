import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runReadinessProbe } from './readiness-probe';

/** An agent admin API on a Unix socket that answers /status with `healthStatus`, recording when it was asked. */
async function agentStub(healthStatus: string): Promise<{ path: string; askedAt: number[]; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'appnet-probe-'));
  const sock = path.join(dir, 'agent.sock');
  const askedAt: number[] = [];
  const server = http.createServer((_req, res) => {
    askedAt.push(Date.now());
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ healthStatus, reasons: ['Envoy is INITIALIZING'] }));
  });
  await new Promise<void>((r) => server.listen(sock, r));
  return {
    path: sock,
    askedAt,
    close: () => new Promise<void>((r) => server.close(() => (fs.rmSync(dir, { recursive: true, force: true }), r()))),
  };
}

describe('readiness probe (-envoyReadiness)', () => {
  const stubs: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(stubs.splice(0).map((s) => s.close()));
  });

  it('keeps asking until the timeout itself: the last attempt is at the deadline, not one interval before it', async () => {
    const stub = await agentStub('UNHEALTHY');
    stubs.push(stub);
    const lines: string[] = [];
    const t0 = Date.now();
    const code = await runReadinessProbe({ admin: { mode: 'uds', path: stub.path }, intervalS: 1, timeoutS: 2, out: (l) => lines.push(l) });
    expect(code).toBe(1);
    expect(stub.askedAt).toHaveLength(3); // at once, after 1 s, after 2 s
    expect(stub.askedAt.at(-1)! - t0).toBeGreaterThanOrEqual(1950);
    expect(lines.at(-1)).toMatch(/^readiness probe: not healthy \(UNHEALTHY: Envoy is INITIALIZING\)/);
  });

  it('answers 0 as soon as the agent is HEALTHY, and makes one attempt with a timeout of 0', async () => {
    const healthy = await agentStub('HEALTHY');
    const sick = await agentStub('UNHEALTHY');
    stubs.push(healthy, sick);
    expect(await runReadinessProbe({ admin: { mode: 'uds', path: healthy.path }, intervalS: 1, timeoutS: 5, out: () => undefined })).toBe(0);
    expect(healthy.askedAt).toHaveLength(1);
    expect(await runReadinessProbe({ admin: { mode: 'uds', path: sick.path }, intervalS: 1, timeoutS: 0, out: () => undefined })).toBe(1);
    expect(sick.askedAt).toHaveLength(1);
  });
});
