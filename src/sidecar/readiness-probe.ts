import * as http from 'node:http';
import type { AdminListen } from '../admin/config';

export interface ProbeOptions {
  admin: AdminListen | undefined;
  intervalS: number;
  /** 0 = one attempt; negative = keep trying. */
  timeoutS: number;
  out: (line: string) => void;
}

function getStatus(admin: AdminListen, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const target = admin.mode === 'uds' ? { socketPath: admin.path } : { host: admin.host === '::' ? '::1' : admin.host, port: admin.port };
    const req = http.get({ ...target, path: '/status', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`/status answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/**
 * `appnet-agent -envoyReadiness`
 * (docs/reference-agent/status-and-admin.md#the-readiness-probe): asks the running agent's
 * /status until it says HEALTHY. Works with the admin API on TCP or a Unix socket, has no
 * side effects (no bootstrap, no log file), tries at once, and treats an interval of 0 as a
 * single attempt. Returns the exit code: 0 healthy, 1 otherwise.
 */
export async function runReadinessProbe(o: ProbeOptions): Promise<number> {
  if (!o.admin) {
    o.out('readiness probe: APPNET_AGENT_ADMIN_MODE is not set, so the agent serves no /status to ask');
    return 1;
  }
  const once = o.timeoutS === 0 || o.intervalS <= 0;
  const deadline = o.timeoutS > 0 ? Date.now() + o.timeoutS * 1000 : Infinity;
  let last = '';
  for (;;) {
    try {
      const doc = JSON.parse(await getStatus(o.admin, 2000)) as { healthStatus?: string; reasons?: string[] };
      if (doc.healthStatus === 'HEALTHY') {
        o.out('readiness probe: HEALTHY');
        return 0;
      }
      last = `${doc.healthStatus ?? 'no healthStatus'}${doc.reasons?.length ? `: ${doc.reasons.join('; ')}` : ''}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (once) break;
    // Every interval until the timeout itself: the last wait is cut to the deadline and
    // a last attempt is made there (stopping when a full interval no longer fits would
    // give up one interval early).
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((r) => setTimeout(r, Math.min(o.intervalS * 1000, left)));
  }
  o.out(`readiness probe: not healthy (${last})`);
  return 1;
}
