/**
 * The one error shape (docs/errors.md): a `Problem` says where (a variable, a flag, a
 * field path), what is wrong (with what was seen, never a secret value) and, when
 * there is one, the accepted form. Config loading, bootstrap generation, the App Mesh
 * model validation and the App Mesh API's BadRequestException all collect Problems and
 * render them with `renderProblem`; parsers and validators answer a `Result<T>`.
 */
export interface Problem {
  /** Where: 'APPMESH_RESOURCE_ARN', '--admin-port', 'virtualNodes[0] (virtual node "a"): spec.listeners[0].portMapping.port'. */
  readonly where: string;
  /** What is wrong, including what was seen (never a secret value); may be '' when `seen` and `accepted` say it all. */
  readonly message: string;
  /** The accepted form ("an integer from 1 to 65535"). */
  readonly accepted?: string;
  /** The value seen, when it is the whole story (a variable's or flag's value); rendered quoted after `where`. */
  readonly seen?: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly Problem[] };

/** A problem at `where`. */
export function problem(where: string, message: string, accepted?: string): Problem {
  return accepted === undefined ? { where, message } : { where, message, accepted };
}

/** A value that is not in the accepted form: renders as `NAME="value": expected <accepted>`. */
export function valueProblem(where: string, seen: string, accepted: string): Problem {
  return { where, seen, message: '', accepted };
}

/**
 * A problem at a field path inside a labelled document: where is `<label>: <path>`,
 * or just the label (or just the path) when the other is empty.
 */
export function fieldProblem(path: string, message: string, label?: string): Problem {
  const where = label === undefined || label === '' ? path : path === '' ? label : `${label}: ${path}`;
  return { where, message };
}

/**
 * The one-line text used in logs and errors:
 * `where: message`, `where: message; expected <accepted>`, or `WHERE="seen": expected <accepted>`.
 */
export function renderProblem(p: Problem): string {
  const head = p.seen === undefined ? p.where : `${p.where}=${JSON.stringify(p.seen)}`;
  const parts = [p.message, p.accepted === undefined ? '' : `expected ${p.accepted}`].filter((s) => s !== '');
  if (head === '') return parts.join('; ');
  return parts.length === 0 ? head : `${head}: ${parts.join('; ')}`;
}

/** Each problem rendered, in order. */
export function renderProblems(problems: readonly Problem[]): string[] {
  return problems.map(renderProblem);
}

/** `n problem(s)`. */
export function countProblems(n: number): string {
  return `${n} problem${n === 1 ? '' : 's'}`;
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(problems: readonly Problem[] | Problem): Result<T> {
  return { ok: false, problems: Array.isArray(problems) ? problems : [problems as Problem] };
}

/** The value of an ok result; throws a ProblemError for a failed one. */
export function unwrap<T>(r: Result<T>, context = 'invalid input'): T {
  if (r.ok) return r.value;
  throw new ProblemError(context, r.problems);
}

/** An Error that carries its Problems; the message lists them one per line. */
export class ProblemError extends Error {
  constructor(
    readonly context: string,
    readonly problems: readonly Problem[],
  ) {
    super(`${context} (${countProblems(problems.length)}):\n` + problems.map((p) => `  ${renderProblem(p)}`).join('\n'));
    this.name = 'ProblemError';
  }
}

/** The message of anything thrown: an Error's message, otherwise its string form. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The stack of an Error (its message when it has none), otherwise the thrown value's string form. */
export function errorStack(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
