import type { StreamPhase } from '../common/contracts/relay-status';
import { GrpcStatus } from '../common/grpc-status';

/**
 * The life of one relayed stream, as a pure state machine: socket code feeds it
 * events and carries out the actions it returns. Order: waiting for its
 * admission token (stream-admission.ts admitted it, or refused it before any
 * stream state existed), an upstream connection (fails fast while the upstream
 * is down), SigV4 signing (fresh x-amz-date right before opening), the upstream
 * stream, streaming.
 *
 * Its main job is the error
 * mapping: whatever goes wrong, the downstream client gets a real gRPC status,
 * trailers-only before response headers were sent, trailers after.
 */
export type Phase = StreamPhase;

export type Outcome =
  | 'ok'
  | 'grpc_error'
  | 'cancelled'
  | 'idle_timeout'
  | 'upstream_reset'
  | 'upstream_unavailable'
  | 'credentials_error'
  /** Refused at admission (stream-admission.ts): never a lifecycle, only counted under this outcome. */
  | 'rejected'
  | 'shutdown';

export interface LifecycleState {
  readonly phase: Phase;
  /** Response headers went downstream: errors must travel as trailers. */
  readonly headersSent: boolean;
  /** An upstream stream exists (and must be cancelled if we give up). */
  readonly upstreamOpen: boolean;
  /** A refused upstream stream was already retried once. */
  readonly retried: boolean;
  readonly outcome?: Outcome;
  /** The status the downstream got (or will get from upstream trailers). */
  readonly status?: { code: number; message: string };
}

export type LifecycleEvent =
  | { type: 'admitted' }
  | { type: 'signed' }
  | { type: 'connected' }
  | { type: 'response_headers'; endStream: boolean; grpcStatus?: number; grpcMessage?: string }
  | { type: 'upstream_finished'; grpcStatus?: number; grpcMessage?: string }
  | { type: 'upstream_refused'; message: string; replayable: boolean }
  | { type: 'upstream_failed'; message: string }
  | { type: 'downstream_cancelled' }
  | { type: 'idle_timeout'; message: string }
  | { type: 'credentials_failed'; message: string }
  | { type: 'upstream_unavailable'; message: string }
  | { type: 'shutdown'; message: string };

export type LifecycleAction =
  | { type: 'sign' }
  | { type: 'connect' }
  | { type: 'open_upstream' }
  | { type: 'forward_headers'; endStream: boolean }
  | { type: 'forward_trailers' }
  | { type: 'fail_downstream'; code: number; message: string; trailersOnly: boolean }
  | { type: 'cancel_upstream' };

export interface Transition {
  state: LifecycleState;
  actions: LifecycleAction[];
}

export const INITIAL: LifecycleState = { phase: 'admitting', headersSent: false, upstreamOpen: false, retried: false };

const stay = (state: LifecycleState): Transition => ({ state, actions: [] });

function fail(state: LifecycleState, outcome: Outcome, code: number, message: string): Transition {
  const actions: LifecycleAction[] = [{ type: 'fail_downstream', code, message, trailersOnly: !state.headersSent }];
  if (state.upstreamOpen) actions.push({ type: 'cancel_upstream' });
  return { state: { ...state, phase: 'closed', upstreamOpen: false, outcome, status: { code, message } }, actions };
}

function finished(state: LifecycleState, code: number, message: string): LifecycleState {
  return { ...state, phase: 'closed', upstreamOpen: false, outcome: code === GrpcStatus.OK ? 'ok' : 'grpc_error', status: { code, message } };
}

export function transition(state: LifecycleState, event: LifecycleEvent): Transition {
  if (state.phase === 'closed') return stay(state);
  const { phase } = state;
  switch (event.type) {
    case 'admitted':
      return phase === 'admitting' ? { state: { ...state, phase: 'connecting' }, actions: [{ type: 'connect' }] } : stay(state);
    case 'connected':
      return phase === 'connecting' ? { state: { ...state, phase: 'signing' }, actions: [{ type: 'sign' }] } : stay(state);
    case 'signed':
      return phase === 'signing'
        ? { state: { ...state, phase: 'awaiting_response', upstreamOpen: true }, actions: [{ type: 'open_upstream' }] }
        : stay(state);
    case 'response_headers':
      if (phase !== 'awaiting_response') return stay(state);
      if (event.endStream) {
        const code = event.grpcStatus ?? GrpcStatus.UNKNOWN;
        return {
          state: { ...finished(state, code, event.grpcMessage ?? ''), headersSent: true },
          actions: [{ type: 'forward_headers', endStream: true }],
        };
      }
      return { state: { ...state, phase: 'streaming', headersSent: true }, actions: [{ type: 'forward_headers', endStream: false }] };
    case 'upstream_finished':
      if (phase !== 'streaming') return stay(state);
      if (event.grpcStatus === undefined)
        return fail(state, 'upstream_reset', GrpcStatus.INTERNAL, 'relay: the management server ended the stream without a gRPC status');
      return { state: finished(state, event.grpcStatus, event.grpcMessage ?? ''), actions: [{ type: 'forward_trailers' }] };
    case 'upstream_refused':
      if (phase === 'awaiting_response' && event.replayable && !state.retried)
        return { state: { ...state, phase: 'connecting', upstreamOpen: false, retried: true }, actions: [{ type: 'connect' }] };
      return fail(state, 'upstream_reset', GrpcStatus.UNAVAILABLE, event.message);
    case 'upstream_failed':
      return fail(state, 'upstream_reset', GrpcStatus.UNAVAILABLE, event.message);
    case 'downstream_cancelled':
      return {
        state: { ...state, phase: 'closed', upstreamOpen: false, outcome: 'cancelled', status: { code: GrpcStatus.CANCELLED, message: 'cancelled by the client' } },
        actions: state.upstreamOpen ? [{ type: 'cancel_upstream' }] : [],
      };
    case 'idle_timeout':
      return fail(state, 'idle_timeout', GrpcStatus.UNAVAILABLE, event.message);
    case 'credentials_failed':
      return phase === 'signing' ? fail(state, 'credentials_error', GrpcStatus.UNAVAILABLE, event.message) : stay(state);
    case 'upstream_unavailable':
      return phase === 'connecting' ? fail(state, 'upstream_unavailable', GrpcStatus.UNAVAILABLE, event.message) : stay(state);
    case 'shutdown':
      return fail(state, 'shutdown', GrpcStatus.UNAVAILABLE, event.message);
  }
}
