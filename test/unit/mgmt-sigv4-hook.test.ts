import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { VERDICT_HEADER, installRawHeaderVerifier, readVerdict } from '../../src/mgmt/sigv4-hook';

function md(value?: unknown): grpc.Metadata {
  const m = new grpc.Metadata();
  if (value !== undefined) m.set(VERDICT_HEADER, Buffer.from(JSON.stringify(value)).toString('base64'));
  return m;
}

describe('the raw-header SigV4 hook (grpc-js internals)', () => {
  it('treats a missing, malformed or foreign verdict as a failure, never a success', () => {
    const ok = { ok: true, accessKeyId: 'AK' };
    expect(readVerdict(md(), 't')).toMatchObject({ ok: false, reason: expect.stringMatching(/no SigV4 verdict/) });
    expect(readVerdict(md({ token: 'other', verdict: ok }), 't')).toMatchObject({ ok: false });
    expect(readVerdict(md({ token: 't', verdict: { ok: 'yes' } }), 't')).toMatchObject({ ok: false });
    const garbage = new grpc.Metadata();
    garbage.set(VERDICT_HEADER, '%%%not base64 json');
    expect(readVerdict(garbage, 't')).toMatchObject({ ok: false });
    expect(readVerdict(md({ token: 't', verdict: ok }), 't')).toEqual(ok);
    expect(readVerdict(md({ token: 't', verdict: { ok: false, reason: 'r', accessKeyId: 'AK' } }), 't')).toEqual({ ok: false, failure: 'rejected', reason: 'r', accessKeyId: 'AK' });
    expect(readVerdict(md({ token: 't', verdict: { ok: false, failure: 'unknown-key', reason: 'r', accessKeyId: 'AK' } }), 't')).toEqual({ ok: false, failure: 'unknown-key', reason: 'r', accessKeyId: 'AK' });
  });

  it('still finds Server#createHttp2Server in this grpc-js, and refuses to install without it', () => {
    expect(typeof (new grpc.Server() as unknown as { createHttp2Server?: unknown }).createHttp2Server).toBe('function');
    const notAServer = {} as unknown as grpc.Server;
    expect(() => installRawHeaderVerifier(notAServer, () => ({ ok: true, accessKeyId: 'x' }))).toThrow(/createHttp2Server is missing|no longer has/);
  });
});
