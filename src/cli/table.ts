import { type Truncate, oneLine, padEnd, truncate, width } from './text-format';

/** A plain aligned text table, pure: cells are made one safe line, cut to the column's max, padded. */

export interface Column {
  header: string;
  /** Cells longer than this are cut, marked with '…'. */
  max?: number;
  truncate?: Truncate;
}

/** Decorates a cell after padding (colors), so alignment is never affected. `row` is -1 for the header. */
export type Paint = (text: string, raw: string, row: number, col: number) => string;

export interface TableOptions {
  gap?: number;
  paint?: Paint;
}

export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], o: TableOptions = {}): string[] {
  const gap = ' '.repeat(o.gap ?? 2);
  const fit = (s: string, c: Column) => {
    const one = oneLine(s);
    return c.max !== undefined ? truncate(one, c.max, c.truncate) : one;
  };
  const header = columns.map((c) => oneLine(c.header));
  const body = rows.map((r) => columns.map((c, i) => fit(r[i] ?? '', c)));
  const widths = columns.map((_, i) => Math.max(width(header[i]!), ...body.map((r) => width(r[i]!))));
  const line = (cells: string[], row: number) =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : padEnd(cell, widths[i]!);
        return o.paint ? o.paint(padded, cell, row, i) : padded;
      })
      .join(gap)
      .trimEnd();
  return [line(header, -1), ...body.map((r, i) => line(r, i))];
}
