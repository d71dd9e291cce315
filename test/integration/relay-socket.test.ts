import type * as grpc from '@grpc/grpc-js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADS_PATH, openBidi } from '../fixtures/grpc-upstream';
import { Rig } from '../fixtures/rig';

/** Open a stream on `client`, exchange one message, return both ends. */
async function exchange(rig: Rig, client: grpc.Client) {
  const up = rig.upstream.nextCall();
  const call = openBidi(client, ADS_PATH);
  call.write(Buffer.from('hi'));
  const u = await up;
  const got = new Promise<Buffer>((r) => call.once('data', r));
  u.call.write(Buffer.from('ho'));
  await got;
  return { call, u };
}

/** grpc.health.v1 Check for the relay itself (service ""), on an existing connection. */
function relayServing(client: grpc.Client): Promise<number | undefined> {
  return new Promise((resolve) =>
    client.makeUnaryRequest('/grpc.health.v1.Health/Check', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (err, res) => resolve(err ? undefined : res?.[1])),
  );
}

describe('the relay socket removed while the relay runs', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('says so in /status (UNHEALTHY, naming the socket), keeps existing streams, and re-creates the socket when its directory is back', async () => {
    rig = await Rig.start({ socketSubdir: 'xds' });
    const connected = rig.client();
    const live = await exchange(rig, connected);
    expect((await rig.status()).healthStatus).toBe('HEALTHY');

    const dir = path.dirname(rig.socket);
    fs.rmSync(dir, { recursive: true, force: true });
    const s = await rig.status();
    expect(s.healthStatus).toBe('UNHEALTHY');
    expect(s.reasons.join(' ')).toContain(`${rig.socket} is missing`);
    expect(s.listener).toMatchObject({ listening: false, socket: 'MISSING' });
    expect(await relayServing(connected)).toBe(2); // NOT_SERVING: no new client can connect
    // Streams already open are not affected.
    const got = new Promise<Buffer>((r) => live.call.once('data', r));
    live.u.call.write(Buffer.from('still here'));
    expect((await got).toString()).toBe('still here');

    fs.mkdirSync(dir);
    const back = await rig.waitForStatus((x) => x.healthStatus === 'HEALTHY', 5000, 'the socket re-created');
    expect(back.listener).toMatchObject({ listening: true, socket: 'PRESENT' });
    expect(fs.statSync(rig.socket).mode & 0o777).toBe(0o600);
    await exchange(rig, rig.client()); // a new client gets in
  });

  it('never takes over a path that another file now occupies', async () => {
    rig = await Rig.start({ socketSubdir: 'xds' });
    fs.rmSync(rig.socket);
    fs.writeFileSync(rig.socket, 'not ours');
    const s = await rig.status();
    expect(s.healthStatus).toBe('UNHEALTHY');
    expect(s.reasons.join(' ')).toContain(`${rig.socket} was replaced`);
    await new Promise((r) => setTimeout(r, 1500)); // a few checks later
    expect(fs.readFileSync(rig.socket, 'utf8')).toBe('not ours');
    await rig.relay.stop('SIGTERM');
    expect(fs.readFileSync(rig.socket, 'utf8')).toBe('not ours'); // not unlinked on the way out either
  });
});
