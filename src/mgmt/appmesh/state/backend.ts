import type { ControlPlaneState } from './state';

/**
 * Where the control plane's state lives. The store (model-store.ts) reads it
 * once at start and writes every accepted change through it before the API
 * answers. Implementations: memory (nothing survives the process), the data
 * directory's state file (file-backend.ts); a distributed store fits the same
 * shape (`save` is told which revision it replaces, so it can refuse a write
 * based on a stale read).
 */
export interface StateBackend {
  /** "memory", "file /var/lib/appnet/state.json": for logs and /healthz. */
  readonly description: string;
  /** Whether a stored state survives this process. */
  readonly durable: boolean;
  /** The stored state, or undefined when nothing was ever stored. Throws StateBackendError when what is stored cannot be read. */
  load(): Promise<ControlPlaneState | undefined>;
  /** Store `state` (which replaces revision `previousRevision`); resolves once it is durable. Throws StateBackendError. */
  save(state: ControlPlaneState, previousRevision: number): Promise<void>;
  close(): Promise<void>;
}

/** The backend could not read or write the state; nothing was changed by the failed call. */
export class StateBackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateBackendError';
  }
}

/** Nothing survives the process: for tests and a throwaway local mesh. */
export class MemoryBackend implements StateBackend {
  readonly description = 'memory';
  readonly durable = false;
  private stored: ControlPlaneState | undefined;

  load(): Promise<ControlPlaneState | undefined> {
    return Promise.resolve(this.stored);
  }

  save(state: ControlPlaneState): Promise<void> {
    this.stored = state;
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
