#!/usr/bin/env node
/**
 * The local mesh's demo apps (the seed scenario's services):
 *   node dist/tools/demo-apps/main.js --name serviceB --port 50051
 *       a gRPC server answering its name (serviceB, serviceBv2)
 *   node dist/tools/demo-apps/main.js --name serviceA --call xds:///serviceb.apps.local:80 [--rate 20] [--stats-port 8080]
 *       calls the target through @grpc/grpc-js-xds (GRPC_XDS_BOOTSTRAP points at the relay socket)
 *       and serves GET /stats: who answered, in total and over the last 200 calls
 */
import { Caller } from './caller';
import { startNameServer } from './name-server';

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const name = arg(argv, 'name');
  if (!name) throw new Error('--name is required');
  const target = arg(argv, 'call');
  if (target) {
    if (target.startsWith('xds:')) (await import('@grpc/grpc-js-xds')).register();
    const caller = new Caller(target, Number(arg(argv, 'rate') ?? '20'));
    const port = await caller.start(arg(argv, 'stats-port') !== undefined ? Number(arg(argv, 'stats-port')) : undefined);
    process.stdout.write(`${JSON.stringify({ app: name, calling: target, statsPort: port ?? null })}\n`);
    const stop = () => {
      caller.stop();
      process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    return;
  }
  const server = await startNameServer(name, Number(arg(argv, 'port') ?? '0'), arg(argv, 'host') ?? '127.0.0.1');
  process.stdout.write(`${JSON.stringify({ app: name, port: server.port })}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`demo app: ${err.message}\n`);
  process.exit(1);
});
