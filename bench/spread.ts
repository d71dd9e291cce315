/**
 * The spread of a ratio over repetitions: its median and its range. A goal is
 * "inside the noise" when the goal lies within that range: one run cannot say
 * which side of it the relay is on.
 */
export interface Spread {
  reps: number[];
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  const median = n === 0 ? NaN : n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { reps: values, median, min: sorted[0] ?? NaN, max: sorted[n - 1] ?? NaN };
}

/** "1.08× (1.02–1.15)", and "inside the noise" when the goal lies within the range. */
export function spreadText(s: Spread, goal?: number): string {
  const base = `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)} over ${s.reps.length})`;
  return goal !== undefined && s.reps.length > 1 && s.min <= goal && goal <= s.max ? `${base}, goal ${goal}× inside the noise` : base;
}
