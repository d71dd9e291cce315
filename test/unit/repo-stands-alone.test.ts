import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { docLinks, markdownAnchors, outsideCitations, slugify, type DocLink } from './stands-alone/citations';
import { filesInScope, readText } from './stands-alone/repo-files';

const ROOT = path.resolve(__dirname, '../..');

/** Why a link does not resolve, or undefined when it does. */
function brokenLink(link: DocLink, anchorsOf: (file: string) => Set<string>): string | undefined {
  const st = fs.statSync(path.join(ROOT, link.target), { throwIfNoEntry: false });
  if (!st) return `${link.target} does not exist`;
  if (link.anchor === undefined || link.anchor === '') return undefined;
  if (!st.isFile() || !link.target.endsWith('.md')) return `#${link.anchor} on ${link.target}, which is not a Markdown file`;
  return anchorsOf(link.target).has(link.anchor) ? undefined : `${link.target} has no heading #${link.anchor}`;
}

function anchorCache(): (file: string) => Set<string> {
  const cache = new Map<string, Set<string>>();
  return (file) => {
    let a = cache.get(file);
    if (!a) cache.set(file, (a = markdownAnchors(fs.readFileSync(path.join(ROOT, file), 'utf8'))));
    return a;
  };
}

describe('the repository stands alone', () => {
  const files = filesInScope(ROOT);
  const texts = files.flatMap((f) => {
    const t = readText(ROOT, f);
    return t === undefined ? [] : [[f, t] as const];
  });

  it('looks at the files in scope', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('docs/reference-agent/quirks.md');
    expect(files).toContain('test/unit/repo-stands-alone.test.ts');
    expect(files.some((f) => f.startsWith('node_modules/') || f.startsWith('dist/'))).toBe(false);
  });

  it('cites no document outside the repository (section numbers, numbered quirks, outside paths)', () => {
    const found = texts.flatMap(([f, t]) => outsideCitations(f, t)).map((x) => `${x.file}:${x.line}: ${x.why}: ${x.text}`);
    expect(found).toEqual([]);
  });

  it('every link into docs/, and every link in docs/, reaches an existing file and heading', () => {
    const anchorsOf = anchorCache();
    const links = texts.flatMap(([f, t]) => docLinks(f, t));
    expect(links.length).toBeGreaterThan(50);
    const broken = links.flatMap((l) => {
      const why = brokenLink(l, anchorsOf);
      return why === undefined ? [] : [`${l.file}:${l.line}: ${l.written}: ${why}`];
    });
    expect(broken).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const S = '\u00a7';
  const D = 'docs';

  it('flag section numbers unless they belong to an RFC', () => {
    const why = (text: string) => outsideCitations('x.ts', text).map((f) => f.line);
    expect(why(`// the health model (${S}8.2)`)).toEqual([1]);
    expect(why(`a\n * quirks (${S}15 item 16)`)).toEqual([2]);
    expect(why(`x ${S} 7 y`)).toEqual([1]);
    expect(why(`(RFC 9113 ${S}6.5.3 SETTINGS_TIMEOUT)`)).toEqual([]);
    expect(why(`within 5 s (RFC 9113\n  ${S}6.5.3); otherwise`)).toEqual([]);
    expect(why(`RFC 9113 ${S}5.4.1 and ${S}6.5.3`)).toEqual([]);
    expect(why(`RFC 9113 says so; see also ${S}6.5.3 of the spec`)).toEqual([1]);
  });

  it('flag numbered quirks without a link to their entry', () => {
    const n = 12;
    expect(outsideCitations('x.ts', `// no longer fatal (quirk ${n})`)).toHaveLength(1);
    expect(outsideCitations('x.md', `| … [Quirks ${n}–14] |`)).toHaveLength(1);
    expect(outsideCitations('x.ts', `// (quirk ${n}: ${D}/reference-agent/quirks.md#q${n}-an-odd-node-id-is-fatal)`)).toEqual([]);
    expect(outsideCitations('x.ts', `// see ${D}/reference-agent/quirks.md#q${n}-an-odd-node-id-is-fatal`)).toEqual([]);
  });

  it('flag paths to the outside specification and notes', () => {
    const outside = ['agent-' + 'behavior.md', 'notes/feasibility' + '.md', '..' + '/shared/seeds/000.txt', '/work' + '/shared/spec'];
    for (const p of outside) expect(outsideCitations('x.md', `see \`${p}\``), p).toHaveLength(1);
  });

  it('make GitHub anchors', () => {
    expect(slugify("Q8. The relay's admin needs `ENVOY_ADMIN_MODE=uds`")).toBe('q8-the-relays-admin-needs-envoy_admin_modeuds');
    expect(slugify('/stats/prometheus')).toBe('statsprometheus');
    expect(slugify('Instance metadata (IMDS)')).toBe('instance-metadata-imds');
    expect(slugify('[Linked](x.md) heading')).toBe('linked-heading');
    expect([...markdownAnchors('# A\n## A\n```\n# not a heading\n```\n### B ##\n<a id="c"></a>')]).toEqual(['a', 'a-1', 'b', 'c']);
  });

  it('find links written from the root and relative Markdown links, and catch broken ones', () => {
    const anchorsOf = anchorCache();
    const code = docLinks('src/x.ts', `// see ${D}/reference-agent/bootstrap.md#stats-tags and ${D}/reference-agent/bootstrap.md#no-such-heading, ${D}/nope.md`);
    expect(code.map((l) => [l.target, l.anchor])).toEqual([
      [`${D}/reference-agent/bootstrap.md`, 'stats-tags'],
      [`${D}/reference-agent/bootstrap.md`, 'no-such-heading'],
      [`${D}/nope.md`, undefined],
    ]);
    expect(code.map((l) => brokenLink(l, anchorsOf))).toEqual([undefined, `${D}/reference-agent/bootstrap.md has no heading #no-such-heading`, `${D}/nope.md does not exist`]);

    const md = docLinks('src/sidecar/bootstrap/NOTES.md', `[a](../../../${D}/reference-agent/quirks.md#q99-none) [b](DIFFERENCES.md) [c](https://example.com/${D}/x.md)`);
    expect(md.map((l) => [l.target, l.anchor])).toEqual([[`${D}/reference-agent/quirks.md`, 'q99-none']]);
    expect(brokenLink(md[0]!, anchorsOf)).toBe(`${D}/reference-agent/quirks.md has no heading #q99-none`);

    const inDocs = docLinks(`${D}/reference-agent/relay.md`, '[x](#activation) [y](../../README.md#no-such-part) [z](quirks.md)');
    expect(inDocs.map((l) => brokenLink(l, anchorsOf))).toEqual([undefined, 'README.md has no heading #no-such-part', undefined]);
  });
});
