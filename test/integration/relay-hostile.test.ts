import * as http2 from 'node:http2';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ADS_PATH, openBidi } from '../fixtures/grpc-upstream';
import { FRAME, H2_PREFACE, h2Frame, parseFrames, rawConnect } from '../fixtures/raw-bytes';
import { Rig } from '../fixtures/rig';
import { waitFor } from '../fixtures/tmp';

/** The relay gives a client this long to finish the HTTP/2 handshake (preface, then ACK of its SETTINGS). */
const HANDSHAKE_MS = 5000;
/** Slack for a loaded machine. */
const SLACK_MS = 3000;

/** `p`, or a failure naming `what` once `ms` have passed (a hang fails the test, it does not stall it). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: still waiting after ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(t));
}

/** Open a stream, exchange one message, return both ends. */
async function exchange(rig: Rig) {
  const up = rig.upstream.nextCall();
  const call = openBidi(rig.client(), ADS_PATH);
  call.write(Buffer.from('hi'));
  const u = await up;
  const got = new Promise<Buffer>((r) => call.once('data', r));
  u.call.write(Buffer.from('ho'));
  await got;
  return { call, u };
}

async function stillRelays(live: Awaited<ReturnType<typeof exchange>>, rig: Rig): Promise<void> {
  const got = new Promise<Buffer>((r) => live.call.once('data', r));
  live.u.call.write(Buffer.from('still here'));
  expect((await got).toString()).toBe('still here');
  expect(rig.relay.proc.exitCode).toBeNull();
}

/** node:http2 as an operator's harness would use it: a header block far beyond the usual limits. */
function bigHeaderClient(socketPath: string, headerBytes: number) {
  const session = http2.connect('http://localhost', { createConnection: () => net.connect(socketPath), maxSendHeaderBlockLength: 4 * 1024 * 1024 });
  session.on('error', () => undefined);
  const closed = new Promise<void>((r) => session.once('close', () => r()));
  const ended = (s: http2.ClientHttp2Stream) => new Promise<void>((r) => (s.on('error', () => r()), s.once('close', () => r())));
  const big = session.request({ ':method': 'POST', ':path': ADS_PATH, 'content-type': 'application/grpc', 'x-big': 'a'.repeat(headerBytes) });
  const second = session.request({ ':method': 'POST', ':path': ADS_PATH, 'content-type': 'application/grpc' });
  big.end();
  return { closed, streamsEnded: Promise.all([ended(big), ended(second)]) };
}

describe('relay against hostile connections', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('refuses a huge header block and closes the connection, whatever its size (second stream included)', async () => {
    rig = await Rig.start();
    const live = await exchange(rig);
    const huge = bigHeaderClient(rig.socket, 1024 * 1024);
    const large = bigHeaderClient(rig.socket, 300 * 1024);
    await within(large.closed, SLACK_MS, '300 KB header: connection closed');
    await within(large.streamsEnded, SLACK_MS, '300 KB header: both streams ended');
    await within(huge.closed, HANDSHAKE_MS + SLACK_MS, '1 MiB header: connection closed');
    await within(huge.streamsEnded, SLACK_MS, '1 MiB header: both streams ended');
    await stillRelays(live, rig);
  });

  it('closes the connection after a fatal protocol error, and one that never finishes its preface', async () => {
    rig = await Rig.start();
    const live = await exchange(rig);
    const garbage = await rawConnect(rig.socket);
    garbage.socket.write(Buffer.concat([H2_PREFACE, h2Frame(FRAME.SETTINGS, 0, 0), Buffer.alloc(64 * 1024, 0xa5)]));
    const partial = await rawConnect(rig.socket);
    partial.socket.write(H2_PREFACE.subarray(0, 10));
    const silent = await rawConnect(rig.socket);
    const cases = { garbage, partial, silent };
    for (const [name, c] of Object.entries(cases)) await within(c.closed, HANDSHAKE_MS + SLACK_MS, `${name}: connection closed by the relay`);
    const goaway = parseFrames(garbage.received()).find((f) => f.type === FRAME.GOAWAY);
    expect(goaway?.errorCode).toBe(6); // FRAME_SIZE_ERROR: the refusal came first
    await stillRelays(live, rig);
  });

  it('closes a connection that turns to garbage after a good handshake (found by the keepalive PING), and keeps good idle clients', async () => {
    rig = await Rig.start({ relayEnv: { RELAY_KEEPALIVE_INTERVAL: '500ms', RELAY_KEEPALIVE_TIMEOUT: '1s' } });
    const live = await exchange(rig);
    const c = await rawConnect(rig.socket);
    c.socket.write(Buffer.concat([H2_PREFACE, h2Frame(FRAME.SETTINGS, 0, 0)]));
    await waitFor(() => parseFrames(c.received()).some((f) => f.type === FRAME.SETTINGS && f.flags === 0), 3000, "the relay's SETTINGS");
    c.socket.write(Buffer.concat([h2Frame(FRAME.SETTINGS, 1, 0), h2Frame(FRAME.PING, 0, 0, Buffer.alloc(8))]));
    await waitFor(() => parseFrames(c.received()).some((f) => f.type === FRAME.PING && f.flags === 1), 3000, 'a PING acknowledgement');
    c.socket.write(Buffer.alloc(64 * 1024, 0xa5));
    await within(c.closed, 1500 + SLACK_MS, 'connection closed by the relay');
    expect(parseFrames(c.received()).some((f) => f.type === FRAME.GOAWAY)).toBe(true);
    // An idle, well-behaved client answers the PINGs and is left alone.
    await new Promise((r) => setTimeout(r, 2000));
    await stillRelays(live, rig);
  });
});
