/**
 * A float as Go's Prometheus text writer prints it: `strconv.FormatFloat(f,
 * 'g', -1, 64)` (the shortest digits that read back to the same float) with
 * `0`, `+Inf`, `-Inf` and `NaN` special-cased.
 *
 * Go's shortest `%g` switches to exponent form when the decimal exponent is
 * below -4 or at least 6, and writes the exponent with a sign and at least two
 * digits: `123456`, `1e+06`, `1.234567e+06`, `0.0001`, `1e-05`. Negative zero
 * prints as `0`.
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return '0';
  // toExponential() without an argument gives the shortest round-trip digits.
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${mantissa}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  // 1e-4 <= |x| < 1e6: JavaScript prints these plainly with the same digits.
  return String(x);
}
