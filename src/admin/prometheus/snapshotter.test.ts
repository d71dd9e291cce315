import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../common/logger';
import { renderFamilies } from './render';
import { StatsSnapshotter, type SnapshotterLog } from './snapshotter';

const counter = (v: number, labels = '{Mesh="m"}'): string =>
  `# TYPE envoy_appmesh_RequestCount counter\nenvoy_appmesh_RequestCount${labels} ${v}\n# TYPE envoy_server_live gauge\nenvoy_server_live 1\n`;
const rendered = (v: number): string => `\n# TYPE RequestCount counter\nRequestCount{Mesh="m"} ${v}\n`;

function fakeLog() {
  return { debug: vi.fn(), warn: vi.fn(), error: vi.fn() } satisfies SnapshotterLog;
}

/** A fetch that answers from a queue of bodies (or errors). */
function queue(...answers: Array<string | Error>) {
  return vi.fn(async () => {
    const a = answers.shift();
    if (a === undefined) throw new Error('no more answers');
    if (a instanceof Error) throw a;
    return a;
  });
}

function deferred() {
  let resolve!: (body: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  return { promise, resolve };
}

const delta = (s: StatsSnapshotter): string | undefined => {
  const d = s.delta();
  return d && renderFamilies(d);
};

describe('StatsSnapshotter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2025-01-01T00:00:00.000Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a pino logger fits', () => {
    const log: SnapshotterLog = createLogger('test', 'silent');
    expect(() => new StatsSnapshotter({ fetch: async () => '', log })).not.toThrow();
    expect(() => new StatsSnapshotter({ fetch: async () => '', log, intervalMs: 0 })).toThrow(RangeError);
  });

  it('snapshots every 60 s, the first 60 s after start, and keeps the latest delta with its time', async () => {
    const fetch = queue(counter(0), counter(5), counter(5) + 'envoy_appmesh_RequestCount{Mesh="n"} 5\n');
    const s = new StatsSnapshotter({ fetch, log: fakeLog() });
    s.start();
    s.start(); // idempotent
    await vi.advanceTimersByTimeAsync(59_999);
    expect(fetch).not.toHaveBeenCalled();
    expect(s.delta()).toBeUndefined();
    expect(s.deltaAt).toBeUndefined();

    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(delta(s)).toBe(rendered(0));
    expect(s.deltaAt).toEqual(new Date('2025-01-01T00:01:00.000Z'));

    await vi.advanceTimersByTimeAsync(60_000);
    expect(delta(s)).toBe(rendered(5));
    expect(s.deltaAt).toEqual(new Date('2025-01-01T00:02:00.000Z'));

    await vi.advanceTimersByTimeAsync(60_000);
    expect(delta(s)).toBe('\n# TYPE RequestCount counter\nRequestCount{Mesh="m"} 0\nRequestCount{Mesh="n"} 5\n');

    s.stop();
    s.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('Envoy restart: 10 -> 20 gives 10; after discardSnapshot the delta is kept until 5 gives 5 (not -15); then 8 gives 3', async () => {
    const s = new StatsSnapshotter({ fetch: queue(counter(10), counter(20), counter(5), counter(8)), log: fakeLog(), intervalMs: 1000 });
    s.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(delta(s)).toBe(rendered(10));
    const at = s.deltaAt;
    s.discardSnapshot();
    expect(delta(s)).toBe(rendered(10));
    expect(s.deltaAt).toBe(at);
    await vi.advanceTimersByTimeAsync(1000);
    expect(delta(s)).toBe(rendered(5));
    await vi.advanceTimersByTimeAsync(1000);
    expect(delta(s)).toBe(rendered(3));
    s.stop();
  });

  it('logs and skips failed fetches, unparsable bodies and inconsistent sets; previous snapshot and delta stay', async () => {
    const log = fakeLog();
    const fetch = queue(
      counter(1),
      new Error('connect ENOENT /tmp/envoy_admin.sock'),
      'envoy_appmesh_RequestCount{Mesh="m" 3\n',
      counter(2) + 'envoy_appmesh_RequestCount{Mesh="m"} 2\n',
      counter(4),
    );
    const s = new StatsSnapshotter({ fetch, log });
    expect(await s.snapshot()).toBe('stored');
    expect(await s.snapshot()).toBe('fetch-failed');
    expect(log.warn).toHaveBeenLastCalledWith({ err: expect.any(Error) }, 'stats snapshot skipped: fetching stats from Envoy failed');
    expect(await s.snapshot()).toBe('parse-failed');
    expect(String(log.warn.mock.lastCall?.[0].err)).toContain('line 1: ');
    expect(await s.snapshot()).toBe('parse-failed');
    expect(String(log.warn.mock.lastCall?.[0].err)).toContain('duplicate label set RequestCount{Mesh="m"}');
    expect(delta(s)).toBe(rendered(1));
    expect(await s.snapshot()).toBe('stored');
    expect(delta(s)).toBe(rendered(3));
  });

  it('drops a snapshot whose fetch was under way when Envoy restarted; the next one counts as the first', async () => {
    const slow = deferred();
    const fetch = vi.fn().mockResolvedValueOnce(counter(10)).mockReturnValueOnce(slow.promise).mockResolvedValueOnce(counter(2));
    const log = fakeLog();
    const s = new StatsSnapshotter({ fetch, log });
    await s.snapshot();
    const pending = s.snapshot();
    s.discardSnapshot();
    slow.resolve(counter(30)); // the old Envoy's numbers
    expect(await pending).toBe('discarded');
    expect(delta(s)).toBe(rendered(10));
    expect(await s.snapshot()).toBe('stored');
    expect(delta(s)).toBe(rendered(2));
  });

  it('never overlaps: a tick during a running snapshot is skipped; snapshot() joins the running one', async () => {
    const slow = deferred();
    const fetch = vi.fn().mockReturnValueOnce(slow.promise).mockResolvedValue(counter(7));
    const log = fakeLog();
    const s = new StatsSnapshotter({ fetch, log, intervalMs: 1000 });
    s.start();
    await vi.advanceTimersByTimeAsync(2500);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(log.debug).toHaveBeenCalledWith({}, 'stats snapshot skipped: the previous one is still running');
    const joined = s.snapshot();
    expect(fetch).toHaveBeenCalledTimes(1);
    slow.resolve(counter(4));
    expect(await joined).toBe('stored');
    expect(delta(s)).toBe(rendered(4));
    await vi.advanceTimersByTimeAsync(500);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(delta(s)).toBe(rendered(3));
    s.stop();
  });

  it('a snapshot under way when stopped is not stored', async () => {
    const slow = deferred();
    const s = new StatsSnapshotter({ fetch: () => slow.promise, log: fakeLog() });
    const pending = s.snapshot();
    s.stop();
    slow.resolve(counter(1));
    expect(await pending).toBe('discarded');
    expect(s.delta()).toBeUndefined();
  });

  it('logs summary and untyped metrics as left out of the delta', async () => {
    const log = fakeLog();
    const body = counter(1) + 'envoy_appmesh_Untyped{a="1"} 1\nenvoy_appmesh_Untyped{a="2"} 1\n';
    const s = new StatsSnapshotter({ fetch: async () => body, log });
    expect(await s.snapshot()).toBe('stored');
    expect(delta(s)).toBe(rendered(1));
    expect(log.error).toHaveBeenCalledWith(
      { families: ['Untyped (untyped)'], samples: 2 },
      'stats delta: summary and untyped metrics have no delta; left out',
    );
  });
});
