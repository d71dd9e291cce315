import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getText } from '../../../test/fixtures/relay-process';
import { AdminServer } from '../../admin/server';
import { createLogger } from '../../common/logger';
import { LogLevelController } from './log-level';
import { agentRoutes } from './routes';
import { statsRoute } from './stats-route';

const log = createLogger('test', 'silent');
const firstLine = (body: string) => body.split('\n')[0];

/**
 * The agent's routes on a real admin server, with an Envoy that fails on
 * purpose: every error body starts with the reference's line, exactly (scripts
 * and runbooks match on it); details, if any, come on the lines after it.
 */
describe('agent admin API: error bodies keep the reference first line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'appnet-routes-'));
  const sock = path.join(dir, 'agent.sock');
  let server: AdminServer;
  let prometheusText = '';
  beforeAll(async () => {
    const envoyDown = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9901'));
    server = await AdminServer.start({
      listen: { mode: 'uds', path: sock },
      log,
      rateLimit: { perSecond: 1000, burst: 1000 },
      routes: agentRoutes({
        status: () => ({ healthStatus: 'HEALTHY', agentUptime: '1s', envoyPid: '0', envoyState: 'UNKNOWN', envoyRestartCount: '0', envoyReadinessState: 'NOT_INITIALIZED', reasons: [] }),
        drainEnvoy: envoyDown,
        logLevel: new LogLevelController({ baseline: 'info', resetAfterMs: 60_000, apply: envoyDown }),
        stats: statsRoute({ fetchLive: async () => prometheusText, snapshotter: async () => undefined, log }),
        log,
      }),
    });
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const req = (method: string, url: string) => getText(sock, url, method);

  it('/drain_listeners', async () => {
    const failed = await req('POST', '/drain_listeners');
    expect([failed.status, firstLine(failed.body)]).toEqual([500, 'Unable to drain Envoy listeners']);
    expect(failed.body).toContain('ECONNREFUSED'); // the detail, on the next line
    const method = await req('GET', '/drain_listeners');
    expect([method.status, firstLine(method.body)]).toEqual([405, 'Invalid method [GET] in request']);
    const query = await req('POST', '/drain_listeners?everything');
    expect([query.status, firstLine(query.body)]).toEqual([400, 'Unexpected query parameters specified in request [map[everything:[]]]']);
    const two = await req('POST', '/drain_listeners?b=2&a=1&a=3');
    expect(firstLine(two.body)).toBe('Unexpected query parameters specified in request [map[a:[1 3] b:[2]]]');
  });

  it('/enableLogging', async () => {
    const failed = await req('POST', '/enableLogging?level=debug');
    expect([failed.status, firstLine(failed.body)]).toEqual([500, 'Unable to set logging level to [debug]']);
    expect(failed.body).toContain('ECONNREFUSED');
    for (const url of ['/enableLogging?level=debug&extra=1', '/enableLogging', '/enableLogging?permanent=true', '/enableLogging?level=debug&permanent=maybe']) {
      const bad = await req('POST', url);
      expect([url, bad.status, firstLine(bad.body)]).toEqual([url, 400, 'Invalid request']);
    }
    const level = await req('POST', '/enableLogging?level=loud');
    expect([level.status, firstLine(level.body)]).toEqual([400, 'Invalid log level specified']);
    expect(level.body).toContain('trace, debug, info');
    const method = await req('GET', '/enableLogging?level=debug');
    expect([method.status, firstLine(method.body)]).toEqual([405, 'Only POST requests are supported']);
  });

  it('/stats/prometheus', async () => {
    prometheusText = 'this is { not prometheus\n';
    const parse = await req('GET', '/stats/prometheus?filter=metrics_extension');
    expect(parse.status).toBe(500);
    expect(firstLine(parse.body)).toMatch(/^error processing prometheus stats: error parsing prometheus stats: text format parsing error in line 1: /);
    prometheusText = '# TYPE envoy_appmesh_X counter\nenvoy_appmesh_X 1\n';
    const ok = await req('GET', '/stats/prometheus?filter=metrics_extension');
    expect([ok.status, ok.headers['content-type']]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8']);
    const method = await req('POST', '/stats/prometheus');
    expect([method.status, firstLine(method.body)]).toEqual([405, 'invalid method [POST] in request']);
  });
});
