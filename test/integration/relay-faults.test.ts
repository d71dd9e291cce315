import * as grpc from '@grpc/grpc-js';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ADS_PATH, BULK_PATH, TestUpstream, openBidi, statusOf } from '../fixtures/grpc-upstream';
import { grpcFrame, grpcRequest, rawH2Session } from '../fixtures/raw-h2';
import { Rig } from '../fixtures/rig';
import { sleep, waitFor } from '../fixtures/tmp';

/** Open a stream, exchange one message, return both ends. */
async function exchange(rig: Rig, path = ADS_PATH, client = rig.client()) {
  const up = rig.upstream.nextCall();
  const call = openBidi(client, path);
  call.write(Buffer.from('hi'));
  const u = await up;
  const got = new Promise<Buffer>((r) => call.once('data', r));
  u.call.write(Buffer.from('ho'));
  await got;
  return { call, u };
}

describe('relay under faults', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('fails new streams fast with UNAVAILABLE while the upstream is down, and works again when it is back', async () => {
    rig = await Rig.start();
    const port = rig.upstream.port;
    // A health Watch on "upstream" follows the management server's state.
    const seen: number[] = [];
    const watch = rig.client().makeServerStreamRequest('/grpc.health.v1.Health/Watch', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 8, ...Buffer.from('upstream')]));
    watch.on('data', (b: Buffer) => seen.push(b[1] ?? 0));
    watch.on('error', () => undefined);
    await waitFor(() => seen[0] === 1, 3000, 'SERVING');
    rig.upstream.forceClose();
    await waitFor(() => seen.at(-1) === 2, 3000, 'NOT_SERVING');
    await rig.waitForStatus((s) => s.upstream.state !== 'CONNECTED', 5000, 'relay to notice');
    const t0 = Date.now();
    const st = await statusOf(openBidi(rig.client(), ADS_PATH));
    expect(Date.now() - t0).toBeLessThan(2500); // fast: not left hanging (grpc xDS clients would wait 15 s)
    expect(st.code).toBe(grpc.status.UNAVAILABLE);
    expect(st.details).toMatch(/management server ecs-sc\.us-west-2\.api\.aws \(127\.0\.0\.1:\d+\)/);
    const status = await rig.status();
    expect(status.healthStatus).toBe('UNHEALTHY');
    expect(status.upstream.lastError.message).toMatch(/refused|lost|closed/);

    rig.upstream = await new TestUpstream(rig.ca).start(port);
    await rig.waitForStatus((s) => s.upstream.state === 'CONNECTED', 15_000, 'reconnect');
    await exchange(rig);
    await waitFor(() => seen.at(-1) === 1, 3000, 'SERVING again');
    expect(seen).toEqual([1, 2, 1]);
    watch.cancel();
  });

  it('ends a stream idle for RELAY_STREAM_IDLE_TIMEOUT with a status that says so, and cancels upstream', async () => {
    rig = await Rig.start({ relayEnv: { RELAY_STREAM_IDLE_TIMEOUT: '600ms' } });
    const { call, u } = await exchange(rig);
    const t0 = Date.now();
    const st = await statusOf(call);
    expect(Date.now() - t0).toBeGreaterThan(400);
    expect(st.code).toBe(grpc.status.UNAVAILABLE);
    expect(st.details).toContain('RELAY_STREAM_IDLE_TIMEOUT');
    await waitFor(() => u.cancelled, 3000, 'upstream cancel');
  });

  it('keeps memory bounded when a client stops reading, and loses nothing when it resumes', async () => {
    rig = await Rig.start({ relayEnv: { RELAY_BUFFER_LIMIT_BYTES: String(4 * 1024 * 1024) } });
    const session = rawH2Session(rig.socket);
    const up = rig.upstream.nextCall();
    const req = grpcRequest(session, BULK_PATH);
    req.write(grpcFrame(Buffer.from('go')));
    const u = await up;
    await sleep(300);
    const before = rig.relay.rssKiB();
    const msg = Buffer.alloc(10 * 1024 * 1024, 1);
    const total = 30;
    let sent = 0;
    const pump = async () => {
      while (sent < total) {
        sent++;
        if (!u.call.write(msg)) await new Promise((r) => u.call.once('drain', r));
      }
      u.call.end();
    };
    void pump();
    req.pause(); // the client reads nothing
    await sleep(2500);
    const after = rig.relay.rssKiB();
    expect(sent).toBeLessThan(total); // backpressure reached the management server
    expect(after - before).toBeLessThan(40 * 1024); // a few windows, not 300 MiB
    let received = 0;
    req.on('data', (d: Buffer) => (received += d.length));
    req.resume();
    const trailers = new Promise<http2Headers>((r) => req.once('trailers', r));
    expect((await trailers)['grpc-status']).toBe('0');
    expect(received).toBe(total * (msg.length + 5));
    session.close();
  });

  it('uses rotated credentials for new streams without failing any', async () => {
    rig = await Rig.start();
    await rig.relay.stop('SIGKILL');
    rig.creds.creds = { ...rig.creds.creds, ttlMs: 2000 };
    rig.relay = await (await import('../fixtures/relay-process')).startRelay(rig.relayEnv());
    const first = await exchange(rig);
    expect(String(first.u.raw['authorization'])).toContain('Credential=AKIDTESTRELAY0001/');
    rig.creds.creds = { ...rig.creds.creds, accessKeyId: 'AKIDROTATED000002', sessionToken: 'rotated-token' };
    const rotated = await waitFor(
      async () => {
        const e = await exchange(rig!);
        e.call.cancel();
        return String(e.u.raw['authorization']).includes('Credential=AKIDROTATED000002/') ? e : undefined;
      },
      6000,
      'a stream signed with the rotated key',
    );
    expect(rotated.u.raw['x-amz-security-token']).toBe('rotated-token');
    const st = await rig.status();
    expect(st.credentials.refreshes).toBeGreaterThanOrEqual(2);
    expect(st.credentials.failures).toBe(0);
  });

  it('says clearly when credentials cannot be loaded, in the stream status and in /status', async () => {
    rig = await Rig.start();
    await rig.relay.stop('SIGKILL');
    rig.creds.failWith = 500;
    rig.relay = await (await import('../fixtures/relay-process')).startRelay(rig.relayEnv());
    const st = await statusOf(openBidi(rig.client(), ADS_PATH));
    expect(st.code).toBe(grpc.status.UNAVAILABLE);
    expect(st.details).toMatch(/^relay: could not load AWS credentials for SigV4 signing/);
    const s = await rig.status();
    expect(s.credentials.state).toBe('FAILED');
    expect(s.credentials.lastError.message).toMatch(/could not load AWS credentials/);
    expect(s.healthStatus).toBe('UNHEALTHY');
    expect(s.reasons.join(' ')).toMatch(/AWS credentials FAILED/);
  });

  it('does not sign with credentials that are already expired: UNAVAILABLE with the credentials message, nothing forwarded', async () => {
    rig = await Rig.start();
    await rig.relay.stop('SIGKILL');
    rig.creds.creds = { ...rig.creds.creds, ttlMs: -60_000 };
    rig.relay = await (await import('../fixtures/relay-process')).startRelay(rig.relayEnv());
    let forwarded = 0;
    rig.upstream.onCall = () => forwarded++;
    const st = await statusOf(openBidi(rig.client(), ADS_PATH));
    expect(st.code).toBe(grpc.status.UNAVAILABLE);
    expect(st.details).toMatch(/^relay: could not load AWS credentials for SigV4 signing: .*expired at/);
    expect(forwarded).toBe(0);
    const s = await rig.status();
    expect(s.credentials.state).toBe('EXPIRED');
    expect(s.healthStatus).toBe('UNHEALTHY');
    expect(s.reasons.join(' ')).toMatch(/AWS credentials EXPIRED: could not load AWS credentials .*expired at/);
  });

  it('on SIGTERM: stops accepting, lets streams finish, ends the rest with UNAVAILABLE after the drain time, exits 0', async () => {
    rig = await Rig.start({ relayEnv: { RELAY_DRAIN_TIMEOUT: '1s' } });
    const finishing = await exchange(rig);
    const staying = await exchange(rig);
    const stayingStatus = statusOf(staying.call);
    const finishingStatus = statusOf(finishing.call);
    const t0 = Date.now();
    rig.relay.proc.kill('SIGTERM');
    await waitFor(() => !fs.existsSync(rig!.socket), 3000, 'socket removed');
    finishing.u.call.end();
    finishing.call.end();
    expect((await finishingStatus).code).toBe(grpc.status.OK);
    const st = await stayingStatus;
    expect(st.code).toBe(grpc.status.UNAVAILABLE);
    expect(st.details).toMatch(/shutting down/);
    expect(Date.now() - t0).toBeGreaterThan(800);
    expect(await rig.relay.exited).toEqual({ code: 0, signal: null });
  });

  it('exits quickly on SIGTERM when no stream is open', async () => {
    rig = await Rig.start({ relayEnv: { RELAY_DRAIN_TIMEOUT: '20s' } });
    const t0 = Date.now();
    expect(await rig.relay.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('shrugs off HTTP/1, garbage bytes and broken HTTP/2 sessions without hurting a live stream', async () => {
    rig = await Rig.start();
    const live = await exchange(rig);
    const http1 = await new Promise<string>((resolve) => {
      const s = net.connect(rig!.socket, () => s.write('GET /status HTTP/1.1\r\nHost: x\r\n\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
    });
    expect(http1).toMatch(/^HTTP\/1.1 505/);
    for (const junk of [Buffer.from([0, 1, 2, 3, 255, 254, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]), Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.alloc(64, 0xff)])]) {
      await new Promise<void>((resolve) => {
        const s = net.connect(rig!.socket, () => s.write(junk));
        s.on('close', () => resolve());
        s.on('error', () => resolve());
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 1000);
      });
    }
    // A well-formed HTTP/2 request that is not gRPC gets a plain 415.
    const session = rawH2Session(rig.socket);
    const r = session.request({ ':method': 'GET', ':path': '/' });
    const code = await new Promise<number>((resolve) => r.on('response', (h) => resolve(Number(h[':status']))));
    expect(code).toBe(415);
    session.close();
    // The live stream still works.
    const got = new Promise<Buffer>((r2) => live.call.once('data', r2));
    live.u.call.write(Buffer.from('still here'));
    expect((await got).toString()).toBe('still here');
    expect(rig.relay.proc.exitCode).toBeNull();
  });

  it('paces new upstream streams at RELAY_MAX_NEW_STREAMS_PER_SECOND instead of stampeding', async () => {
    rig = await Rig.start({ relayEnv: { RELAY_MAX_NEW_STREAMS_PER_SECOND: '10' } });
    const arrivals: number[] = [];
    rig.upstream.onCall = () => arrivals.push(Date.now());
    const client = rig.client();
    const calls = Array.from({ length: 40 }, () => {
      const c = openBidi(client, ADS_PATH);
      c.write(Buffer.from('x'));
      return c;
    });
    await waitFor(() => arrivals.length === 40, 10_000, 'all streams to arrive');
    // burst of 20 at once, then 10/s: the 40th about 2 s after the first
    expect(arrivals[39]! - arrivals[0]!).toBeGreaterThan(1500);
    expect(arrivals[19]! - arrivals[0]!).toBeLessThan(1000);
    for (const c of calls) c.cancel();
  });

  it('gives back the admission of a stream that never reached the server (its client left while it waited)', async () => {
    // 0.1/s, burst 1: one stream at once, the next waits 10 s, the one after that (20 s) is refused at once.
    rig = await Rig.start({ relayEnv: { RELAY_MAX_NEW_STREAMS_PER_SECOND: '0.1' } });
    const client = rig.client();
    const { call: first } = await exchange(rig, ADS_PATH, client);
    const waiting = openBidi(client, ADS_PATH);
    waiting.write(Buffer.from('x'));
    await rig.waitForStatus((s) => s.streams.active === 2, 5000, 'the second stream waiting for admission');
    waiting.cancel();
    await rig.waitForStatus((s) => s.streams.active === 1, 5000, 'the waiting stream gone');
    // Its reservation was never used: the next stream waits in its place instead of being refused.
    const next = openBidi(client, ADS_PATH);
    next.write(Buffer.from('x'));
    const ended = statusOf(next);
    const st = await rig.waitForStatus((s) => s.streams.total === 3, 5000, 'the third stream to arrive');
    expect(st.streams.active).toBe(2);
    expect(st.activeStreams.map((x: { phase: string }) => x.phase)).toContain('admitting');
    next.cancel();
    expect((await ended).code).toBe(grpc.status.CANCELLED);
    first.cancel();
  });

  it('recycles the upstream connection after RELAY_MAX_CONNECTION_DURATION without cutting streams', async () => {
    rig = await Rig.start({ relayEnv: { RELAY_MAX_CONNECTION_DURATION: '1s' } });
    const old = await exchange(rig);
    const s = await rig.waitForStatus((x) => x.upstream.connects >= 2, 5000, 'a new connection');
    expect(s.upstream.drainingConnections).toBe(1);
    const got = new Promise<Buffer>((r) => old.call.once('data', r));
    old.u.call.write(Buffer.from('old stream alive'));
    expect((await got).toString()).toBe('old stream alive');
    const fresh = await exchange(rig);
    expect(fresh.u.call.getPeer()).not.toBe(old.u.call.getPeer());
  });
});

type http2Headers = Record<string, string | string[] | undefined>;
