import type { Problem } from '../../../common/problem';
import { EventEmitter } from 'node:events';
import type { AppMeshDocument, AppMeshModel } from '../types';
import { StateConflictError, type StateBackend, type StoredState } from './backend';
import type { ControlPlaneState } from './state';
import { validateState, type ModelCheck, type ValidState } from './validate-state';

/**
 * The control plane's store: the committed state with its validated model,
 * and the one way to change it. `mutate(fn)` runs `fn` on the state as it is
 * now (this process's changes run one at a time, in arrival order), validates
 * the whole model `fn` proposes, writes it through the backend, and only then
 * makes it current, notifies the listeners (the xDS source) and answers. A
 * proposal that does not validate, or that the backend could not store,
 * changes nothing.
 *
 * With a shared backend (etcd) other replicas write too: their states arrive
 * through the backend's watch and become current the same way; a change
 * computed from a state another replica has replaced meanwhile is refused by
 * the backend (StateConflictError), and `fn` runs again on the new state.
 */

/** What a change function decides: a new state, an answer without a change, or a refusal. */
export type Mutation<T, E> = { kind: 'commit'; state: ControlPlaneState; value: T } | { kind: 'answer'; value: T } | { kind: 'fail'; error: E };

export type MutationOutcome<T, E> =
  | { ok: true; value: T; committed: boolean; revision: number }
  | { ok: false; error: E }
  /** The proposed model is not valid: every problem, each naming its resource and field. */
  | { ok: false; invalid: readonly Problem[] };

export interface ModelStoreOptions {
  check?: ModelCheck;
  /** A stored state from elsewhere that this version cannot serve (it keeps the last one). */
  onRejected?: (problems: readonly Problem[], token: number) => void;
}

/** How often a change is recomputed when other writers keep getting there first. */
export const MAX_CONFLICT_RETRIES = 8;

export class ModelStore {
  private current: ValidState;
  private token: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly events = new EventEmitter();
  private readonly stopWatching: (() => void) | undefined;

  constructor(
    readonly backend: StateBackend,
    initial: ValidState,
    token: number | undefined,
    private readonly opts: ModelStoreOptions = {},
  ) {
    this.events.setMaxListeners(0);
    this.current = initial;
    this.token = token;
    this.stopWatching = backend.watch?.((stored) => this.adopt(stored));
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
    for (let attempt = 0; ; attempt++) {
      const before = this.current.state;
      const basedOn = this.token;
      const m = fn(before);
      if (m.kind === 'fail') return { ok: false, error: m.error };
      if (m.kind === 'answer') return { ok: true, value: m.value, committed: false, revision: before.revision };
      const v = validateState(m.state, this.opts.check);
      if (!v.ok) return { ok: false, invalid: v.problems };
      let token: number;
      try {
        token = await this.backend.save(v.value.state, basedOn);
      } catch (e) {
        if (!(e instanceof StateConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw e;
        const fresh = await this.backend.load();
        if (fresh) this.adopt(fresh);
        continue;
      }
      this.commit(v.value, token);
      return { ok: true, value: m.value, committed: true, revision: v.value.state.revision };
    }
  }

  private commit(valid: ValidState, token: number): void {
    this.current = valid;
    this.token = token;
    this.events.emit('change', valid.state.revision);
  }

  /** A state stored by another writer: made current when it is newer and valid; otherwise the last one stays. */
  private adopt(stored: StoredState): void {
    if (this.token !== undefined && stored.token <= this.token) return;
    const v = validateState(stored.state, this.opts.check);
    if (!v.ok) {
      this.opts.onRejected?.(v.problems, stored.token);
      return;
    }
    this.commit(v.value, stored.token);
  }

  /** Called after every committed change (this process's or another replica's); returns a function that stops the notifications. */
  onChange(listener: (revision: number) => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  /** Waits for the change under way, then releases the backend. */
  async close(): Promise<void> {
    this.stopWatching?.();
    await this.queue;
    await this.backend.close();
  }
}
