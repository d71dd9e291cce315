#!/usr/bin/env node
/**
 * appnet: the operator's command line. `appnet status` shows the xDS sync state
 * of every node on an appnet-relay (or, with --agent, one sidecar's health)
 * from their admin API's /status. See `appnet status --help`.
 */
import { fetchStatus } from './admin-fetch';
import { runCli } from './cli';
import { errorStack } from '../common/problem';

const TIMEOUT_MS = 5000;

async function main(): Promise<void> {
  // `appnet status | head -3`: a reader that goes away is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  const r = await runCli(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: process.stdout.isTTY === true,
    fetchStatus: (a) => fetchStatus(a, { timeoutMs: TIMEOUT_MS, retryAfter429Ms: 600 }),
  });
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  // exitCode, not exit(): a long table piped into `less` is written out in full first.
  process.exitCode = r.code;
}

main().catch((err: unknown) => {
  process.stderr.write(`appnet: unexpected error: ${errorStack(err)}\n`);
  process.exitCode = 1;
});
