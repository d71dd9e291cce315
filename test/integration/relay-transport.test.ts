import * as grpc from '@grpc/grpc-js';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADS_PATH, BULK_PATH, LRS_PATH, openBidi, statusOf } from '../fixtures/grpc-upstream';
import { DOMAIN, Rig, TEST_CREDS } from '../fixtures/rig';
import { getJson, getText } from '../fixtures/relay-process';
import { waitFor } from '../fixtures/tmp';

describe('relay transport (grpc-js client -> relay socket -> TLS grpc-js upstream)', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start();
  });
  afterAll(() => rig?.close());

  it('creates its socket with mode 0600', () => {
    expect(fs.statSync(rig.socket).mode & 0o777).toBe(0o600);
  });

  it('forwards messages both ways, signs with SigV4 and rewrites :authority', async () => {
    const up = rig.upstream.nextCall();
    const md = new grpc.Metadata();
    md.set('x-envoy-foo', 'bar');
    md.set('custom-header', 'v1');
    const call = openBidi(rig.client(), ADS_PATH, md);
    call.write(Buffer.from('ping'));
    const u = await up;
    await waitFor(() => u.received.length === 1);
    expect(u.received[0]!.toString()).toBe('ping');
    const got = new Promise<Buffer>((r) => call.once('data', r));
    u.call.write(Buffer.from('pong'));
    expect((await got).toString()).toBe('pong');

    const h = u.raw;
    expect(h[':authority']).toBe(DOMAIN);
    expect(h[':scheme']).toBe('https');
    expect(h[':path']).toBe(ADS_PATH);
    expect(h['host']).toBeUndefined();
    const auth = String(h['authorization']);
    expect(auth).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${TEST_CREDS.accessKeyId}/\\d{8}/us-west-2/appmesh/aws4_request, SignedHeaders=`));
    const signed = /SignedHeaders=([^,]+)/.exec(auth)![1]!.split(';');
    expect(signed).toEqual(expect.arrayContaining(['host', 'content-type', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'custom-header']));
    expect(signed).not.toContain('x-envoy-foo');
    expect(signed).not.toContain('te');
    expect(h['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(h['x-amz-security-token']).toBe(TEST_CREDS.sessionToken);
    expect(h['x-envoy-foo']).toBe('bar');
    expect(h['custom-header']).toBe('v1');

    const done = statusOf(call);
    const trailer = new grpc.Metadata();
    trailer.set('x-trailer', 't1');
    u.call.end(trailer);
    call.end();
    const st = await done;
    expect(st.code).toBe(grpc.status.OK);
    expect(st.metadata.get('x-trailer')).toEqual(['t1']);
  });

  it('passes trailers-only error responses with their status and message', async () => {
    const up = rig.upstream.nextCall();
    const call = openBidi(rig.client(), ADS_PATH);
    call.write(Buffer.from('x'));
    const u = await up;
    u.call.emit('error', { code: grpc.status.FAILED_PRECONDITION, details: 'boom: ünïcode %20 stays' });
    const st = await statusOf(call);
    expect(st.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(st.details).toBe('boom: ünïcode %20 stays');
  });

  it('propagates a client cancel upstream', async () => {
    const up = rig.upstream.nextCall();
    const call = openBidi(rig.client(), ADS_PATH);
    call.write(Buffer.from('x'));
    const u = await up;
    call.cancel();
    await waitFor(() => u.cancelled, 5000, 'upstream to see the cancel');
  });

  it('relays any path (LRS, custom services) and messages of 20 MiB both ways', async () => {
    for (const path of [LRS_PATH, BULK_PATH]) {
      const up = rig.upstream.nextCall();
      const call = openBidi(rig.client(), path);
      const big = Buffer.alloc(20 * 1024 * 1024, 7);
      big.write('head');
      call.write(big);
      const u = await up;
      expect(u.path).toBe(path);
      await waitFor(() => u.received.length === 1, 10_000, '20 MiB request');
      expect(u.received[0]!.length).toBe(big.length);
      const got = new Promise<Buffer>((r) => call.once('data', r));
      u.call.write(big);
      const back = await got;
      expect(back.length).toBe(big.length);
      expect(back.subarray(0, 4).toString()).toBe('head');
      const done = statusOf(call);
      u.call.end();
      call.end();
      expect((await done).code).toBe(grpc.status.OK);
    }
  });

  it('answers grpc.health.v1 on its own socket', async () => {
    const client = rig.client();
    const check = (service: string) =>
      new Promise<{ err: grpc.ServiceError | null; status?: number }>((resolve) => {
        const req = Buffer.from(service === '' ? [] : [0x0a, service.length, ...Buffer.from(service)]);
        client.makeUnaryRequest('/grpc.health.v1.Health/Check', (b: Buffer) => b, (b: Buffer) => b, req, (err, res) => {
          resolve({ err, ...(res ? { status: res.length >= 2 ? res[1] : 0 } : {}) });
        });
      });
    expect(await check('')).toEqual({ err: null, status: 1 });
    expect(await check('upstream')).toEqual({ err: null, status: 1 });
    const unknown = await check('nope');
    expect(unknown.err?.code).toBe(grpc.status.NOT_FOUND);
  });

  it('reports streams and upstream state in /status', async () => {
    const up = rig.upstream.nextCall();
    const call = openBidi(rig.client(), BULK_PATH);
    call.write(Buffer.from('hello'));
    await up;
    const st = await rig.waitForStatus((s) => s.activeStreams.some((x: any) => x.path === BULK_PATH && x.bytes.fromClient === 10));
    expect(st.healthStatus).toBe('HEALTHY');
    expect(st.upstream).toMatchObject({ state: 'CONNECTED', domain: DOMAIN, tls: true });
    expect(st.credentials).toMatchObject({ state: 'VALID', source: 'container-credentials' });
    expect(JSON.stringify(st)).not.toContain(TEST_CREDS.secretAccessKey);
    expect(JSON.stringify(st)).not.toContain(TEST_CREDS.sessionToken);
    expect(st.listener).toMatchObject({ path: rig.socket, listening: true, mode: '0600' });
    const summary = (await getJson(rig.adminSocket, '/status?summary')).body;
    expect(summary.activeStreams).toEqual([]);
    expect(summary.streams.active).toBe(st.streams.active);
    expect(summary.upstream.state).toBe('CONNECTED');
    call.cancel();
  });

  it('serves Prometheus metrics that count what went by', async () => {
    const r = await getText(rig.adminSocket, '/stats/prometheus');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    const value = (name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(r.body)?.[1]);
    expect(value('appnet_relay_upstream_connected')).toBe(1);
    expect(value('appnet_relay_upstream_connects_total')).toBeGreaterThanOrEqual(1);
    expect(value('appnet_relay_credential_refreshes_total')).toBeGreaterThanOrEqual(1);
    expect(value('appnet_relay_streams_total{outcome="ok"}')).toBeGreaterThanOrEqual(2);
    expect(value('appnet_relay_streams_total{outcome="cancelled"}')).toBeGreaterThanOrEqual(1);
    expect(value('appnet_relay_bytes_total{direction="upstream_to_downstream"}')).toBeGreaterThan(40 * 1024 * 1024);
    expect(value('appnet_relay_messages_total{direction="downstream_to_upstream"}')).toBeGreaterThanOrEqual(5);
    expect(r.body).toContain('appnet_relay_message_size_bytes_bucket{le="33554432",direction="upstream_to_downstream"}');
    expect(r.body).toContain('appnet_relay_stream_duration_seconds_count{outcome="ok"}');
    expect(r.body).toContain('appnet_relay_streams_active');
    expect((await getText(rig.adminSocket, '/stats/prometheus', 'POST')).status).toBe(405);
  });

  it('turns an upstream that dies mid-stream into UNAVAILABLE with trailers, not a bare reset', async () => {
    const up = rig.upstream.nextCall();
    const call = openBidi(rig.client(), ADS_PATH);
    call.write(Buffer.from('x'));
    const u = await up;
    const first = new Promise<Buffer>((r) => call.once('data', r));
    u.call.write(Buffer.from('first'));
    await first; // response headers went downstream: the failure must come as trailers
    const done = statusOf(call);
    rig.upstream.forceClose();
    const st = await done;
    expect(st.code).toBe(grpc.status.UNAVAILABLE);
    expect(st.details).toMatch(/^relay: connection to the management server was lost/);
  });
});
