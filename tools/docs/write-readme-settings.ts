/**
 * `npm run docs:settings`: rewrites the README's settings tables from the daemons'
 * declarations (readme-settings.ts). Run from the repository root, or give the README's path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { updateReadme } from './readme-settings';

const file = process.argv[2] ?? path.join(process.cwd(), 'README.md');
const { text, stale, problems } = updateReadme(fs.readFileSync(file, 'utf8'));
if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
fs.writeFileSync(file, text);
process.stdout.write(stale.length === 0 ? `${file}: the settings tables were up to date\n` : `${file}: rewrote ${stale.join(', ')}\n`);
