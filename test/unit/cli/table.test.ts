import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../src/cli/table';
import { formatAge, oneLine, shortVersion, truncate } from '../../../src/cli/text-format';

describe('text table', () => {
  it('aligns every column on the widest cell, two spaces apart, without trailing spaces', () => {
    const lines = renderTable([{ header: 'NODE ID' }, { header: 'CDS' }, { header: 'NOTE' }], [
      ['a', 'SYNCED', ''],
      ['a-much-longer-id', 'NACKED', 'why'],
    ]);
    expect(lines).toEqual([
      'NODE ID           CDS     NOTE',
      'a                 SYNCED',
      'a-much-longer-id  NACKED  why',
    ]);
  });

  it('cuts cells to the column max (at the end or in the middle), one safe line each', () => {
    const lines = renderTable([{ header: 'ID', max: 9, truncate: 'middle' }, { header: 'MSG', max: 10 }], [
      ['mesh/apps/virtualNode/serviceA', 'line one\nline two'],
      ['\u001b[2Jx\ry', 'ok'],
    ]);
    expect(lines).toEqual([
      'ID         MSG',
      'mesh…iceA  line one…',
      '[2Jx y     ok',
    ]);
  });

  it('paints after padding, so colors never shift the columns', () => {
    const lines = renderTable([{ header: 'A' }, { header: 'B' }], [['xx', 'y']], { paint: (text, raw, row) => (row === 0 ? text.replace(raw, `<${raw}>`) : text) });
    expect(lines).toEqual(['A   B', '<xx>  <y>']);
  });
});

describe('text helpers', () => {
  it('formats ages compactly', () => {
    expect([0, 42, 60, 312, 3600, 7384, 86_400, 273_600].map(formatAge)).toEqual(['0s', '42s', '1m00s', '5m12s', '1h00m', '2h03m', '1d0h', '3d4h']);
    expect(formatAge(null)).toBe('-');
  });

  it('shortens versions to 8 characters, marking the cut', () => {
    expect(shortVersion('1503230bc361a5cd')).toBe('1503230b…');
    expect(shortVersion('17')).toBe('17');
    expect(shortVersion('123456789')).toBe('123456789');
    expect(shortVersion(null)).toBe('');
  });

  it('truncates by code points and makes one line of anything', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcdef', 4, 'middle')).toBe('ab…f');
    expect(truncate('abc', 3)).toBe('abc');
    expect(oneLine(' a\n\tb\u0007c \u009b ')).toBe('a b c');
  });
});
