#!/usr/bin/env node
/**
 * appnet-mgmt: the App Mesh control plane. The App Mesh API (as the AWS CLI and
 * SDKs call it) on the admin port, the model kept in a store (--data-dir, or
 * memory), and xDS (ADS, SotW and Delta over gRPC) for Envoy sidecars, virtual
 * gateways and proxyless gRPC clients. Every setting is in cli-config.ts
 * (`--help` prints them).
 *
 * Logs JSON lines (pino) to stdout; once listening, one line with "msg":"listening",
 * "port" and "adminPort". SIGTERM/SIGINT: graceful close, exit 0. Any bad setting
 * (or file, or stored state): every problem on stderr, exit 1. Secrets are never logged.
 */
import { ConfigError } from '../common/env';
import { createLogger } from '../common/logger';
import { parseMgmtArgs, USAGE } from './cli-config';
import { MgmtMetrics } from './metrics';
import { startManagementServer } from './server';
import { openSources, type Sources } from './sources';
import { errorMessage } from '../common/problem';

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const parsed = parseMgmtArgs(argv, env);
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const { config } = parsed;
  const logger = createLogger('appnet-mgmt', config.logLevel);
  const bad = parsed.problems.length > 0;
  const problems: string[] = bad ? [new ConfigError(parsed.problems).message] : [];
  let sources: Sources | undefined;
  // The store's state is read at scrape time, once the sources exist.
  const metrics = new MgmtMetrics({ store: () => sources!.storeHealth(), cloudMap: () => sources?.cloudMapStatus() });
  if (!bad) {
    try {
      sources = await openSources(config, env, logger, metrics);
    } catch (e) {
      problems.push(errorMessage(e));
    }
  }
  if (problems.length > 0 || !sources) {
    await sources?.close();
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
    adminExtensions: [
      ...sources.adminExtensions,
      { prefix: '/metrics', handle: async () => ({ status: 200, text: await metrics.text(), headers: { 'content-type': metrics.registry.contentType } }) },
    ],
    health: () => ({ store: sources.storeHealth() }),
    logger,
    maxStreamAgeMs: config.maxStreamAgeMs,
  });
  metrics.watch(server);
  sources.store.onChange(() => metrics.modelChanged());
  sources.console.attach(server);
  logger.info(
    {
      port: server.port,
      adminPort: server.adminPort ?? null,
      host: config.host,
      tls: config.tls !== undefined,
      sigv4: config.sigv4 ? { region: config.sigv4.region, service: config.sigv4.service, accessKeyIds: config.sigv4.credentials.map((c) => c.accessKeyId) } : null,
      resources: config.resources ?? null,
      appmesh: config.appmesh ?? null,
      store: sources.store.backend.description,
      api: server.adminPort !== undefined ? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${server.adminPort}` : null,
      console: server.adminPort !== undefined && (config.consoleToken !== undefined || config.sigv4 === undefined) ? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${server.adminPort}/ui/` : null,
      accountId: config.accountId,
      region: config.arnRegion,
      maxStreamAgeMs: config.maxStreamAgeMs,
    },
    'listening',
  );
  if (server.adminPort === undefined) logger.warn('no --admin-port: the App Mesh API is not served, so the model cannot be changed');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server
      .close()
      .catch((e: unknown) => logger.error({ err: errorMessage(e) }, 'error while closing'))
      .then(() => sources.close())
      .catch((e: unknown) => logger.error({ err: errorMessage(e) }, 'error while closing the store'))
      .finally(() => {
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
    process.stderr.write(`appnet-mgmt: ${errorMessage(e)}\n`);
    process.exitCode = 1;
  },
);
