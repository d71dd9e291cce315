import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceCodec } from '../../src/mgmt/resource-codec';
import { translationCheck } from '../../src/mgmt/appmesh/source';
import { EtcdBackend } from '../../src/mgmt/appmesh/state/etcd-backend';
import type { ModelStore } from '../../src/mgmt/appmesh/state/model-store';
import { openModelStore } from '../../src/mgmt/appmesh/state/open-store';
import { http2Targets, seedDocument } from '../fixtures/appmesh-seed';
import { callOperation, testClock } from '../fixtures/control-plane';
import { EtcdProcess } from '../fixtures/etcd-process';
import { waitFor } from '../fixtures/tmp';

/**
 * The etcd store with a real etcd (Debian's etcd-server): two stores (as two
 * replicas would hold them) over one key; a change made through one reaches
 * the other by the watch; concurrent changes through both lose nothing; with
 * etcd down, writes are refused with a typed error and reads go on.
 */

const codec = new ResourceCodec();
const ROUTE = { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' };
const weights = (s: ModelStore) => s.model.routes.find((r) => r.name === 'serviceB')!.targets.map((t) => t.weight);

describe('the etcd store (real etcd)', () => {
  let etcd: EtcdProcess;
  let a: ModelStore;
  let b: ModelStore;

  beforeAll(async () => {
    etcd = await EtcdProcess.start();
    const backend = () => new EtcdBackend({ hosts: [etcd.endpoint], prefix: '/appnet-test', callTimeoutMs: 1500 });
    const check = translationCheck(codec);
    const first = await openModelStore({ backend: backend(), seed: { document: seedDocument(), source: 'seed' }, check, clock: testClock() });
    expect(first.seed).toBe('applied');
    a = first.store;
    const second = await openModelStore({ backend: backend(), seed: { document: seedDocument(), source: 'seed' }, check, clock: testClock() });
    expect(second.seed).toBe('not-applied');
    b = second.store;
    expect(b.state).toEqual(a.state);
  }, 30_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await etcd?.close();
  });

  it('passes a change made through one store to the other by the watch', async () => {
    const r = await callOperation(a, 'UpdateRoute', ROUTE, { spec: http2Targets([{ virtualNode: 'serviceB', weight: 10 }, { virtualNode: 'serviceBv2', weight: 90 }]) });
    expect(r).toMatchObject({ ok: true, answer: { body: { metadata: { version: 2 } } } });
    await waitFor(() => b.revision === a.revision, 5000, 'store B to see the change');
    expect(weights(b)).toEqual([10, 90]);
    expect(b.state).toEqual(a.state);
  });

  it('loses no update when both stores change the same route at once', async () => {
    const start = a.state.resources.routes[0]!.version;
    const calls = Array.from({ length: 20 }, (_, i) => callOperation(i % 2 === 0 ? a : b, 'UpdateRoute', ROUTE, { spec: http2Targets([{ virtualNode: 'serviceB', weight: i }, { virtualNode: 'serviceBv2', weight: 100 - i }]) }));
    const results = await Promise.all(calls);
    const versions = results.map((r) => (r.ok ? (r.answer.body as { metadata: { version: number } }).metadata.version : r.error.type));
    expect(versions.every((v) => typeof v === 'number')).toBe(true);
    expect(new Set(versions).size).toBe(20);
    expect(Math.max(...(versions as number[]))).toBe(start + 20);
    await waitFor(() => a.revision === b.revision, 5000, 'both stores on the same revision');
    expect(a.state.resources.routes[0]!.version).toBe(start + 20);
    expect(b.state).toEqual(a.state);
  });

  it('refuses writes while etcd is down (typed, nothing changed), keeps serving the model, and writes again when it is back', async () => {
    const before = a.state;
    await etcd.stop();
    const r = await callOperation(a, 'UpdateRoute', ROUTE, { spec: http2Targets([{ virtualNode: 'serviceB', weight: 50 }, { virtualNode: 'serviceBv2', weight: 50 }]) });
    expect(r).toMatchObject({ ok: false, error: { type: 'ServiceUnavailableException', message: expect.stringMatching(/could not be stored, so nothing changed/) } });
    expect(a.state).toBe(before);
    expect(a.backend.status()).toMatchObject({ kind: 'etcd', reachable: false });
    expect(weights(a)).toEqual(weights(b));
    await etcd.launch();
    const ok = await waitFor(async () => {
      const x = await callOperation(b, 'UpdateRoute', ROUTE, { spec: http2Targets([{ virtualNode: 'serviceB', weight: 50 }, { virtualNode: 'serviceBv2', weight: 50 }]) });
      return x.ok ? x : undefined;
    }, 20_000, 'a write after etcd is back', 250);
    expect(ok.ok).toBe(true);
    // Store A sees B's write through its watch, re-established at most 2 s apart (etcd-backend.ts).
    await waitFor(() => a.revision === b.revision, 10_000, 'store A to converge after etcd is back');
    expect(weights(a)).toEqual([50, 50]);
    expect(a.backend.status()).toMatchObject({ reachable: true });
  }, 60_000);
});
