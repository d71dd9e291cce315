import { describe, expect, it } from 'vitest';
import { bool, port, text } from './settings';
import { plainText, settingsHelp, settingsMarkdown, wrap } from './settings-render';

const TABLE = [
  port({ env: 'APP_PORT', flag: '--port', arg: '<n>', default: 80, help: 'the port; `0` is refused' }),
  text({ env: 'APP_NAME', or: ['OLD_NAME'], shown: '*the host name*', form: 'a | b', help: '**Honored** when set' }),
  bool({ env: 'APP_ON', default: false, help: 'switch' }),
];

describe('settings tables rendered', () => {
  it('as the README\'s Markdown table (pipes escaped, alternatives and flags named)', () => {
    expect(settingsMarkdown(TABLE)).toBe(
      [
        '| variable | default | accepted | meaning |',
        '|---|---|---|---|',
        '| `APP_PORT` (or `--port <n>`) | `80` | 1–65535 | the port; `0` is refused |',
        '| `APP_NAME` (or `OLD_NAME`) | *the host name* | a \\| b | **Honored** when set |',
        '| `APP_ON` | `false` | boolean | switch |',
        '',
      ].join('\n'),
    );
    expect(settingsMarkdown(TABLE, { flagColumn: true }).split('\n').slice(0, 3)).toEqual([
      '| flag | variable | default | accepted | meaning |',
      '|---|---|---|---|---|',
      '| `--port <n>` | `APP_PORT` | `80` | 1–65535 | the port; `0` is refused |',
    ]);
  });

  it('as plain text for --help', () => {
    expect(settingsHelp(TABLE, { width: 40 })).toBe(
      [
        '  APP_PORT (or --port <n>)',
        '      the port; 0 is refused',
        '      default: 80',
        '      accepts: 1–65535',
        '',
        '  APP_NAME (or OLD_NAME)',
        '      Honored when set',
        '      default: the host name',
        '      accepts: a | b',
        '',
        '  APP_ON',
        '      switch',
        '      default: false',
        '      accepts: boolean',
        '',
      ].join('\n'),
    );
    expect(settingsHelp(TABLE.slice(0, 1), { flagColumn: true }).split('\n')[0]).toBe('  --port <n>  (APP_PORT)');
  });

  it('drops Markdown marks but keeps what is inside code', () => {
    expect(plainText('*appnet extension*: `us-gov-*`/`us-iso*` **bold** [docs](docs/README.md)')).toBe('appnet extension: us-gov-*/us-iso* bold docs (docs/README.md)');
    expect(plainText('*(required)*')).toBe('(required)');
  });

  it('wraps words with a hanging indent', () => {
    expect(wrap('one two three four', 12, '> ', '  ')).toEqual(['> one two', '  three four']);
    expect(wrap('', 12, '> ', '  ')).toEqual(['> ']);
  });
});
