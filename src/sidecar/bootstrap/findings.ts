import { ConfigError } from '../../common/env';
import { type Problem, valueProblem } from '../../common/problem';

/**
 * Problems (fatal, reported together in one ConfigError, each naming its variable)
 * and warnings (logged, generation goes on) collected while building a bootstrap.
 */
export class Findings {
  readonly problems: Problem[] = [];
  readonly warnings: string[] = [];

  problem(name: string, value: string, expected: string): void {
    if (this.problems.some((p) => p.where === name && p.seen === value && p.accepted === expected)) return;
    this.problems.push(valueProblem(name, value, expected));
  }

  /** The problems a value parser found (`where` left empty) as problems of variable `name`, seen as `value`. */
  addAt(name: string, value: string, problems: readonly Problem[]): void {
    for (const p of problems) this.problems.push({ ...p, where: name, seen: value });
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new ConfigError([...this.problems]);
  }
}
