import type * as http from 'node:http';
import { type AdminHandler, sendJson, sendText } from '../../admin/server';
import type { Logger } from '../../common/logger';
import type { AgentStatus } from '../../common/contracts/agent-status';
import type { LogLevelController } from './log-level';
import { goQueryValues, sendReferenceError } from './reference-text';

export interface AgentRouteDeps {
  /** The current /status document (computed by the health poller; never polls Envoy on demand). */
  status(): AgentStatus;
  /** GET /metrics: the agent's own Prometheus metrics (an appnet addition; Envoy's are /stats/prometheus). */
  metrics?(): Promise<string>;
  /** POST /drain_listeners?<query> to Envoy (retrying client); rejects on failure. */
  drainEnvoy(query: string): Promise<{ status: number; body: string }>;
  logLevel: LogLevelController;
  /** GET /stats/prometheus, when wired. */
  stats?: AdminHandler;
  log: Logger;
}

function bodyLength(req: http.IncomingMessage): number {
  return Number(req.headers['content-length'] ?? 0) || 0;
}

/** 405 (HTTP's answer, where the reference says 400) with the reference's message first. */
function wrongMethod(res: http.ServerResponse, referenceLine: string, allowed: string): void {
  sendReferenceError(res, 405, referenceLine, `use ${allowed}`, { Allow: allowed });
}

/**
 * The agent's admin API routes (docs/reference-agent/status-and-admin.md#the-admin-api),
 * with the reference's rough edges filed off: POST /drain_listeners works bare (the
 * documented form, inbound only), with ?inboundonly, ?graceful or both; /enableLogging
 * takes every Envoy level. Error bodies start with the reference's line, word for word.
 */
export function agentRoutes(d: AgentRouteDeps): Record<string, AdminHandler> {
  const routes: Record<string, AdminHandler> = {
    '/status': (_req, res) => sendJson(res, 200, d.status()),

    '/metrics': async (req, res) => {
      if (!d.metrics) return sendText(res, 404, 'no metrics\n');
      if (req.method !== 'GET') return wrongMethod(res, `Invalid method [${req.method}] in request`, 'GET');
      sendText(res, 200, await d.metrics(), { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    },

    '/drain_listeners': async (req, res, url) => {
      if (req.method !== 'POST') return wrongMethod(res, `Invalid method [${req.method}] in request`, 'POST');
      const n = bodyLength(req);
      if (n > 0) return sendText(res, 400, `Unexpected content in request. Body size [${n}]\n`);
      const keys = [...new Set(url.searchParams.keys())];
      const unknown = keys.filter((k) => k !== 'inboundonly' && k !== 'graceful');
      if (unknown.length > 0) {
        return sendReferenceError(res, 400, `Unexpected query parameters specified in request [${goQueryValues(url.searchParams)}]`, 'use inboundonly and/or graceful');
      }
      const query = keys.length === 0 ? 'inboundonly' : keys.sort().join('&');
      try {
        const r = await d.drainEnvoy(query);
        if (r.status !== 200) throw new Error(`Envoy answered ${r.status}: ${r.body.trim()}`);
        d.log.info({ query }, 'drained Envoy listeners');
        sendText(res, 200, r.body);
      } catch (err) {
        d.log.error({ err: (err as Error).message }, 'could not drain Envoy listeners');
        sendReferenceError(res, 500, 'Unable to drain Envoy listeners', (err as Error).message);
      }
    },

    '/enableLogging': async (req, res, url) => {
      if (req.method !== 'POST') return wrongMethod(res, 'Only POST requests are supported', 'POST');
      const n = bodyLength(req);
      if (n > 0) return sendReferenceError(res, 400, 'Invalid request', `unexpected content in request: body size [${n}]`);
      const keys = [...new Set(url.searchParams.keys())];
      const unknown = keys.filter((k) => k !== 'level' && k !== 'permanent');
      const level = url.searchParams.get('level') ?? '';
      const permanentText = url.searchParams.get('permanent');
      if (unknown.length > 0 || level === '' || (permanentText !== null && !['true', 'false'].includes(permanentText))) {
        return sendReferenceError(res, 400, 'Invalid request', 'use POST /enableLogging?level=<level>[&permanent=true]');
      }
      try {
        const r = await d.logLevel.set(level, permanentText === 'true');
        if (r.kind === 'invalid') return sendReferenceError(res, 400, 'Invalid log level specified', r.message);
        if (r.kind === 'unchanged') {
          res.writeHead(304);
          return void res.end();
        }
        d.log.info({ from: r.from, to: r.to, permanent: permanentText === 'true' }, 'changed the Envoy log level');
        sendText(res, 200, `Setting logging level from [${r.from}] to [${r.to}]\n`);
      } catch (err) {
        d.log.error({ err: (err as Error).message }, 'could not set the Envoy log level');
        sendReferenceError(res, 500, `Unable to set logging level to [${level}]`, (err as Error).message);
      }
    },
  };
  if (d.stats) routes['/stats/prometheus'] = d.stats;
  return routes;
}
