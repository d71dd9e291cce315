import { describe, expect, it } from 'vitest';
import { INITIAL, type LifecycleEvent, type LifecycleState, transition } from './stream-lifecycle';

function run(events: LifecycleEvent[], from: LifecycleState = INITIAL) {
  let state = from;
  const actions = [];
  for (const e of events) {
    const t = transition(state, e);
    state = t.state;
    actions.push(...t.actions);
  }
  return { state, actions };
}
const open: LifecycleEvent[] = [{ type: 'admitted' }, { type: 'connected' }, { type: 'signed' }];

describe('stream lifecycle', () => {
  it('runs the happy path and forwards the upstream trailers', () => {
    const r = run([...open, { type: 'response_headers', endStream: false }, { type: 'upstream_finished', grpcStatus: 0 }]);
    expect(r.actions.map((a) => a.type)).toEqual(['connect', 'sign', 'open_upstream', 'forward_headers', 'forward_trailers']);
    expect(r.state).toMatchObject({ phase: 'closed', outcome: 'ok', upstreamOpen: false });
  });

  it('passes a trailers-only upstream answer straight through', () => {
    const r = run([...open, { type: 'response_headers', endStream: true, grpcStatus: 16, grpcMessage: 'no auth' }]);
    expect(r.actions.at(-1)).toEqual({ type: 'forward_headers', endStream: true });
    expect(r.state).toMatchObject({ phase: 'closed', outcome: 'grpc_error', status: { code: 16, message: 'no auth' } });
  });

  it('turns an upstream failure into UNAVAILABLE: trailers-only before headers, trailers after', () => {
    const before = run([...open, { type: 'upstream_failed', message: 'reset' }]);
    expect(before.actions.slice(-2)).toEqual([
      { type: 'fail_downstream', code: 14, message: 'reset', trailersOnly: true },
      { type: 'cancel_upstream' },
    ]);
    const after = run([...open, { type: 'response_headers', endStream: false }, { type: 'upstream_failed', message: 'gone' }]);
    expect(after.actions.at(-2)).toEqual({ type: 'fail_downstream', code: 14, message: 'gone', trailersOnly: false });
    expect(after.state.outcome).toBe('upstream_reset');
  });

  it('never cancels an upstream stream that does not exist', () => {
    const r = run([{ type: 'admitted' }, { type: 'connected' }, { type: 'credentials_failed', message: 'no creds' }]);
    expect(r.actions).toEqual([{ type: 'connect' }, { type: 'sign' }, { type: 'fail_downstream', code: 14, message: 'no creds', trailersOnly: true }]);
    expect(run([{ type: 'admitted' }, { type: 'downstream_cancelled' }]).actions).toEqual([{ type: 'connect' }]);
    const down = run([{ type: 'admitted' }, { type: 'upstream_unavailable', message: 'down' }]);
    expect(down.state).toMatchObject({ outcome: 'upstream_unavailable', status: { code: 14, message: 'down' } });
  });

  it('cancels upstream when the client cancels, and ignores everything once closed', () => {
    const r = run([...open, { type: 'downstream_cancelled' }, { type: 'upstream_failed', message: 'x' }, { type: 'idle_timeout', message: 'y' }]);
    expect(r.actions.slice(3)).toEqual([{ type: 'cancel_upstream' }]);
    expect(r.state.outcome).toBe('cancelled');
  });

  it('retries a refused stream once when the request can be replayed', () => {
    const r = run([
      ...open,
      { type: 'upstream_refused', message: 'refused', replayable: true },
      { type: 'connected' },
      { type: 'signed' },
      { type: 'upstream_refused', message: 'refused again', replayable: true },
    ]);
    expect(r.actions.map((a) => a.type)).toEqual(['connect', 'sign', 'open_upstream', 'connect', 'sign', 'open_upstream', 'fail_downstream', 'cancel_upstream']);
    expect(r.state.status).toEqual({ code: 14, message: 'refused again' });
    const noReplay = run([...open, { type: 'upstream_refused', message: 'r', replayable: false }]);
    expect(noReplay.state.outcome).toBe('upstream_reset');
  });

  it('reports a stream the upstream ended without status as INTERNAL', () => {
    const r = run([...open, { type: 'response_headers', endStream: false }, { type: 'upstream_finished' }]);
    expect(r.actions.at(-2)).toMatchObject({ type: 'fail_downstream', code: 13, trailersOnly: false });
  });

  it('ignores events that do not fit the phase', () => {
    expect(transition(INITIAL, { type: 'response_headers', endStream: false }).actions).toEqual([]);
    expect(transition(INITIAL, { type: 'upstream_unavailable', message: 'x' }).actions).toEqual([]);
  });
});
