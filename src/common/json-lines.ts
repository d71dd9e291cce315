import type { Readable } from 'node:stream';

/** Each complete line of `stream`, parsed as JSON (a non-JSON line arrives as {msg: line}). */
export function onJsonLines(stream: Readable, each: (line: Record<string, unknown>, raw: string) => void): void {
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const raw = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        line = { msg: raw };
      }
      each(line, raw);
    }
  });
}
