import type { Logger } from '../../common/logger';

export interface ShutdownDeps {
  /** POST /drain_listeners?graceful to Envoy; rejects on failure. */
  drain(): Promise<{ status: number; body: string }>;
  /** Downstream connections still open on Envoy's listeners (admin excluded); undefined if unknown. */
  activeConnections(): Promise<number | undefined>;
  drainWaitMs: number;
  /** Terminate Envoy: SIGTERM, SIGKILL after a bound; resolves when it is gone. */
  stopEnvoy(): Promise<void>;
  log: Logger;
  checkEveryMs?: number;
}

/** Downstream connections from a /stats?format=json map: every listener but the admin one. */
export function sumActiveConnections(stats: Map<string, number>): number {
  let n = 0;
  for (const [name, v] of stats) if (!name.startsWith('listener.admin.') && name.endsWith('.downstream_cx_active')) n += v;
  return n;
}

/**
 * SIGTERM/SIGQUIT/SIGINT: drain Envoy's listeners gracefully, wait for the
 * connections to go (at most LISTENER_DRAIN_WAIT_TIME_S; done early when none
 * are left, or when `hurry` fires), then terminate Envoy for real.
 */
export async function drainAndStop(d: ShutdownDeps, hurry: Promise<void>): Promise<'drained' | 'drain-failed'> {
  let outcome: 'drained' | 'drain-failed' = 'drained';
  try {
    const r = await d.drain();
    if (r.status !== 200) throw new Error(`Envoy answered ${r.status}`);
    d.log.info({ waitS: d.drainWaitMs / 1000 }, 'draining Envoy listeners');
    await waitForDrain(d, hurry);
  } catch (err) {
    outcome = 'drain-failed';
    d.log.error({ err: (err as Error).message }, 'could not drain Envoy listeners; stopping Envoy now');
  }
  await d.stopEnvoy();
  return outcome;
}

async function waitForDrain(d: ShutdownDeps, hurry: Promise<void>): Promise<void> {
  const every = d.checkEveryMs ?? 1000;
  const deadline = Date.now() + d.drainWaitMs;
  let hurried = false;
  void hurry.then(() => (hurried = true));
  let zeroStreak = 0;
  while (!hurried && Date.now() < deadline) {
    await Promise.race([new Promise((r) => setTimeout(r, Math.min(every, Math.max(0, deadline - Date.now())))), hurry]);
    if (hurried) break;
    const n = await d.activeConnections().catch(() => undefined);
    zeroStreak = n === 0 ? zeroStreak + 1 : 0;
    if (zeroStreak >= 2) {
      d.log.info('no downstream connections left: drain done early');
      return;
    }
  }
  if (hurried) d.log.info('second signal: cutting the drain short');
}
