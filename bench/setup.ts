/**
 * What every path shares, made once per run: a temp directory, a throwaway CA
 * and server certificate, the loopback container-credentials endpoint (in this
 * process) and the fake management server (its own process, grpc-js over TLS).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeLocalCa } from '../src/common/local-ca';
import { CredentialServer } from '../test/fixtures/cred-server';
import type { Target } from './load-client';
import type { Options } from './options';
import { Child, type Cleanup, withTimeout } from './processes';
import { KiB } from './units';
import { DOMAIN } from './wire';

export interface Setup {
  dir: string;
  caFile: string;
  /** The server's certificate and key (PEM files), for another server instance (the restart phase). */
  certFile: string;
  keyFile: string;
  upstreamPort: number;
  server: Child;
  creds: CredentialServer;
  /** The direct path: client -> server over TLS. */
  direct: Target;
}

export async function startSetup(cleanup: Cleanup, o: Options): Promise<Setup> {
  const dir = cleanup.removeDir(fs.mkdtempSync(path.join(os.tmpdir(), 'appnet-bench-')));
  if (o.snapshotDir) fs.mkdirSync(o.snapshotDir, { recursive: true });
  const ca = await makeLocalCa([DOMAIN, 'localhost', '127.0.0.1'], dir);
  const creds = new CredentialServer({ accessKeyId: 'AKIDBENCHRELAY0001', secretAccessKey: 'bench-secret', sessionToken: 'bench-session-token', ttlMs: 3600_000 });
  cleanup.close(() => creds.close());
  await creds.start();
  const prebuild = [KiB, 256, ...o.tput.runs.map((r) => r.bytes)].join(',');
  const server = new Child(cleanup, 'upstream-server', 'upstream-server.js', { BENCH_CERT: ca.files!.cert, BENCH_KEY: ca.files!.key, BENCH_PREBUILD: prebuild });
  const ready = (await withTimeout(server.ready, 20_000, 'upstream server start')) as { port: number };
  return {
    dir,
    caFile: ca.files!.ca,
    certFile: ca.files!.cert,
    keyFile: ca.files!.key,
    upstreamPort: ready.port,
    server,
    creds,
    direct: { kind: 'direct', address: `127.0.0.1:${ready.port}`, caPem: ca.caPem },
  };
}
