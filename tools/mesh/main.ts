#!/usr/bin/env node
/**
 * `npm run mesh`: the App Mesh getting-started scenario running locally, no
 * Docker — management server, relay, three sidecars, the demo apps — with a
 * live table. Ctrl-C (or SIGTERM, or closing the terminal) stops everything;
 * if the orchestrator dies without stopping them, the children stop by themselves.
 *
 *   npm run mesh                       75 % serviceB / 25 % serviceBv2
 *   npm run mesh -- --weights 0,100    all traffic to serviceBv2
 *   options: --rate <calls/s> (20), --duration <s> (stop by itself), --keep (keep logs), --help
 */
import { useColor, COLOR, PLAIN } from '../../src/cli/style';
import { LocalMesh } from './mesh';
import { renderMeshView } from './mesh-view';

interface Args {
  weights: [number, number] | undefined;
  rate: number;
  durationS: number | undefined;
  keep: boolean;
}

const USAGE = `Usage: npm run mesh -- [--weights <serviceB>,<serviceBv2>] [--rate <calls/s>] [--duration <seconds>] [--keep]

  --weights   route weights at start (default 75,25: the guide's scenario)
  --rate      serviceA's calls per second (default 20)
  --duration  stop by itself after this many seconds
  --keep      keep the working directory (every process's log) after stopping
`;

function parse(argv: string[]): Args {
  const a: Args = { weights: undefined, rate: 20, durationS: undefined, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--weights') {
      const w = v().split(',').map(Number);
      if (w.length !== 2 || w.some((n) => !Number.isInteger(n) || n < 0 || n > 100) || w[0]! + w[1]! === 0) throw new Error('--weights: two integers from 0 to 100, not both 0, e.g. 0,100');
      a.weights = [w[0]!, w[1]!];
    } else if (k === '--rate') {
      a.rate = Number(v());
      if (!(a.rate > 0 && a.rate <= 1000)) throw new Error('--rate: calls per second, 1 to 1000');
    } else if (k === '--duration') {
      a.durationS = Number(v());
      if (!(a.durationS > 0)) throw new Error('--duration: seconds > 0');
    } else if (k === '--keep') a.keep = true;
    else if (k === '--help' || k === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${k}\n${USAGE}`);
  }
  return a;
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`mesh: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const tty = process.stdout.isTTY === true;
  const style = useColor(tty, process.env) ? COLOR : PLAIN;
  const mesh = new LocalMesh({ weights: args.weights, rate: args.rate, envoyBin: process.env.ENVOY_BIN, keep: args.keep, say: (l) => process.stdout.write(`${l}\n`) });
  process.on('exit', () => mesh.killNow());
  let stopping: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = (why: string) => {
    stopping ??= (async () => {
      if (timer) clearInterval(timer);
      process.stdout.write(`\n${why}: stopping the mesh (sidecars drain, then the relay and the management server)…\n`);
      await mesh.stop();
      process.stdout.write(args.keep ? `stopped; logs kept in ${mesh.dir}/logs\n` : 'stopped\n');
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => stop('Ctrl-C'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // A closed terminal window sends SIGHUP: stop everything as on SIGTERM. The terminal is
  // gone by then, so writing to it fails (EIO, EPIPE): that must not cut the stop short.
  process.on('SIGHUP', () => stop('SIGHUP (terminal closed)'));
  for (const out of [process.stdout, process.stderr]) out.on('error', () => undefined);
  try {
    await mesh.start();
  } catch (err) {
    process.stderr.write(`mesh: ${(err as Error).message}\n(logs in ${mesh.dir}/logs)\n`);
    await mesh.stop().catch(() => undefined);
    process.exit(1);
  }
  const hints = [
    `web console (the graph, the clients, the split to edit): ${mesh.consoleUrl}`,
    'change the split live with the AWS CLI (the App Mesh API of appnet-mgmt):',
    ...mesh.updateRouteCommand(0, 100).map((l) => `  ${l}`),
    `inspect: node dist/src/cli/main.js status --relay ${mesh.relayAdmin}   ·   logs: ${mesh.dir}/logs   ·   Ctrl-C stops everything`,
  ];
  const draw = async () => {
    if (stopping) return;
    const text = renderMeshView(await mesh.view(hints), style);
    process.stdout.write(tty ? `\x1b[2J\x1b[H${text}\n` : `${text}\n${'-'.repeat(80)}\n`);
  };
  await draw();
  timer = setInterval(() => void draw(), tty ? 1000 : 5000);
  if (args.durationS) setTimeout(() => stop(`${args.durationS} s passed`), args.durationS * 1000).unref();
}

void main();
