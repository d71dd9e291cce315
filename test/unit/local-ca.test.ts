import * as http2 from 'node:http2';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeLocalCa } from '../../src/common/local-ca';

describe('makeLocalCa', () => {
  it('issues a server certificate that chains to the CA and verifies by name over real TLS', async () => {
    const ca = await makeLocalCa(['mgmt.example.test', '127.0.0.1']);
    const leaf = new X509Certificate(ca.certPem);
    expect(leaf.verify(new X509Certificate(ca.caPem).publicKey)).toBe(true);
    const server = http2.createSecureServer({ cert: ca.certPem, key: ca.keyPem });
    server.on('stream', (s) => s.respond({ ':status': 200 }, { endStream: true }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const status = await new Promise<number>((resolve, reject) => {
      const c = http2.connect(`https://127.0.0.1:${port}`, { ca: ca.caPem, servername: 'mgmt.example.test' });
      c.on('error', reject);
      const req = c.request({ ':path': '/' });
      req.on('response', (h) => {
        resolve(Number(h[':status']));
        c.close();
      });
      req.end();
    });
    expect(status).toBe(200);
    const bad = await new Promise<string>((resolve) => {
      const c = http2.connect(`https://127.0.0.1:${port}`, { ca: ca.caPem, servername: 'other.example.test' });
      c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(bad).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    server.close();
  });
});
