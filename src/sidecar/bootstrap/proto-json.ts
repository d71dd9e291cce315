import type { Json, TypedConfig } from './types';

/**
 * A google.protobuf.Duration in proto3 JSON form: seconds with 0, 3, 6 or 9
 * fractional digits and an "s" suffix ("0s", "0.001s", "180s", "0.000250s").
 */
export function protoDuration(ms: number): string {
  const nanos = Math.round(ms * 1e6);
  const sign = nanos < 0 ? '-' : '';
  const abs = Math.abs(nanos);
  const seconds = Math.floor(abs / 1e9);
  const frac = abs % 1e9;
  if (frac === 0) return `${sign}${seconds}s`;
  const digits = frac % 1e6 === 0 ? 3 : frac % 1e3 === 0 ? 6 : 9;
  const text = String(frac).padStart(9, '0').slice(0, digits);
  return `${sign}${seconds}.${text}s`;
}

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** A google.protobuf.Any in proto3 JSON form. */
export function anyOf(typeName: string, body: Record<string, Json>): TypedConfig {
  return { '@type': `${TYPE_URL_PREFIX}${typeName}`, ...body };
}
