import type * as http from 'node:http';
import { type AdminHandler, sendJson, sendText } from '../../admin/server';
import type { Logger } from '../../common/logger';
import type { LogLevelController } from './log-level';

export interface AgentRouteDeps {
  /** The current /status document (computed by the health poller; never polls Envoy on demand). */
  status(): Record<string, unknown>;
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

function wrongMethod(res: http.ServerResponse, req: http.IncomingMessage, allowed: string): void {
  sendText(res, 405, `Invalid method [${req.method}] in request: use ${allowed}\n`, { Allow: allowed });
}

/**
 * The agent's admin API routes (§7), with the reference's rough edges filed
 * off: POST /drain_listeners works bare (the documented form, inbound only),
 * with ?inboundonly, ?graceful or both; /enableLogging takes every Envoy level.
 */
export function agentRoutes(d: AgentRouteDeps): Record<string, AdminHandler> {
  const routes: Record<string, AdminHandler> = {
    '/status': (_req, res) => sendJson(res, 200, d.status()),

    '/drain_listeners': async (req, res, url) => {
      if (req.method !== 'POST') return wrongMethod(res, req, 'POST');
      const n = bodyLength(req);
      if (n > 0) return sendText(res, 400, `Unexpected content in request. Body size [${n}]\n`);
      const keys = [...new Set(url.searchParams.keys())];
      const unknown = keys.filter((k) => k !== 'inboundonly' && k !== 'graceful');
      if (unknown.length > 0) return sendText(res, 400, `Unexpected query parameters specified in request [${unknown.join(', ')}]: use inboundonly and/or graceful\n`);
      const query = keys.length === 0 ? 'inboundonly' : keys.sort().join('&');
      try {
        const r = await d.drainEnvoy(query);
        if (r.status !== 200) throw new Error(`Envoy answered ${r.status}: ${r.body.trim()}`);
        d.log.info({ query }, 'drained Envoy listeners');
        sendText(res, 200, r.body);
      } catch (err) {
        d.log.error({ err: (err as Error).message }, 'could not drain Envoy listeners');
        sendText(res, 500, `Unable to drain Envoy listeners: ${(err as Error).message}\n`);
      }
    },

    '/enableLogging': async (req, res, url) => {
      if (req.method !== 'POST') return wrongMethod(res, req, 'POST');
      const n = bodyLength(req);
      if (n > 0) return sendText(res, 400, `Unexpected content in request. Body size [${n}]\n`);
      const keys = [...new Set(url.searchParams.keys())];
      const unknown = keys.filter((k) => k !== 'level' && k !== 'permanent');
      const level = url.searchParams.get('level') ?? '';
      const permanentText = url.searchParams.get('permanent');
      if (unknown.length > 0 || level === '' || (permanentText !== null && !['true', 'false'].includes(permanentText))) {
        return sendText(res, 400, 'Invalid request: use POST /enableLogging?level=<level>[&permanent=true]\n');
      }
      try {
        const r = await d.logLevel.set(level, permanentText === 'true');
        if (r.kind === 'invalid') return sendText(res, 400, `${r.message}\n`);
        if (r.kind === 'unchanged') {
          res.writeHead(304);
          return void res.end();
        }
        d.log.info({ from: r.from, to: r.to, permanent: permanentText === 'true' }, 'changed the Envoy log level');
        sendText(res, 200, `Setting logging level from [${r.from}] to [${r.to}]\n`);
      } catch (err) {
        d.log.error({ err: (err as Error).message }, 'could not set the Envoy log level');
        sendText(res, 500, `Unable to set logging level to [${level}]: ${(err as Error).message}\n`);
      }
    },
  };
  if (d.stats) routes['/stats/prometheus'] = d.stats;
  return routes;
}
