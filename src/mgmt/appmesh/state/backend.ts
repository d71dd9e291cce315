import type { ControlPlaneState } from './state';

/**
 * Where the control plane's state lives. The store (model-store.ts) reads it
 * at start and writes every accepted change through it before the API
 * answers. Implementations: memory (nothing survives the process), the data
 * directory's state file (file-backend.ts), etcd (etcd-backend.ts: shared by
 * replicas).
 *
 * Each stored state comes with a `token` saying which write it is (a number
 * that grows with every write). `save` is told the token of the state its
 * change was computed from and refuses (StateConflictError) when another
 * writer got there first: no update is lost between replicas.
 */

export interface StoredState {
  state: ControlPlaneState;
  token: number;
}

/** What /healthz and the metrics say about the store. */
export interface BackendStatus {
  kind: 'memory' | 'file' | 'etcd';
  /** false while the store cannot be reached (the last model keeps being served). */
  reachable: boolean;
  /** The last problem talking to the store, while it lasts. */
  lastError?: string;
}

export interface StateBackend {
  /** "memory", "file /var/lib/appnet/state.json", "etcd 127.0.0.1:2379/appnet": for logs and /healthz. */
  readonly description: string;
  /** Whether a stored state survives this process. */
  readonly durable: boolean;
  /** The stored state, or undefined when nothing was ever stored. Throws StateBackendError when what is stored cannot be read. */
  load(): Promise<StoredState | undefined>;
  /**
   * Store `state`, computed from the stored state `basedOn` (undefined: from
   * nothing stored); resolves with the new token once it is durable. Throws
   * StateConflictError when the stored state is no longer `basedOn`, and
   * StateBackendError when it cannot write.
   */
  save(state: ControlPlaneState, basedOn: number | undefined): Promise<number>;
  /** States written by others (other replicas), as they are committed; returns a function that stops watching. */
  watch?(onState: (stored: StoredState) => void): () => void;
  status(): BackendStatus;
  /** Replicas sharing the store: what each publishes about itself (its connected clients, for the console). Absent: one replica. */
  readonly replicas?: ReplicaBoard;
  close(): Promise<void>;
}

/** Where replicas leave a short-lived note about themselves (it goes when the replica does). */
export interface ReplicaBoard {
  publish(name: string, doc: unknown): Promise<void>;
  /** Every replica's note, by name. */
  list(): Promise<Map<string, unknown>>;
  /** Called when any note changes or goes; returns a function that stops watching. */
  watch(onChange: () => void): () => void;
}

/** The backend could not read or write the state; nothing was changed by the failed call. */
export class StateBackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateBackendError';
  }
}

/** The store cannot be reached right now (a network store); it may come back. */
export class StateUnreachableError extends StateBackendError {
  constructor(message: string) {
    super(message);
    this.name = 'StateUnreachableError';
  }
}

/** Another writer changed the stored state since it was read: read it again and recompute the change. */
export class StateConflictError extends Error {
  constructor(message = 'the stored state changed since it was read') {
    super(message);
    this.name = 'StateConflictError';
  }
}

/** Nothing survives the process: for tests and a throwaway local mesh. */
export class MemoryBackend implements StateBackend {
  readonly description = 'memory';
  readonly durable = false;
  private stored: StoredState | undefined;

  load(): Promise<StoredState | undefined> {
    return Promise.resolve(this.stored);
  }

  save(state: ControlPlaneState, basedOn: number | undefined): Promise<number> {
    if (basedOn !== this.stored?.token) return Promise.reject(new StateConflictError());
    const token = (this.stored?.token ?? 0) + 1;
    this.stored = { state, token };
    return Promise.resolve(token);
  }

  status(): BackendStatus {
    return { kind: 'memory', reachable: true };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
