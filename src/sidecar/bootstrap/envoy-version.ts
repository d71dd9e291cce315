import { execFile } from 'node:child_process';
import type { EnvoyBuild, Outcome } from './platform-facts';

/** `envoy --version` mentions "fips" (any case) for FIPS builds, e.g. `…/RELEASE/BoringSSL-FIPS`. */
export function parseEnvoyVersion(output: string): EnvoyBuild {
  const version = output.trim();
  return { version, fips: /fips/i.test(version) };
}

/** Run `<bin> --version` (bounded in time and output); an error when it cannot run or fails. */
export function probeEnvoyBuild(bin: string, timeoutMs: number): Promise<Outcome<EnvoyBuild>> {
  return new Promise((resolve) => {
    execFile(bin, ['--version'], { timeout: timeoutMs, maxBuffer: 64 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        const reason = err.killed ? `timed out after ${timeoutMs} ms` : err.message.split('\n')[0];
        resolve({ ok: false, error: `${bin} --version: ${reason}` });
        return;
      }
      resolve({ ok: true, value: parseEnvoyVersion(`${stdout}${stderr}`) });
    });
  });
}
