#!/usr/bin/env node
/**
 * appnet-relay: one per container instance. Accepts the xDS streams of every
 * Envoy (and proxyless gRPC client) on the host over a Unix socket, signs each
 * with SigV4 and forwards it over HTTP/2 + TLS to the management server.
 * Configuration is environment only; see README.md "Relay configuration" or `--help`.
 */
import './v8-tuning'; // first: V8 flags apply to what is loaded after
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { ConfigError } from '../common/env';
import { createLogger } from '../common/logger';
import { SocketPathError } from '../common/unix-socket';
import { type RelayConfig, loadRelayConfig, relayHelp } from './config';
import { Relay } from './relay';

export async function runRelay(env: NodeJS.ProcessEnv = process.env): Promise<Relay> {
  let cfg: RelayConfig;
  try {
    cfg = loadRelayConfig(env, { fileExists: (p) => fs.existsSync(p), fipsEnabled: crypto.getFips() === 1 });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`appnet-relay: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger('appnet-relay', cfg.logLevel);
  const relay = new Relay(cfg, { log, credentials: fromNodeProviderChain() });
  process.on('uncaughtException', (err) => relay.recordInternalError(err));
  process.on('unhandledRejection', (err) => relay.recordInternalError(err));
  try {
    await relay.start();
  } catch (err) {
    const msg = err instanceof SocketPathError ? err.message : `cannot start: ${(err as Error).message}`;
    log.fatal(msg);
    process.stderr.write(`appnet-relay: ${msg}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.info({ signal }, 'second signal: ending streams now');
      relay.hurry();
      return;
    }
    stopping = true;
    log.info({ signal }, 'received signal');
    relay.shutdown().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return relay;
}

if (require.main === module) {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) process.stdout.write(relayHelp());
  else void runRelay();
}
