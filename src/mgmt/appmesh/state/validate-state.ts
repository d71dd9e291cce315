import { fail, ok, type Problem, type Result } from '../../../common/problem';
import type { AppMeshDocument, AppMeshModel } from '../types';
import { validateDocument } from '../validate';
import { documentOf, type ControlPlaneState } from './state';

/** More checks of a valid model (e.g. that its translation encodes with Envoy's protos); problems reject it like validation problems. */
export type ModelCheck = (model: AppMeshModel) => Problem[];

/** A state whose model is valid, with that model: what the store commits and serves. */
export interface ValidState {
  state: ControlPlaneState;
  document: AppMeshDocument;
  model: AppMeshModel;
}

export type StateValidation = Result<ValidState>;

/** The whole-model check of a state (validate.ts, then `check`). Pure. */
export function validateState(state: ControlPlaneState, check?: ModelCheck): StateValidation {
  const v = validateDocument(documentOf(state));
  if (!v.ok) return fail(v.problems);
  const problems = check ? check(v.value.model) : [];
  if (problems.length > 0) return fail(problems);
  return ok({ state, ...v.value });
}
