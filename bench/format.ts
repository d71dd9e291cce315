/** How figures are written in the summary and the Markdown block. */
import { KiB } from './units';

export const us = (v: number): string => `${Math.round(v)} µs`;
export const num = (n: number): string => n.toLocaleString('en-US');
export const mibs = (v: number): string => `${v.toFixed(0)} MiB/s`;
export const x = (v: number): string => `${v.toFixed(2)}×`;
export const mibOf = (kib: number): string => `${(kib / KiB).toFixed(1)} MiB`;
export const pct = (v: number): string => `${Math.round(v * 100)} %`;

/** "total (a x + b y + …)" of per-process CPU figures. */
export const cpuSplit = (c: Record<string, number>, f: (v: number) => string): string => {
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  return `${f(total)} (${Object.entries(c)
    .map(([k, v]) => `${k} ${f(v)}`)
    .join(' + ')})`;
};
