/**
 * The README's settings tables, rendered from the daemons' settings declarations: each sits
 * between `<!-- settings:<name>:start -->` and `<!-- settings:<name>:end -->`. Pure: text in,
 * text out. `npm run docs:settings` writes the result (write-readme-settings.ts);
 * test/unit/readme-settings.test.ts fails when the README differs from it.
 */
import { SETTINGS as MGMT_SETTINGS } from '../../src/mgmt/cli-config';
import { settingsMarkdown } from '../../src/common/settings-render';
import { RELAY_SETTINGS_TABLE } from '../../src/relay/config';
import { AGENT_SETTINGS_TABLE } from '../../src/sidecar/config/agent-settings';
import { BOOTSTRAP_SETTINGS_TABLE } from '../../src/sidecar/config/bootstrap-settings';

export const REGENERATE = 'npm run docs:settings';

/** Block name -> its Markdown table. */
export function readmeTables(): Record<string, string> {
  return {
    relay: settingsMarkdown(RELAY_SETTINGS_TABLE),
    agent: settingsMarkdown(AGENT_SETTINGS_TABLE),
    bootstrap: settingsMarkdown(BOOTSTRAP_SETTINGS_TABLE),
    mgmt: settingsMarkdown(MGMT_SETTINGS, { flagColumn: true }),
  };
}

const start = (name: string) => `<!-- settings:${name}:start -->`;
const end = (name: string) => `<!-- settings:${name}:end -->`;

export interface ReadmeUpdate {
  /** The README with every block replaced by its table. */
  text: string;
  /** Blocks whose content differs from their table. */
  stale: string[];
  /** Markers missing, repeated, out of order or unknown. */
  problems: string[];
}

/** Every block of `readme` rendered afresh from `tables`. */
export function updateReadme(readme: string, tables: Record<string, string> = readmeTables()): ReadmeUpdate {
  let text = readme;
  const stale: string[] = [];
  const problems: string[] = [];
  for (const [name, table] of Object.entries(tables)) {
    const from = text.indexOf(start(name));
    const to = text.indexOf(end(name));
    const repeated = from >= 0 && text.indexOf(start(name), from + 1) >= 0;
    if (from < 0 || to < 0 || to < from || repeated) {
      problems.push(`the README needs exactly one ${start(name)} … ${end(name)} block`);
      continue;
    }
    const inner = from + start(name).length;
    const wanted = `\n${table}`;
    if (text.slice(inner, to) !== wanted) stale.push(name);
    text = text.slice(0, inner) + wanted + text.slice(to);
  }
  for (const m of readme.matchAll(/<!-- settings:([a-z-]+):(?:start|end) -->/g)) {
    if (!(m[1]! in tables)) problems.push(`unknown settings block ${m[0]}`);
  }
  return { text, stale, problems };
}
