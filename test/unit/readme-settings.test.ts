import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGENERATE, readmeTables, updateReadme } from '../../tools/docs/readme-settings';

const README = path.resolve(__dirname, '..', '..', 'README.md');

describe("the README's settings tables", () => {
  it('are what the settings declarations render', () => {
    const { stale, problems } = updateReadme(fs.readFileSync(README, 'utf8'));
    expect(problems).toEqual([]);
    expect(stale, `README.md settings tables out of date (${stale.join(', ')}): run \`${REGENERATE}\` and commit README.md`).toEqual([]);
  });

  it('fail the check when a block or a declaration differs, and are rewritten', () => {
    const fresh = updateReadme(fs.readFileSync(README, 'utf8')).text;
    const edited = fresh.replace('| `RELAY_CONNECT_TIMEOUT` |', '| `RELAY_CONNECT_TIMEOUT` | edited by hand');
    expect(edited).not.toBe(fresh);
    const update = updateReadme(edited);
    expect(update.stale).toEqual(['relay']);
    expect(update.text).toBe(fresh);
    expect(updateReadme(update.text).stale).toEqual([]);
    // A declaration changed without regenerating: the README no longer matches.
    const tables = readmeTables();
    expect(updateReadme(fresh, { ...tables, agent: tables.agent!.replace('`9901`', '`9999`') }).stale).toEqual(['agent']);
  });

  it('need one pair of markers per table, and no unknown one', () => {
    const tables = readmeTables();
    const doc = 'intro\n<!-- settings:relay:start -->\nold\n<!-- settings:relay:end -->\nprose kept\n<!-- settings:other:start --><!-- settings:other:end -->\n';
    const { text, stale, problems } = updateReadme(doc, { relay: tables.relay! });
    expect(text).toBe(`intro\n<!-- settings:relay:start -->\n${tables.relay}<!-- settings:relay:end -->\nprose kept\n<!-- settings:other:start --><!-- settings:other:end -->\n`);
    expect(stale).toEqual(['relay']);
    expect(problems).toEqual(['unknown settings block <!-- settings:other:start -->', 'unknown settings block <!-- settings:other:end -->']);
    expect(updateReadme('no markers', { relay: 'x' }).problems).toEqual(['the README needs exactly one <!-- settings:relay:start --> … <!-- settings:relay:end --> block']);
  });
});
