import * as grpc from '@grpc/grpc-js';
import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialServer } from '../fixtures/cred-server';
import { ADS_PATH, openBidi, rawClient, statusOf } from '../fixtures/grpc-upstream';
import { type DaemonProcess, startRelay } from '../fixtures/relay-process';
import { TEST_CREDS, relayTestEnv, testCa } from '../fixtures/rig';
import { tmpDir } from '../fixtures/tmp';

/**
 * A raw HTTP/2 TLS server standing in for a management server that refuses
 * streams (REFUSED_STREAM: "not processed, safe to retry"), as during a GOAWAY race.
 */
describe('relay retries a refused stream once, transparently', () => {
  const dir = tmpDir('appnet-retry-');
  const creds = new CredentialServer({ ...TEST_CREDS });
  let server: http2.Http2SecureServer;
  let relay: DaemonProcess;
  let refuseNext = 0;
  const seen: Array<{ refused: boolean; body: Buffer; auth: string }> = [];

  beforeAll(async () => {
    const ca = await testCa();
    server = http2.createSecureServer({ cert: ca.certPem, key: ca.keyPem });
    server.on('stream', (stream, headers) => {
      stream.on('error', () => undefined);
      const record = { refused: refuseNext > 0, body: Buffer.alloc(0), auth: String(headers['authorization']) };
      seen.push(record);
      if (refuseNext > 0) {
        refuseNext--;
        // read what arrived so far, then refuse
        setTimeout(() => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM), 50);
        stream.on('data', (d: Buffer) => (record.body = Buffer.concat([record.body, d])));
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.on('data', (d: Buffer) => {
        record.body = Buffer.concat([record.body, d]);
        stream.write(d); // echo the framed message back
      });
      stream.on('end', () => stream.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await creds.start();
    const port = (server.address() as { port: number }).port;
    relay = await startRelay(relayTestEnv({ dir, ca, port, credentialsUrl: creds.url }));
  });
  afterAll(async () => {
    await relay?.stop('SIGKILL');
    server?.close();
    await creds.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('replays the request on a new stream and the client never notices', async () => {
    refuseNext = 1;
    const client = rawClient(`unix://${dir}/relay.sock`);
    const call = openBidi(client, ADS_PATH);
    call.write(Buffer.from('first request'));
    const echoed = await new Promise<Buffer>((r) => call.once('data', r));
    expect(echoed.toString()).toBe('first request');
    const done = statusOf(call);
    call.end();
    expect((await done).code).toBe(grpc.status.OK);
    expect(seen.map((s) => s.refused)).toEqual([true, false]);
    expect(seen[1]!.body.subarray(5).toString()).toBe('first request');
    expect(seen[1]!.auth).toMatch(/^AWS4-HMAC-SHA256 /); // signed afresh
    client.close();
  });

  it('gives up after one retry with UNAVAILABLE', async () => {
    seen.length = 0;
    refuseNext = 2;
    const client = rawClient(`unix://${dir}/relay.sock`);
    const call = openBidi(client, ADS_PATH);
    call.write(Buffer.from('x'));
    const st = await statusOf(call);
    expect(st.code).toBe(grpc.status.UNAVAILABLE);
    expect(st.details).toMatch(/refused the stream/);
    expect(seen).toHaveLength(2);
    client.close();
  });
});
