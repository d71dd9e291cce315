import { describe, expect, it } from 'vitest';
import { DELTA_DISABLED_MESSAGE, answerDelta } from './delta-response';

describe('answerDelta', () => {
  it('snapshotter disabled: 409 saying ENABLE_STATS_SNAPSHOT is off, never live stats', () => {
    const a = answerDelta(undefined);
    expect(a).toEqual({ kind: 'disabled', status: 409, body: DELTA_DISABLED_MESSAGE });
    expect(DELTA_DISABLED_MESSAGE).toContain('ENABLE_STATS_SNAPSHOT is off');
  });

  it('no snapshot yet: live stats, marked as such', () => {
    expect(answerDelta({ delta: () => undefined, deltaAt: undefined })).toEqual({ kind: 'live', headers: { 'X-Appnet-Stats-Source': 'live' } });
  });

  it('a delta: rendered, with when it was computed in headers (the body is untouched)', () => {
    const at = new Date('2025-03-04T05:06:07.890Z');
    const a = answerDelta({ delta: () => [{ name: 'C', type: 'counter', samples: [{ kind: 'scalar', labels: [], value: 5 }] }], deltaAt: at });
    expect(a).toEqual({
      kind: 'delta',
      status: 200,
      body: '\n# TYPE C counter\nC 5\n',
      headers: {
        'X-Appnet-Stats-Source': 'delta',
        'X-Appnet-Stats-Delta-Computed-At': '2025-03-04T05:06:07.890Z',
        'Last-Modified': 'Tue, 04 Mar 2025 05:06:07 GMT',
      },
    });
  });
});
