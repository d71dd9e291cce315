import { type Problem, ProblemError } from '../../../common/problem';
import { validateDocument } from '../validate';
import { KIND_INFO, RESOURCE_KINDS } from '../resource-kinds';
import type { JsonObject } from '../types';
import { StateConflictError, type StateBackend } from './backend';
import { withSpecDefaults } from './defaults';
import { ModelStore } from './model-store';
import { bodyTags, emptyState, storedBody, type ControlPlaneState, type ResourceRecord } from './state';
import { readTags } from './tags';
import { validateState, type ModelCheck } from './validate-state';

/**
 * Starting the store: load what the backend holds; when it holds nothing yet
 * (a first start, or a state no change was ever committed to), apply the seed
 * model (`--appmesh`) as ordinary resources, version 1. Once the store has
 * state, the stored model wins and the seed is not applied.
 */

/** A model the server cannot start with; `problems` names each resource and field. */
export class ModelLoadError extends ProblemError {
  constructor(problems: readonly Problem[], context: string) {
    super(context, problems);
    this.name = 'ModelLoadError';
  }
}

export interface Clock {
  /** ms since the epoch */
  now(): number;
  uid(): string;
}

/** A seed document (create-* bodies, plus endpoints) as a state of version-1 resources; throws ModelLoadError. */
export function seedState(document: unknown, clock: Clock, source = 'the seed model'): ControlPlaneState {
  const v = validateDocument(document);
  if (!v.ok) throw new ModelLoadError(v.problems, `invalid App Mesh model ${source}`);
  const state = emptyState();
  const problems: Problem[] = [];
  const at = clock.now();
  for (const kind of RESOURCE_KINDS) {
    const list = KIND_INFO[kind].list;
    const bodies = (v.value.document as unknown as Record<string, JsonObject[] | undefined>)[list] ?? [];
    bodies.forEach((body, i) => {
      const tags = readTags(body['tags'], `${list}[${i}].tags`);
      if (!tags.ok) problems.push(...tags.problems);
      const record: ResourceRecord = { body: withSpecDefaults(kind, storedBody(body)), tags: tags.ok ? tags.value : bodyTags(body), uid: clock.uid(), version: 1, createdAt: at, lastUpdatedAt: at };
      state.resources[list].push(record);
    });
  }
  if (problems.length > 0) throw new ModelLoadError(problems, `invalid App Mesh model ${source}`);
  return { ...state, revision: 1, endpoints: v.value.document.endpoints ?? {} };
}

export interface OpenStoreOptions {
  backend: StateBackend;
  /** The seed model (already parsed) and where it came from, for messages. */
  seed?: { document: unknown; source: string };
  check?: ModelCheck;
  clock: Clock;
  /** A state stored by another replica that this one cannot serve. */
  onRejected?: (problems: readonly Problem[], token: number) => void;
}

export type SeedOutcome = 'applied' | 'not-applied' | 'none';

export async function openModelStore(o: OpenStoreOptions): Promise<{ store: ModelStore; seed: SeedOutcome }> {
  const stored = await o.backend.load();
  const loaded = stored?.state;
  const empty = loaded === undefined || loaded.revision === 0;
  let state = loaded ?? emptyState();
  let seed: SeedOutcome = 'none';
  if (o.seed) {
    seed = empty ? 'applied' : 'not-applied';
    if (empty) state = seedState(o.seed.document, o.clock, o.seed.source);
  }
  const v = validateState(state, o.check);
  if (!v.ok) {
    const what = seed === 'applied' ? `invalid App Mesh model ${o.seed!.source}` : `the stored model (${o.backend.description}) is not valid for this version`;
    throw new ModelLoadError(v.problems, what);
  }
  let token = stored?.token;
  if (seed === 'applied' || loaded === undefined) {
    try {
      token = await o.backend.save(v.value.state, token);
    } catch (e) {
      // Another replica initialised the store first: start from what it wrote.
      if (!(e instanceof StateConflictError)) throw e;
      const { seed: _seed, ...rest } = o;
      const again = await openModelStore(rest);
      return { store: again.store, seed: 'not-applied' };
    }
  }
  const opts = { ...(o.check ? { check: o.check } : {}), ...(o.onRejected ? { onRejected: o.onRejected } : {}) };
  return { store: new ModelStore(o.backend, v.value, token, opts), seed };
}
