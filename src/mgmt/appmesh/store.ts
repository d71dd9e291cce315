import { EventEmitter } from 'node:events';
import { applyChange, type Change } from './changes';
import { emptyDocument, type AppMeshDocument, type AppMeshModel } from './types';
import { validateDocument } from './validate';

/**
 * Holds the validated App Mesh model. `apply(change)` forms the candidate
 * document, validates the whole of it, and either commits it (revision + 1,
 * listeners notified) or rejects it with every problem, changing nothing.
 */

export type ApplyResult = { ok: true; revision: number; created: boolean; resource: unknown } | { ok: false; status: 400 | 404; problems: string[] };

/** A model that cannot be used; `problems` names each resource and field. */
export class AppMeshModelError extends Error {
  constructor(
    readonly problems: readonly string[],
    context = 'invalid App Mesh model',
  ) {
    super(`${context} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` + problems.map((p) => `  ${p}`).join('\n'));
    this.name = 'AppMeshModelError';
  }
}

export interface AppMeshStoreOptions {
  /** More checks of a valid model (e.g. that its translation encodes); problems reject it like validation problems. */
  check?: (model: AppMeshModel) => string[];
}

export class AppMeshStore {
  private doc: AppMeshDocument;
  private typed: AppMeshModel;
  private rev = 0;
  private readonly events = new EventEmitter();

  /** Starts from `initial` (empty when absent); throws AppMeshModelError if it is not valid. */
  constructor(
    initial?: unknown,
    private readonly opts: AppMeshStoreOptions = {},
  ) {
    this.events.setMaxListeners(0);
    const v = this.validate(initial ?? emptyDocument());
    if (!v.ok) throw new AppMeshModelError(v.problems);
    this.doc = v.document;
    this.typed = v.model;
  }

  private validate(doc: unknown): ReturnType<typeof validateDocument> {
    const v = validateDocument(doc);
    if (!v.ok || !this.opts.check) return v;
    const problems = this.opts.check(v.model);
    return problems.length > 0 ? { ok: false, problems } : v;
  }

  /** The model as written (create-* bodies plus endpoints), normalised. Do not mutate. */
  get document(): AppMeshDocument {
    return this.doc;
  }

  get model(): AppMeshModel {
    return this.typed;
  }

  /** Increases with every committed change (0 = the initial model). */
  get revision(): number {
    return this.rev;
  }

  apply(change: Change): ApplyResult {
    const formed = applyChange(this.doc, change);
    if (!formed.ok) return formed;
    const v = this.validate(formed.candidate);
    if (!v.ok) return { ok: false, status: 400, problems: v.problems };
    this.doc = v.document;
    this.typed = v.model;
    this.rev++;
    this.events.emit('change');
    return { ok: true, revision: this.rev, created: formed.created, resource: formed.resource };
  }

  /** Called after every committed change; returns a function that stops the notifications. */
  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }
}
