import { METRIC_TYPES, type Label, type MetricType } from './model';

/** One line of the text format, lexed; `parse.ts` assembles families from these. */
export type ParsedLine =
  | { readonly kind: 'skip' }
  | { readonly kind: 'help'; readonly name: string; readonly text: string }
  | { readonly kind: 'type'; readonly name: string; readonly type: MetricType }
  | {
      readonly kind: 'sample';
      readonly name: string;
      readonly labels: readonly Label[];
      readonly value: number;
      readonly timestampMs?: number;
    };

/** A problem in one line; `parse.ts` adds the line number. */
export class LineError extends Error {
  override readonly name = 'LineError';
}

const METRIC_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?inf(?:inity)?$/i;
const TIMESTAMP = /^[+-]?\d+$/;

/**
 * A sample value or `le`/`quantile` bound as Go's `strconv.ParseFloat` reads
 * it (decimal, `Inf`/`Infinity` with an optional sign, `NaN`, any case), or
 * undefined. Overflow (`1e999`) is rejected like Go's range error. Hex floats
 * are not accepted (Envoy never writes them).
 */
export function parseFloatValue(token: string): number | undefined {
  if (INFINITY.test(token)) return token.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(token)) return NaN;
  if (!DECIMAL.test(token)) return undefined;
  const v = Number(token);
  return Number.isFinite(v) ? v : undefined;
}

/** A cursor over one line; blanks are spaces and tabs, as in the text format. */
class Cursor {
  pos = 0;
  constructor(readonly s: string) {}

  get eof(): boolean {
    return this.pos >= this.s.length;
  }

  peek(): string {
    return this.s.charAt(this.pos);
  }

  skipBlanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  match(re: RegExp): string {
    re.lastIndex = this.pos;
    const m = re.exec(this.s);
    if (!m) return '';
    this.pos += m[0].length;
    return m[0];
  }

  untilBlank(): string {
    const start = this.pos;
    while (!this.eof && this.peek() !== ' ' && this.peek() !== '\t') this.pos++;
    return this.s.slice(start, this.pos);
  }

  expect(c: string, what: string): void {
    if (this.peek() !== c) throw new LineError(`expected '${c}' ${what} at column ${this.pos + 1}, found ${this.found()}`);
    this.pos++;
  }

  found(): string {
    return this.eof ? 'end of line' : JSON.stringify(this.peek());
  }
}

/** Lex one line (without its newline). Blank lines and plain comments are `skip`. */
export function parseLine(line: string): ParsedLine {
  const c = new Cursor(line.endsWith('\r') ? line.slice(0, -1) : line);
  c.skipBlanks();
  if (c.eof) return { kind: 'skip' };
  if (c.peek() === '#') return parseComment(c);
  return parseSample(c);
}

function parseComment(c: Cursor): ParsedLine {
  c.pos++;
  c.skipBlanks();
  const keyword = c.untilBlank();
  if (keyword !== 'HELP' && keyword !== 'TYPE') return { kind: 'skip' };
  c.skipBlanks();
  if (c.eof) return { kind: 'skip' }; // a bare "# HELP" is just a comment, as in Go's parser
  const name = c.match(METRIC_NAME);
  if (name === '' || (!c.eof && c.peek() !== ' ' && c.peek() !== '\t')) {
    throw new LineError(`invalid metric name in # ${keyword} line at column ${c.pos + 1}`);
  }
  c.skipBlanks();
  if (keyword === 'HELP') return { kind: 'help', name, text: unescape(c.s.slice(c.pos), 'HELP text', '\\n') };
  const typeText = c.untilBlank();
  c.skipBlanks();
  if (!c.eof) throw new LineError(`unexpected text after the type in # TYPE line at column ${c.pos + 1}`);
  const type = typeText.toLowerCase();
  if (!(METRIC_TYPES as readonly string[]).includes(type)) {
    throw new LineError(`unknown metric type ${JSON.stringify(typeText)} for ${name}`);
  }
  return { kind: 'type', name, type: type as MetricType };
}

function parseSample(c: Cursor): ParsedLine {
  const name = c.match(METRIC_NAME);
  if (name === '') throw new LineError(`invalid metric name at column ${c.pos + 1}, found ${c.found()}`);
  const labels: Label[] = [];
  if (c.peek() === '{') {
    c.pos++;
    parseLabels(c, labels);
  } else if (!c.eof && c.peek() !== ' ' && c.peek() !== '\t') {
    throw new LineError(`invalid character ${c.found()} in metric name at column ${c.pos + 1}`);
  }
  c.skipBlanks();
  if (c.eof) throw new LineError(`missing value for ${name}`);
  const valueText = c.untilBlank();
  const value = parseFloatValue(valueText);
  if (value === undefined) throw new LineError(`invalid value ${JSON.stringify(valueText)} for ${name}`);
  c.skipBlanks();
  if (c.eof) return { kind: 'sample', name, labels, value };
  const tsText = c.untilBlank();
  c.skipBlanks();
  if (!TIMESTAMP.test(tsText)) throw new LineError(`invalid timestamp ${JSON.stringify(tsText)} for ${name}`);
  if (!c.eof) throw new LineError(`unexpected text ${JSON.stringify(c.s.slice(c.pos))} after the timestamp of ${name}`);
  return { kind: 'sample', name, labels, value, timestampMs: Number(tsText) };
}

function parseLabels(c: Cursor, into: Label[]): void {
  for (;;) {
    c.skipBlanks();
    if (c.peek() === '}') {
      c.pos++;
      return;
    }
    const name = c.match(LABEL_NAME);
    if (name === '') throw new LineError(`invalid label name at column ${c.pos + 1}, found ${c.found()}`);
    c.skipBlanks();
    c.expect('=', `after label name ${name}`);
    c.skipBlanks();
    c.expect('"', `to open the value of label ${name}`);
    const value = readQuoted(c, name);
    if (into.some((l) => l.name === name)) throw new LineError(`duplicate label name ${JSON.stringify(name)}`);
    into.push({ name, value });
    c.skipBlanks();
    if (c.peek() === ',') {
      c.pos++;
      continue;
    }
    if (c.peek() === '}') continue;
    throw new LineError(`expected ',' or '}' after the value of label ${name} at column ${c.pos + 1}, found ${c.found()}`);
  }
}

/** The rest of a quoted label value (the opening quote already read), unescaped. */
function readQuoted(c: Cursor, label: string): string {
  const start = c.pos;
  for (;;) {
    if (c.eof) throw new LineError(`unterminated value of label ${label}`);
    const ch = c.peek();
    if (ch === '"') break;
    c.pos += ch === '\\' ? 2 : 1;
  }
  const raw = c.s.slice(start, c.pos);
  c.pos++;
  return unescape(raw, `value of label ${label}`, '\\"n');
}

/** Undo text-format escaping; `allowed` lists the characters that may follow a backslash. */
function unescape(raw: string, what: string, allowed: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charAt(i);
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = raw.charAt(++i);
    if (next === '' || !allowed.includes(next)) {
      throw new LineError(`invalid escape sequence ${JSON.stringify('\\' + next)} in ${what}`);
    }
    out += next === 'n' ? '\n' : next;
  }
  return out;
}
