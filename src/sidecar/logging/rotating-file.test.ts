import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RotatingLogFile } from './rotating-file';

describe('RotatingLogFile', () => {
  it('appends, rotates by copy-truncate past the limit, and keeps only the newest copies', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'appnet-log-'));
    fs.writeFileSync(path.join(dir, 'a.log'), 'previous run\n');
    let t = 1_000_000_000_000;
    const f = RotatingLogFile.open({ dir, name: 'a.log', maxBytes: 100, retention: 2, now: () => t });
    fs.writeSync(f.fd, 'x'.repeat(50));
    expect(f.rotateIfNeeded()).toBeUndefined();
    expect(fs.readFileSync(f.file, 'utf8').startsWith('previous run\n')).toBe(true); // appended, not truncated
    const copies: string[] = [];
    for (let i = 0; i < 4; i++) {
      fs.writeSync(f.fd, `${i}`.repeat(200));
      copies.push(f.rotateIfNeeded()!);
      t += 1000;
      fs.writeSync(f.fd, 'after');
    }
    expect(fs.readFileSync(f.file, 'utf8')).toBe('after'); // writes after truncation land at the start
    const left = fs.readdirSync(dir).filter((x) => x !== 'a.log').sort();
    expect(left).toEqual(copies.slice(2).map((c) => path.basename(c)).sort());
    expect(fs.readFileSync(copies[3]!, 'utf8')).toBe('after' + '3'.repeat(200));
    fs.closeSync(f.fd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the variable when the directory is missing', () => {
    expect(() => RotatingLogFile.open({ dir: '/nonexistent/x', name: 'a.log', maxBytes: 1, retention: 1 })).toThrow(/APPNET_ENVOY_LOG_DESTINATION: directory \/nonexistent\/x does not exist/);
  });
});
