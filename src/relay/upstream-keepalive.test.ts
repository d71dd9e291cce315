import * as http2 from 'node:http2';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startKeepalive } from './upstream-keepalive';

/**
 * The upstream keepalive against a raw HTTP/2 peer on a real socket: a peer
 * that never acknowledges PINGs but keeps sending frames (its own PINGs, which
 * the client acknowledges) is alive; once it falls silent it is cut.
 */

const SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
const SETTINGS_ACK = Buffer.from([0, 0, 0, 4, 1, 0, 0, 0, 0]);
const ping = (n: number): Buffer => Buffer.concat([Buffer.from([0, 0, 8, 6, 0, 0, 0, 0, 0]), Buffer.alloc(8, n & 0xff)]);

describe('upstream keepalive', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanup.splice(0).reverse()) c();
  });

  it('keeps a connection that is still receiving while its PING goes unanswered, and cuts it once it falls silent', async () => {
    let peer: net.Socket | undefined;
    const server = net.createServer((s) => {
      peer = s;
      s.on('error', () => undefined);
      s.write(SETTINGS);
      s.write(SETTINGS_ACK);
      s.resume(); // reads the client's frames, answers none of its PINGs
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => server.close());
    const session = http2.connect(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    session.on('error', () => undefined);
    cleanup.push(() => session.destroy());
    await new Promise<void>((r) => session.once('connect', () => r()));
    const reasons: string[] = [];
    const stop = startKeepalive(session, 50, 300, (why) => reasons.push(why));
    cleanup.push(stop);
    // The peer sends a frame every 10 ms 1.5 s: five keepalive timeouts' worth.
    const sentAll = new Promise<void>((resolve) => {
      let n = 0;
      const t = setInterval(() => {
        peer?.write(ping(++n));
        if (n >= 150) {
          clearInterval(t);
          resolve();
        }
      }, 10);
      cleanup.push(() => clearInterval(t));
    });
    await sentAll;
    expect(reasons).toEqual([]);
    expect(session.destroyed).toBe(false);
    // Silent now: the next unanswered PING cuts the connection.
    await new Promise<void>((r) => (session.destroyed ? r() : session.once('close', () => r())));
    expect(reasons).toEqual(['keepalive: no PING acknowledgement within 300ms']);
  });
});
