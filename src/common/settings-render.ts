import type { SettingDoc } from './settings';

/**
 * A settings table rendered two ways: the README's Markdown table and `--help`'s plain
 * text. Both come from the same declarations (settings.ts), so they say the same thing.
 * Pure.
 */

export interface TableOptions {
  /** A first column with the flag (appnet-mgmt, where every setting has one); else a flag is named beside the variable. */
  flagColumn?: boolean;
}

function flagText(s: SettingDoc): string | undefined {
  if (s.flag === undefined) return undefined;
  return s.arg === undefined ? s.flag : `${s.flag} ${s.arg}`;
}

/** The variable and what may stand in for it: `X` (or `Y`, `-flag <arg>`). */
function names(s: SettingDoc, opts: TableOptions, quote: (t: string) => string): string {
  const flag = opts.flagColumn ? undefined : flagText(s);
  const others = [...s.or, ...(flag === undefined ? [] : [flag])];
  return others.length === 0 ? quote(s.env) : `${quote(s.env)} (or ${others.map(quote).join(', ')})`;
}

const cell = (md: string): string => md.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README's table: variable (and flag), default, accepted form, meaning. */
export function settingsMarkdown(settings: readonly SettingDoc[], opts: TableOptions = {}): string {
  const code = (t: string) => `\`${t}\``;
  const head = opts.flagColumn ? ['flag', 'variable', 'default', 'accepted', 'meaning'] : ['variable', 'default', 'accepted', 'meaning'];
  const rows = settings.map((s) => {
    const first = opts.flagColumn ? [code(flagText(s) ?? '')] : [];
    return [...first, names(s, opts, code), s.defaultText, s.form, s.help];
  });
  const line = (r: readonly string[]) => `| ${r.map(cell).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n') + '\n';
}

/** Markdown to terminal text: code spans and emphasis lose their marks (a `*` inside code stays). */
export function plainText(md: string): string {
  return md
    .split(/(`[^`]*`)/)
    .map((part) =>
      part.length >= 2 && part.startsWith('`') && part.endsWith('`')
        ? part.slice(1, -1)
        : part
            .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
            .replace(/\*\*([^*]+)\*\*/g, '$1')
            .replace(/\*([^*\s][^*]*)\*/g, '$1'),
    )
    .join('');
}

/** Words wrapped to `width`, the first line after `first`, the others after `rest`. */
export function wrap(textIn: string, width: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of textIn.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else line = empty ? line + word : `${line} ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** `--help`'s table: per setting, its names, then its meaning, default and accepted form. */
export function settingsHelp(settings: readonly SettingDoc[], opts: TableOptions & { width?: number } = {}): string {
  const width = opts.width ?? 100;
  const out: string[] = [];
  for (const s of settings) {
    if (out.length > 0) out.push('');
    const flag = flagText(s);
    out.push(opts.flagColumn && flag !== undefined ? `  ${flag}  (${s.env})` : `  ${names(s, opts, (t) => t)}`);
    out.push(...wrap(plainText(s.help), width, '      ', '      '));
    out.push(...wrap(plainText(s.defaultText), width, '      default: ', '               '));
    out.push(...wrap(plainText(s.form), width, '      accepts: ', '               '));
  }
  return out.join('\n') + '\n';
}
