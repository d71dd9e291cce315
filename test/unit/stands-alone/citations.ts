import * as path from 'node:path';

/**
 * The repository must stand alone: its comments and docs may cite its own pages
 * (`docs/<page>.md#<anchor>`), never the behaviour specification or notes that live
 * outside it. Pure: text in, findings out. The patterns are built from escapes so
 * that this file does not match them itself.
 */

export interface Finding {
  file: string;
  line: number;
  text: string;
  why: string;
}

const SECTION = '\u00a7';
/** A section sign followed by a digit: a section number of some document. */
const SECTION_NUMBER = new RegExp(`${SECTION}\\s?\\d`, 'g');
/** What may stand before a section number: an RFC, possibly with earlier sections of it. */
const RFC_BEFORE = new RegExp(`RFC\\s*\\d+(?:[\\s*/#>(]*${SECTION}\\s?[\\d.]*\\d(?:,|\\s+and|\\s+or)?)*[\\s*/#>(]*$`);
/** The word "quirk" (or "quirks") and a number: a numbered quirk of the reference. */
const QUIRK_NUMBER = /\bquirks?\s+(?:items?\s+)?#?(\d+)/gi;
const OUTSIDE_FILES: ReadonlyArray<readonly [RegExp, string]> = [
  [/agent-behavior\.md/g, 'names the outside behaviour specification'],
  [/feasibility\.md/g, 'names an outside note'],
  [/\.\.\/shared\//g, 'points outside the repository'],
  [/\/work\/shared\b/g, 'points outside the repository'],
];

function lineOf(text: string, index: number): { line: number; text: string } {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const end = text.indexOf('\n', index);
  return { line: text.slice(0, index).split('\n').length, text: text.slice(start, end === -1 ? text.length : end).trim() };
}

/** Every citation of a document outside the repository in one file's text. */
export function outsideCitations(file: string, text: string): Finding[] {
  const out: Finding[] = [];
  const add = (index: number, why: string) => out.push({ file, ...lineOf(text, index), why });
  for (const m of text.matchAll(SECTION_NUMBER)) {
    const before = text.slice(Math.max(0, m.index - 200), m.index);
    if (!RFC_BEFORE.test(before)) add(m.index, 'a section number that is not an RFC section: cite a page under docs/ instead');
  }
  for (const m of text.matchAll(QUIRK_NUMBER)) {
    const { text: line } = lineOf(text, m.index);
    if (!line.includes(`quirks.md#q${m[1]}-`)) add(m.index, `a numbered quirk without a link to its entry, reference-agent/quirks.md#q${m[1]}-…`);
  }
  for (const [re, why] of OUTSIDE_FILES) for (const m of text.matchAll(re)) add(m.index, why);
  return out.sort((a, b) => a.line - b.line);
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
export function slugify(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** The anchors a Markdown document offers: its headings (outside code fences, repeats numbered) and explicit ids. */
export function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      const marker = f[1]!;
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    for (const m of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(m[1]!);
    const h = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (!h) continue;
    const base = slugify(h[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

export interface DocLink {
  file: string;
  line: number;
  /** As written. */
  written: string;
  /** The repository path it resolves to. */
  target: string;
  anchor: string | undefined;
}

const MD_LINK = /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
/** `docs/<page>.md#<anchor>` written in plain text or code: a path from the repository root. */
const BARE_DOCS_PATH = /(?<![\w./-])docs\/[\w./-]*?\.md(?:#[\w-]+)?/g;

function split(target: string): { pathPart: string; anchor: string | undefined } {
  const hash = target.indexOf('#');
  return hash === -1 ? { pathPart: target, anchor: undefined } : { pathPart: target.slice(0, hash), anchor: target.slice(hash + 1) };
}

/**
 * The links to check in one file: every `docs/<page>.md[#<anchor>]` written anywhere (from the
 * repository root), and in Markdown every relative link that leads into `docs/` or is
 * written inside `docs/` (from the file's directory).
 */
export function docLinks(file: string, text: string): DocLink[] {
  const out: DocLink[] = [];
  const isMarkdown = file.endsWith('.md');
  let plain = text;
  if (isMarkdown) {
    for (const m of text.matchAll(MD_LINK)) {
      const written = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(written)) continue; // http:, mailto:, …
      const { pathPart, anchor } = split(written);
      const target = pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart)).replace(/\/$/, '');
      if (!target.startsWith('docs/') && !file.startsWith('docs/')) continue;
      out.push({ file, line: lineOf(text, m.index).line, written, target, anchor });
    }
    plain = text.replace(MD_LINK, (s) => ' '.repeat(s.length));
  }
  for (const m of plain.matchAll(BARE_DOCS_PATH)) {
    const { pathPart, anchor } = split(m[0]);
    out.push({ file, line: lineOf(text, m.index).line, written: m[0], target: pathPart, anchor });
  }
  return out;
}
