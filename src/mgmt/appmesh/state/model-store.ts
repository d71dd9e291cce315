import { EventEmitter } from 'node:events';
import type { AppMeshDocument, AppMeshModel } from '../types';
import type { StateBackend } from './backend';
import type { ControlPlaneState } from './state';
import { validateState, type ModelCheck, type ValidState } from './validate-state';

/**
 * The control plane's store: the committed state with its validated model,
 * and the one way to change it. `mutate(fn)` runs `fn` on the state as it is
 * now (changes run one at a time, in arrival order), validates the whole
 * model `fn` proposes, writes it through the backend, and only then makes it
 * current, notifies the listeners (the xDS source) and answers. A proposal
 * that does not validate, or that the backend could not store, changes
 * nothing.
 */

/** What a change function decides: a new state, an answer without a change, or a refusal. */
export type Mutation<T, E> = { kind: 'commit'; state: ControlPlaneState; value: T } | { kind: 'answer'; value: T } | { kind: 'fail'; error: E };

export type MutationOutcome<T, E> =
  | { ok: true; value: T; committed: boolean; revision: number }
  | { ok: false; error: E }
  /** The proposed model is not valid: every problem, each naming its resource and field. */
  | { ok: false; invalid: string[] };

export interface ModelStoreOptions {
  check?: ModelCheck;
}

export class ModelStore {
  private current: ValidState;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly events = new EventEmitter();

  constructor(
    readonly backend: StateBackend,
    initial: ValidState,
    private readonly opts: ModelStoreOptions = {},
  ) {
    this.events.setMaxListeners(0);
    this.current = initial;
  }

  get state(): ControlPlaneState {
    return this.current.state;
  }

  get document(): AppMeshDocument {
    return this.current.document;
  }

  get model(): AppMeshModel {
    return this.current.model;
  }

  get revision(): number {
    return this.current.state.revision;
  }

  mutate<T, E>(fn: (state: ControlPlaneState) => Mutation<T, E>): Promise<MutationOutcome<T, E>> {
    const run = this.queue.then(() => this.apply(fn));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply<T, E>(fn: (state: ControlPlaneState) => Mutation<T, E>): Promise<MutationOutcome<T, E>> {
    const before = this.current.state;
    const m = fn(before);
    if (m.kind === 'fail') return { ok: false, error: m.error };
    if (m.kind === 'answer') return { ok: true, value: m.value, committed: false, revision: before.revision };
    const v = validateState(m.state, this.opts.check);
    if (!v.ok) return { ok: false, invalid: v.problems };
    await this.backend.save(v.valid.state, before.revision);
    this.current = v.valid;
    this.events.emit('change', v.valid.state.revision);
    return { ok: true, value: m.value, committed: true, revision: v.valid.state.revision };
  }

  /** Called after every committed change; returns a function that stops the notifications. */
  onChange(listener: (revision: number) => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  /** Waits for the change under way, then releases the backend. */
  async close(): Promise<void> {
    await this.queue;
    await this.backend.close();
  }
}
