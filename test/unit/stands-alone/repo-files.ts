import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The parts of the repository that must not cite anything outside it. */
const IN_SCOPE = /^(?:(?:src|test|bench|docs|docker|deploy|examples)\/|[^/]+\.md$)/;

/**
 * The files in scope, as paths from the repository root: those git tracks, plus new
 * ones it does not ignore (so a file is checked before its first commit). Binary files
 * and files deleted from the work tree are left out.
 */
export function filesInScope(root: string): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return [...new Set(listed.split('\0'))]
    .filter((f) => f !== '' && IN_SCOPE.test(f))
    .filter((f) => fs.statSync(path.join(root, f), { throwIfNoEntry: false })?.isFile() === true)
    .sort();
}

/** A file's text, or undefined when it is binary. */
export function readText(root: string, file: string): string | undefined {
  const buf = fs.readFileSync(path.join(root, file));
  return buf.includes(0) ? undefined : buf.toString('utf8');
}
