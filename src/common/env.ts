import { DURATION_FORM, parseDurationMs } from './duration';
import { countProblems, type Problem, renderProblem, valueProblem } from './problem';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Bad configuration: every bad variable or flag as a Problem (docs/errors.md), usually
 * `valueProblem(name, value seen (never a secret), accepted form)`.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(`invalid configuration (${countProblems(problems.length)}):\n` + problems.map((p) => `  ${renderProblem(p)}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const TRUE = new Set(['1', 't', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'f', 'false', 'no', 'off']);
export const BOOL_FORM = 'a boolean (1/0, true/false, t/f, yes/no, on/off)';

interface IntOpts {
  min?: number;
  max?: number;
}

/**
 * Reads typed values from an environment, collecting every problem instead of
 * stopping at the first. Values are trimmed; an empty value counts as unset.
 * Call `finish()` at the end: it throws one ConfigError naming every bad variable.
 */
export class EnvReader {
  private readonly problems: Problem[] = [];

  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const v = this.env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  /** Record a bad variable (once: a variable read twice is reported once). */
  problem(name: string, value: string, expected: string): void {
    if (this.problems.some((p) => p.where === name && p.seen === value)) return;
    this.problems.push(valueProblem(name, value, expected));
  }

  /** Record a problem already in its final shape (a flag given twice, an unknown flag). */
  add(p: Problem): void {
    this.problems.push(p);
  }

  /** Record the problems a value parser found (`where` left empty) as problems of variable `name`, seen as `value`. */
  addAt(name: string, value: string, problems: readonly Problem[]): void {
    for (const p of problems) this.add({ ...p, where: name, seen: value });
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    return this.raw(name) ?? fallback;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const low = v.toLowerCase();
    if (TRUE.has(low)) return true;
    if (FALSE.has(low)) return false;
    this.problem(name, v, BOOL_FORM);
    return fallback;
  }

  int(name: string, fallback: number, opts: IntOpts = {}): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
      this.problem(name, v, `an integer${rangeText(opts)}`);
      return fallback;
    }
    return n;
  }

  number(name: string, fallback: number, opts: IntOpts & { exclusiveMin?: number } = {}): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = /^-?(\d+(\.\d*)?|\.\d+)$/.test(v) ? Number(v) : NaN;
    const bad =
      !Number.isFinite(n) ||
      (opts.min !== undefined && n < opts.min) ||
      (opts.max !== undefined && n > opts.max) ||
      (opts.exclusiveMin !== undefined && n <= opts.exclusiveMin);
    if (bad) {
      const lower = opts.exclusiveMin !== undefined ? ` greater than ${opts.exclusiveMin}` : '';
      this.problem(name, v, `a number${lower}${rangeText(opts)}`);
      return fallback;
    }
    return n;
  }

  port(name: string, fallback: number): number {
    return this.int(name, fallback, { min: 1, max: 65535 });
  }

  /** Duration in milliseconds; `allowZero` lets "0s" (or "0") mean "disabled". */
  durationMs(name: string, fallbackMs: number, opts: { allowZero?: boolean; maxMs?: number } = {}): number {
    const v = this.raw(name);
    if (v === undefined) return fallbackMs;
    const ms = v === '0' ? 0 : parseDurationMs(v);
    const zeroOk = opts.allowZero ?? false;
    if (ms === undefined || (ms === 0 && !zeroOk) || (opts.maxMs !== undefined && ms > opts.maxMs)) {
      const extra = [zeroOk ? '0 disables it' : 'greater than 0', opts.maxMs !== undefined ? `at most ${opts.maxMs / 1000}s` : '']
        .filter(Boolean)
        .join(', ');
      this.problem(name, v, `${DURATION_FORM} (${extra})`);
      return fallbackMs;
    }
    return ms;
  }

  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const low = v.toLowerCase() as T;
    if (choices.includes(low)) return low;
    this.problem(name, v, `one of ${choices.join(', ')}`);
    return fallback;
  }

  get problemCount(): number {
    return this.problems.length;
  }

  finish(): void {
    if (this.problems.length > 0) throw new ConfigError([...this.problems]);
  }
}

function rangeText(opts: IntOpts): string {
  if (opts.min !== undefined && opts.max !== undefined) return ` from ${opts.min} to ${opts.max}`;
  if (opts.min !== undefined) return ` of at least ${opts.min}`;
  if (opts.max !== undefined) return ` of at most ${opts.max}`;
  return '';
}
