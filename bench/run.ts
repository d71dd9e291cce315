#!/usr/bin/env node
/**
 * `npm run bench`: the relay benchmark (a script, not a test).
 *
 * Per run: a throwaway CA, a fake management server (grpc-js over TLS, its own
 * process), a loopback container-credentials endpoint (in this process), the
 * relay as a real process (`node dist/src/relay/main.js`) and, unless
 * --no-floor, the floor proxy (bench/floor-proxy, a bare node:http2 pipe) as
 * another. Load generators are separate processes (grpc-js clients). The paths
 * (paths.ts: direct, relay, floor) are measured the same way, interleaved, and
 * reported as ratios against each other, measured in the same run.
 *
 *   1. round trip: one stream, warm-up, then sequential request -> 1 KiB response; p50/p99
 *   2. throughput: one stream, pipelined 1 MiB and 10 MiB responses; MiB/s
 *   3. relay (and floor) CPU per round trip and per GiB (/proc/<pid>/stat)
 *   4. relay RSS with N idle streams (fresh relay), proved open through /status
 *   5. fan-out: one 1 MiB update pushed to N streams at once, relay vs direct (phase-fanout.ts)
 *   6. restart: N streams on one relay, the management server killed and started again on its
 *      port; the time until every stream has a response from it, relay vs direct (phase-restart.ts)
 *   7. agent cold start and RSS
 *   8. control-plane replicas: a real etcd, two appnet-mgmt replicas, N ADS streams over both;
 *      route updates through the API timed until every stream has them (phase-replicas.ts)
 *
 * Flags: see options.ts or --help. Each timed run is preceded by one discarded
 * warm-up run per path (steady state). Output: a summary, a Markdown block
 * between <!-- bench:start --> and <!-- bench:end -->, and
 * bench/results/latest.json. Every child process and the temp directory are
 * removed on exit, error, or Ctrl-C.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Floor, startFloor } from './floor-process';
import { type Options, PHASES, parseArgs } from './options';
import { makePaths } from './paths';
import { agentPhase } from './phase-agent';
import { fanoutPhase } from './phase-fanout';
import { idlePhaseWithFloor } from './phase-idle';
import { replicasPhase } from './phase-replicas';
import { restartPhase } from './phase-restart';
import { rttPhase } from './phase-rtt';
import { tputPhase } from './phase-tput';
import { CLK_TCK } from './proc-stats';
import { Cleanup, startClient } from './processes';
import { RELAY_MAIN, startRelay } from './relay-process';
import { markdown } from './report-markdown';
import { summary } from './report-summary';
import { computeGoals } from './goals';
import { type Results, writeResults } from './results';
import { say } from './say';
import { type Setup, startSetup } from './setup';
import { GiB } from './units';

function newResults(o: Options): Results {
  return {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      memGiB: Math.round(os.totalmem() / GiB),
      quick: o.quick,
      diag: o.diag,
      floor: o.floor && (o.only.includes('rtt') || o.only.includes('tput')),
      phases: o.only,
      reps: o.reps,
      clkTck: CLK_TCK,
      seconds: 0,
      relayWarnings: 0,
      floorErrors: 0,
    },
    goals: [],
  };
}

/** Phases 1-3: one relay (defaults), the floor proxy unless --no-floor, one load client. */
async function timedPhases(o: Options, cleanup: Cleanup, setup: Setup, results: Results): Promise<void> {
  say(`starting relay (defaults)${results.meta.floor ? ', the floor proxy' : ''} and a load client…`);
  const relay = await startRelay(cleanup, setup, 'relay', o.relayEnv, false, o.relayNodeArgs);
  let floor: Floor | undefined;
  try {
    if (results.meta.floor) floor = await startFloor(cleanup, setup, 'floor', o.floorNodeArgs);
    const client = await startClient(cleanup, 'load-client');
    try {
      const paths = makePaths(client, setup.server, setup.direct, { relay, floor });
      if (o.only.includes('rtt')) {
        say(`round trips: 1 warm-up run + ${o.reps} × (${o.rtt.warmup} warm-up + ${o.rtt.count}) per path (${paths.names.join(', ')})`);
        results.rtt = await rttPhase(o, paths);
      }
      if (o.only.includes('tput')) {
        say(`throughput: 1 warm-up + ${o.reps} × ${o.tput.runs.map((r) => `${r.count} × ${r.label}`).join(' and ')} per path (${paths.names.join(', ')})`);
        results.tput = await tputPhase(o, paths);
      }
    } finally {
      client.kill();
    }
  } finally {
    results.meta.relayWarnings += relay.tail.warnings;
    results.meta.floorErrors += floor?.tail.warnings ?? 0;
    await floor?.stop().catch(() => undefined);
    await relay.stop().catch(() => undefined);
  }
}

async function main(cleanup: Cleanup): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: exceeded ${o.watchdogMs / 1000} s; aborting\n`);
    void cleanup.run().finally(() => process.exit(1));
  }, o.watchdogMs);
  watchdog.unref();
  if (!fs.existsSync(RELAY_MAIN)) throw new Error(`${RELAY_MAIN} is missing: run npm run build first`);

  say(`appnet relay benchmark${o.quick ? ' (quick)' : ''}: phases ${o.only.join(', ')}; Node ${process.version}, ${os.cpus().length} cores`);
  const setup = await startSetup(cleanup, o);
  const results = newResults(o);
  if (o.only.includes('rtt') || o.only.includes('tput')) await timedPhases(o, cleanup, setup, results);
  if (o.only.includes('idle')) {
    say(`idle streams: levels ${o.idle.levels.join(', ')} (${o.idle.streamsPerConnection} per connection, ${o.idle.workers} client processes), fresh relay${o.diag ? ', with the diagnosis probe' : ''}`);
    results.idle = await idlePhaseWithFloor(o, cleanup, setup);
  }
  if (o.only.includes('fanout')) {
    say(`fan-out: ${o.fanout.streams} streams, one ${o.fanout.bytes / 2 ** 20} MiB update pushed to all at once; ${o.reps} × (direct, relay${o.fanout.floor ? ', floor' : ''}), a fresh ${o.fanout.floor ? 'relay and floor' : 'relay'} each time`);
    results.fanout = await fanoutPhase(o, cleanup, setup);
  }
  if (o.only.includes('restart')) {
    const R = o.restart;
    say(`restart: ${R.streams} streams on one relay (${R.perConn} per connection, admission ${R.rate ?? 'default'}/s), the server killed and started again on its port after ${R.downMs / 1000} s; then the same directly`);
    results.restart = await restartPhase(o, cleanup, setup);
  }
  if (o.only.includes('agent')) {
    say(`agent: ${o.agentRuns} cold starts (each a fresh appnet-agent with the Envoy stand-in), bootstrap generation, RSS`);
    results.agent = await agentPhase(cleanup, o.agentRuns, o.agentNodeArgs);
  }
  if (o.only.includes('replicas')) results.replicas = await replicasPhase(o, cleanup);

  results.goals = computeGoals(results);
  results.meta.seconds = Math.round((Date.now() - started) / 100) / 10;
  say(summary(results));
  say('');
  say(markdown(results));
  const file = writeResults(results, PHASES);
  say(`\nwrote ${path.relative(process.cwd(), file) || file} (${results.meta.seconds} s)`);
}

const cleanup = new Cleanup();
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    process.stderr.write(`\nbench: ${sig}: stopping child processes and removing temp files\n`);
    void cleanup.run().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  });
}
process.on('exit', () => cleanup.runSync());

main(cleanup).then(
  () => cleanup.run().then(() => process.exit(0)),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    void cleanup.run().finally(() => process.exit(1));
  },
);
