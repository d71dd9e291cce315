#!/usr/bin/env node
/**
 * appnet-mgmt: a fake App Mesh / Service Connect management server (ADS SotW
 * and Delta over gRPC) for tests and the local mesh.
 *
 * Flags (each also read from its environment variable; a flag wins):
 *   --resources <file>          APPNET_MGMT_RESOURCES          .json or .yaml/.yml, re-read on change
 *   --appmesh <file>            APPNET_MGMT_APPMESH            App Mesh model (src/mgmt/appmesh/README.md), re-read on change
 *                                                              (at least one of the two; with both the model's resources win)
 *   --host <addr>               APPNET_MGMT_HOST               default 127.0.0.1
 *   --port <n>                  APPNET_MGMT_PORT               default 18000; 0 = any free port
 *   --admin-port <n>            APPNET_MGMT_ADMIN_PORT         HTTP admin pages (+ /appmesh API with --appmesh); off unless set; 0 = any
 *   --tls-cert <file>           APPNET_MGMT_TLS_CERT           PEM certificate (with --tls-key); else h2c
 *   --tls-key <file>            APPNET_MGMT_TLS_KEY
 *   --sigv4-region <region>     APPNET_MGMT_SIGV4_REGION       require SigV4 on every stream
 *   --sigv4-service <name>      APPNET_MGMT_SIGV4_SERVICE      default appmesh
 *   --sigv4-credentials <file>  APPNET_MGMT_SIGV4_CREDENTIALS  {"credentials":[{"accessKeyId","secretAccessKey","sessionToken"?}]}
 *   --max-stream-age <dur>      APPNET_MGMT_MAX_STREAM_AGE     e.g. 30m; 0 = never (default)
 *   --log-level <level>         APPNET_MGMT_LOG_LEVEL          default info
 *
 * Logs JSON lines (pino) to stdout; once listening, one line with "msg":"listening",
 * "port" and "adminPort". SIGTERM/SIGINT: graceful close, exit 0. Any bad setting
 * (or resource file): every problem on stderr, exit 1. Secrets are never logged.
 */
import { createLogger } from '../common/logger';
import { parseMgmtArgs, USAGE } from './cli-config';
import { startManagementServer } from './server';
import { openSources, type Sources } from './sources';

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const parsed = parseMgmtArgs(argv, env);
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const { config, error } = parsed;
  const logger = createLogger('appnet-mgmt', config.logLevel);
  const problems: string[] = error ? [error.message] : [];
  let sources: Sources | undefined;
  const fileProblem = error?.problems.some((p) => p.value === config.resources || p.value === config.appmesh);
  if (!fileProblem && (config.resources !== undefined || config.appmesh !== undefined)) {
    try {
      sources = openSources(config, env, logger);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (problems.length > 0 || !sources) {
    sources?.close();
    process.stderr.write(`appnet-mgmt: ${problems.join('\n')}\nRun with --help for the options.\n`);
    return 1;
  }
  const { source } = sources;

  const server = await startManagementServer({
    host: config.host,
    port: config.port,
    tls: config.tls,
    sigv4: config.sigv4,
    source,
    adminPort: config.adminPort,
    adminExtensions: sources.adminExtensions,
    logger,
    maxStreamAgeMs: config.maxStreamAgeMs,
  });
  logger.info(
    {
      port: server.port,
      adminPort: server.adminPort ?? null,
      host: config.host,
      tls: config.tls !== undefined,
      sigv4: config.sigv4 ? { region: config.sigv4.region, service: config.sigv4.service, accessKeyIds: config.sigv4.credentials.map((c) => c.accessKeyId) } : null,
      resources: config.resources ?? null,
      appmesh: config.appmesh ?? null,
      maxStreamAgeMs: config.maxStreamAgeMs,
    },
    'listening',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server
      .close()
      .catch((e: unknown) => logger.error({ err: e instanceof Error ? e.message : String(e) }, 'error while closing'))
      .finally(() => {
        sources.close();
        logger.info('stopped');
        logger.flush(() => process.exit(0));
        setTimeout(() => process.exit(0), 2000).unref();
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return undefined;
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`appnet-mgmt: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
