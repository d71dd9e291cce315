import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The product (src/) never depends on tooling (tools/, test/, bench/,
 * examples/): no import resolves outside src/, no path into a tooling build
 * output, and the build, the package and the images carry src/ only.
 */

const ROOT = path.resolve(__dirname, '..', '..');

function productFiles(): string[] {
  return execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'src'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && fs.existsSync(path.join(ROOT, f)));
}

/** Every problem with one product file: imports or requires leaving src/, paths into tooling output. */
export function crossings(file: string, text: string): string[] {
  const out: string[] = [];
  const dir = path.posix.dirname(file);
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  for (const spec of specs) {
    if (!spec.startsWith('.')) continue;
    const target = path.posix.normalize(path.posix.join(dir, spec));
    if (!target.startsWith('src/')) out.push(`${file}: imports ${spec} (${target}), outside the product`);
  }
  for (const m of text.matchAll(/['"`][^'"`\n]*\b(dist\/(?:test|tools|bench|examples)\/|(?:tools|test|bench)\/[a-z-]+\/)[^'"`\n]*['"`]/g)) {
    out.push(`${file}: names tooling output ${m[0]}`);
  }
  for (const m of text.matchAll(/path\.join\([^)]*'(tools|test|bench|examples)'/g)) out.push(`${file}: builds a path into ${m[1]}/`);
  return out;
}

describe('the product stands apart from the tooling', () => {
  it('no product file imports tools/, test/, bench/ or examples/, or runs their build output', () => {
    const files = productFiles();
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((f) => crossings(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(problems).toEqual([]);
  });

  it('catches a crossing (the check can fail)', () => {
    expect(crossings('src/relay/x.ts', "import { a } from '../../tools/mesh/mesh';")).not.toEqual([]);
    expect(crossings('src/relay/x.ts', "const m = await import('../../test/fixtures/tmp');")).not.toEqual([]);
    expect(crossings('src/relay/x.ts', "const p = 'dist/tools/envoy-stand-in/bin.js';")).not.toEqual([]);
    expect(crossings('src/relay/x.ts', "const p = path.join(ROOT, 'examples', 'apps');")).not.toEqual([]);
    expect(crossings('src/relay/x.ts', "import { b } from '../common/backoff';")).toEqual([]);
  });

  it('builds, publishes and ships src/ only', () => {
    const build = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8'));
    expect(build.include).toEqual(['src/**/*.ts']);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    for (const bin of Object.values(pkg.bin as Record<string, string>)) expect(bin).toMatch(/^dist\/src\//);
    expect((pkg.files as string[]).filter((f) => f.startsWith('dist'))).toEqual(['dist/src']);
    for (const image of ['agent.Dockerfile', 'mgmt.Dockerfile']) {
      const text = fs.readFileSync(path.join(ROOT, 'docker', image), 'utf8');
      const copied = [...text.matchAll(/COPY --from=build \S+\/dist\/(\S+)/g)].map((m) => m[1]);
      expect(copied, image).toEqual(['src']);
      expect(text, image).not.toMatch(/COPY (tools|test|bench|examples\/apps)\b/);
    }
  });
});
