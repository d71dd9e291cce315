import type { Label, Labels } from './model';

/**
 * Compare two strings in UTF-8 byte order (Go's string order), which is code
 * point order. JavaScript's `<` compares UTF-16 code units and disagrees for
 * characters above U+FFFF versus U+E000..U+FFFF.
 */
export function compareBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const pa = a.codePointAt(i) ?? ca;
    const pb = b.codePointAt(i) ?? cb;
    return pa < pb ? -1 : 1;
  }
  return a.length - b.length;
}

/** A copy of the labels sorted by name (byte order). */
export function sortLabels(labels: Labels): Label[] {
  return [...labels].sort((x, y) => compareBytes(x.name, y.name));
}

/**
 * A canonical key for a label set, independent of label order and unambiguous
 * whatever the values contain (the reference concatenates `name=value;` in
 * stored order, which depends on order and collides on values holding `;`).
 */
export function labelKey(labels: Labels): string {
  return JSON.stringify(sortLabels(labels).map((l) => [l.name, l.value]));
}

/** `{a="x",b="y"}` for messages (and the label part of a sample line). */
export function formatLabels(labels: Labels, extra?: Label): string {
  const all = extra ? [...labels, extra] : labels;
  if (all.length === 0) return '';
  return `{${all.map((l) => `${l.name}="${escapeLabelValue(l.value)}"`).join(',')}}`;
}

/** Label value escaping of the text format: backslash, double quote, newline. */
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP escaping of the text format: backslash and newline only. */
export function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}
