import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger';
import { AdminServer, cleanPath, sendText } from './server';
import { getText } from '../../test/fixtures/relay-process';

const log = createLogger('test', 'silent');

describe('AdminServer', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'appnet-admin-'));
  const sock = path.join(dir, 'admin.sock');
  const servers: AdminServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('cleans paths like Go path.Clean', () => {
    expect(cleanPath('//status')).toBe('/status');
    expect(cleanPath('/a/../status')).toBe('/status');
    expect(cleanPath('/status/')).toBe('/status/');
    expect(cleanPath('/')).toBe('/');
  });

  it('routes exact paths on a Unix socket, 404s the rest, redirects unclean paths, rate limits, survives handler errors', async () => {
    const s = await AdminServer.start({
      listen: { mode: 'uds', path: sock },
      log,
      rateLimit: { perSecond: 1, burst: 3 },
      routes: {
        '/ok': (_q, res) => sendText(res, 200, 'fine\n'),
        '/boom': () => {
          throw new Error('handler bug');
        },
      },
    });
    servers.push(s);
    expect(fs.statSync(sock).mode & 0o777).toBe(0o660);
    expect(await getText(sock, '/nope')).toMatchObject({ status: 404, body: '404 page not found\n' });
    expect(await getText(sock, '/ok/')).toMatchObject({ status: 404 });
    const redirect = await getText(sock, '//ok?x=1');
    expect([redirect.status, redirect.headers.location]).toEqual([301, '/ok?x=1']);
    expect(await getText(sock, '/ok')).toMatchObject({ status: 200, body: 'fine\n' });
    expect(await getText(sock, '/boom')).toMatchObject({ status: 500, body: 'internal error\n' });
    expect(await getText(sock, '/ok')).toMatchObject({ status: 200 });
    const limited = await getText(sock, '/ok');
    expect(limited).toMatchObject({ status: 429, body: 'Too Many Requests\n' });
    expect(limited.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(await getText(sock, '/nope')).toMatchObject({ status: 404 }); // 404s take no token
  });

  it('listens dual-stack on [::] by default', async () => {
    const s = await AdminServer.start({ listen: { mode: 'tcp', host: '::', port: 0 }, log, routes: { '/ok': (_q, res) => sendText(res, 200, 'ok') } });
    servers.push(s);
    for (const host of ['127.0.0.1', '[::1]']) {
      const r = await fetch(`http://${host}:${s.port}/ok`);
      expect(r.status).toBe(200);
    }
  });
});
