import { ConfigError, type EnvProblem } from '../../common/env';

/**
 * Problems (fatal, reported together in one ConfigError, each naming its variable)
 * and warnings (logged, generation goes on) collected while building a bootstrap.
 */
export class Findings {
  readonly problems: EnvProblem[] = [];
  readonly warnings: string[] = [];

  problem(name: string, value: string, expected: string): void {
    if (this.problems.some((p) => p.name === name && p.value === value && p.expected === expected)) return;
    this.problems.push({ name, value, expected });
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new ConfigError([...this.problems]);
  }
}
