/** Progress and results go to stdout, one line at a time. */
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
