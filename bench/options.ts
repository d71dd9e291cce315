/**
 * The benchmark's command line: flags -> Options (counts, repetitions, phases).
 * Pure apart from --help, which prints the usage and exits.
 */
import * as path from 'node:path';
import { KiB, MiB } from './units';

export type Phase = 'rtt' | 'tput' | 'idle' | 'fanout' | 'restart' | 'agent' | 'replicas';
export const PHASES: Phase[] = ['rtt', 'tput', 'idle', 'fanout', 'restart', 'agent', 'replicas'];

export interface Options {
  quick: boolean;
  only: Phase[];
  diag: boolean;
  /** Measure the floor path (a bare node:http2 pipe) beside direct and relay in rtt and tput. */
  floor: boolean;
  /** --snapshot-dir: keep the diagnosis heap snapshots here (default: temp dir, deleted). */
  snapshotDir: string | undefined;
  /** --relay-node-args: extra node arguments for every relay process (diagnosis, e.g. --cpu-prof). */
  relayNodeArgs: string[] | undefined;
  /** --floor-node-args: extra node arguments for the floor proxy processes (diagnosis, e.g. --cpu-prof). */
  floorNodeArgs: string[] | undefined;
  /** --relay-env: extra environment for every relay process (diagnosis, e.g. RELAY_V8_HEAP_GROWING_PERCENT=0). */
  relayEnv: Record<string, string>;
  /** --agent-node-args: extra node arguments for the agent's processes in the agent phase (diagnosis). */
  agentNodeArgs: string[];
  reps: number;
  rtt: { warmup: number; count: number; bytes: number };
  tput: { warmup: number; runs: Array<{ label: string; count: number; bytes: number }> };
  idle: { levels: number[]; streamsPerConnection: number; workers: number; concurrency: number; settleMs: number; responseBytes: number };
  /** Fan-out: one pushed update of `bytes` to `streams` open streams, through the relay and directly. */
  /**
   * `relayConnections`: RELAY_UPSTREAM_CONNECTIONS of the relays measured, one relay per value and
   * repetition, against the same direct runs (empty: one relay with its default).
   */
  fanout: { streams: number; bytes: number; perConn: number; relayConnections: number[]; floor: boolean };
  /**
   * Restart: `streams` streams (`perConn` per client connection, over `workers` client processes) on one
   * relay, the server killed and started again on its port after `downMs`; up to `waitMs` for all to be
   * back. `rate`: RELAY_MAX_NEW_STREAMS_PER_SECOND (undefined: the relay's default). `direct`: the same
   * without the relay, as the baseline.
   */
  restart: { streams: number; perConn: number; workers: number; rate: number | undefined; downMs: number; waitMs: number; direct: boolean };
  /** Agent cold starts measured. */
  agentRuns: number;
  /** Control-plane replicas: ADS streams over 2 replicas, route updates timed. */
  replicas: { streams: number; updates: number };
  watchdogMs: number;
}

function usage(): never {
  process.stdout.write(
    [
      'usage: npm run bench -- [--quick] [--only rtt|tput|idle|fanout|restart|agent|replicas[,...]] [--reps 3] [--fanout-streams 1000] [--relay-upstream-connections 1,4] [--levels 1,100,1000,10000] [--per-conn 100] [--replica-streams 5000] [--restart-streams 10000] [--restart-rate R] [--restart-wait S] [--no-floor] [--diag] [--snapshot-dir DIR]',
      '  --quick         smaller counts, one repetition (a smoke run; no floor path unless --floor)',
      '  --only          run only these phases',
      '  --reps N        repetitions of each round-trip and throughput run (default 3, --quick 1); medians are reported',
      '  --levels        idle stream counts (ascending)',
      '  --fanout-streams N  fan-out phase: streams that get the one pushed 1 MiB update (default 1000, --quick 200)',
      '  --fanout-floor  fan-out phase: the floor proxy as a third path (what any user-space hop costs the push)',
      '  --relay-upstream-connections 1,4  fan-out phase: a relay with each RELAY_UPSTREAM_CONNECTIONS (default: one relay, its default)',
      '  --per-conn      idle streams per client connection (default 100)',
      '  --replica-streams N  replicas phase: ADS streams over the two appnet-mgmt replicas (default 5000, --quick 500)',
      '  --restart-streams N  restart phase: streams on one relay when the management server is restarted',
      '                  (default 10000, --quick 1000); the same clients directly to the server as the baseline',
      '  --restart-rate R     restart phase: the relay\'s RELAY_MAX_NEW_STREAMS_PER_SECOND (default: the relay\'s, 100)',
      '  --restart-wait S     restart phase: seconds to wait for every stream to be back (default 180)',
      '  --settle MS     idle phase: wait before each RSS reading (default 2000, --quick 1000)',
      '  --no-floor      skip the floor path (bench/floor-proxy: a bare node:http2 pipe, no signing or',
      '                  inspection) that rtt and tput measure beside direct and relay; --floor forces it on',
      '  --diag          idle phase with a GC/heap probe preloaded into the relay (NODE_OPTIONS);',
      '                  prints JS heap per stream and a heap snapshot diff by constructor.',
      '                  Its RSS figures include the snapshots\' own cost: use a plain run for RSS.',
      '  --snapshot-dir  --diag, and keep the heap snapshots in DIR',
      '  --relay-node-args ARGS  extra node arguments for the relay processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"',
      '                  (relays are then stopped with SIGTERM so that profiles get written)',
      '  --floor-node-args ARGS  the same for the floor proxy processes (profiles to compare with the relay\'s)',
      '  --agent-node-args ARGS  extra node arguments for the agent processes of the agent phase, e.g. "--max-semi-space-size=1"',
      '  --relay-env K=V[,K=V]  extra environment for the relay processes, e.g. RELAY_V8_HEAP_GROWING_PERCENT=0',
      '',
    ].join('\n'),
  );
  process.exit(0);
}

export function parseArgs(argv: string[]): Options {
  let quick = false;
  let diag = false;
  let floor: boolean | undefined;
  let only: Phase[] = [...PHASES];
  let levels: number[] | undefined;
  let perConn = 100;
  let snapshotDir: string | undefined;
  let relayNodeArgs: string[] | undefined;
  let floorNodeArgs: string[] | undefined;
  const relayEnv: Record<string, string> = {};
  let agentNodeArgs: string[] = [];
  let reps: number | undefined;
  let settleMs: number | undefined;
  let replicaStreams: number | undefined;
  let fanoutStreams: number | undefined;
  let fanoutFloor = false;
  let relayConnections: number[] = [];
  let restartStreams: number | undefined;
  let restartRate: number | undefined;
  let restartWaitS = 180;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') quick = true;
    else if (a === '--diag') diag = true;
    else if (a === '--floor') floor = true;
    else if (a === '--no-floor') floor = false;
    else if (a === '--only' || a.startsWith('--only=')) {
      only = value().split(',').map((p) => p.trim()) as Phase[];
      for (const p of only) if (!PHASES.includes(p)) throw new Error(`--only: unknown phase "${p}" (${PHASES.join(', ')})`);
    } else if (a === '--levels' || a.startsWith('--levels=')) {
      levels = value().split(',').map(Number);
      if (levels.some((n, k) => !Number.isInteger(n) || n < 1 || n > 50_000 || (k > 0 && n <= levels![k - 1]!))) throw new Error('--levels: ascending integers from 1 to 50000');
    } else if (a === '--per-conn' || a.startsWith('--per-conn=')) {
      perConn = Number(value());
      if (!Number.isInteger(perConn) || perConn < 1 || perConn > 10_000) throw new Error('--per-conn: an integer from 1 to 10000');
    } else if (a === '--snapshot-dir' || a.startsWith('--snapshot-dir=')) {
      snapshotDir = path.resolve(value());
      diag = true;
    } else if (a === '--relay-node-args' || a.startsWith('--relay-node-args=')) {
      relayNodeArgs = value().split(/\s+/).filter(Boolean);
    } else if (a === '--floor-node-args' || a.startsWith('--floor-node-args=')) {
      floorNodeArgs = value().split(/\s+/).filter(Boolean);
    } else if (a === '--agent-node-args' || a.startsWith('--agent-node-args=')) {
      agentNodeArgs = value().split(/\s+/).filter(Boolean);
    } else if (a === '--relay-env' || a.startsWith('--relay-env=')) {
      for (const kv of value().split(',').filter(Boolean)) {
        const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(kv.trim());
        if (!m) throw new Error(`--relay-env: "${kv}" is not NAME=value`);
        relayEnv[m[1]!] = m[2]!;
      }
    } else if (a === '--settle' || a.startsWith('--settle=')) {
      settleMs = Number(value());
      if (!Number.isInteger(settleMs) || settleMs < 0 || settleMs > 120_000) throw new Error('--settle: milliseconds from 0 to 120000');
    } else if (a === '--replica-streams' || a.startsWith('--replica-streams=')) {
      replicaStreams = Number(value());
      if (!Number.isInteger(replicaStreams) || replicaStreams < 2 || replicaStreams > 20_000) throw new Error('--replica-streams: an integer from 2 to 20000');
    } else if (a === '--fanout-floor') fanoutFloor = true;
    else if (a === '--fanout-streams' || a.startsWith('--fanout-streams=')) {
      fanoutStreams = Number(value());
      if (!Number.isInteger(fanoutStreams) || fanoutStreams < 1 || fanoutStreams > 10_000) throw new Error('--fanout-streams: an integer from 1 to 10000');
    } else if (a === '--relay-upstream-connections' || a.startsWith('--relay-upstream-connections=')) {
      relayConnections = value().split(',').map(Number);
      if (relayConnections.some((n) => !Number.isInteger(n) || n < 1 || n > 64)) throw new Error('--relay-upstream-connections: integers from 1 to 64, separated by commas');
    } else if (a === '--restart-streams' || a.startsWith('--restart-streams=')) {
      restartStreams = Number(value());
      if (!Number.isInteger(restartStreams) || restartStreams < 1 || restartStreams > 50_000) throw new Error('--restart-streams: an integer from 1 to 50000');
    } else if (a === '--restart-rate' || a.startsWith('--restart-rate=')) {
      restartRate = Number(value());
      if (!Number.isFinite(restartRate) || restartRate <= 0 || restartRate > 1_000_000) throw new Error('--restart-rate: streams per second, more than 0 and at most 1000000');
    } else if (a === '--restart-wait' || a.startsWith('--restart-wait=')) {
      restartWaitS = Number(value());
      if (!Number.isInteger(restartWaitS) || restartWaitS < 5 || restartWaitS > 1800) throw new Error('--restart-wait: seconds from 5 to 1800');
    } else if (a === '--reps' || a.startsWith('--reps=')) {
      reps = Number(value());
      if (!Number.isInteger(reps) || reps < 1 || reps > 15) throw new Error('--reps: an integer from 1 to 15');
    } else if (a === '--help' || a === '-h') usage();
    else throw new Error(`unknown argument ${a} (try --help)`);
  }
  return {
    quick,
    only,
    diag,
    floor: floor ?? !quick,
    snapshotDir,
    relayNodeArgs,
    floorNodeArgs,
    relayEnv,
    agentNodeArgs,
    reps: reps ?? (quick ? 1 : 3),
    rtt: quick ? { warmup: 100, count: 1000, bytes: KiB } : { warmup: 200, count: 3000, bytes: KiB },
    tput: {
      warmup: 50,
      runs: quick
        ? [
            { label: '1 MiB', count: 50, bytes: MiB },
            { label: '10 MiB', count: 5, bytes: 10 * MiB },
          ]
        : [
            { label: '1 MiB', count: 200, bytes: MiB },
            { label: '10 MiB', count: 30, bytes: 10 * MiB },
          ],
    },
    idle: {
      levels: levels ?? (quick ? [1, 100, 1000] : [1, 100, 1000, 10_000]),
      streamsPerConnection: perConn,
      workers: quick ? 2 : 4,
      concurrency: 64,
      settleMs: settleMs ?? (quick ? 1000 : 2000),
      responseBytes: 256,
    },
    fanout: { streams: fanoutStreams ?? (quick ? 200 : 1000), bytes: MiB, perConn: 100, relayConnections, floor: fanoutFloor },
    restart: { streams: restartStreams ?? (quick ? 1000 : 10_000), perConn: 100, workers: quick ? 2 : 4, rate: restartRate, downMs: 2000, waitMs: restartWaitS * 1000, direct: true },
    agentRuns: quick ? 3 : 10,
    replicas: { streams: replicaStreams ?? (quick ? 500 : 5000), updates: quick ? 3 : 10 },
    // the fan-out phase moves streams × 1 MiB twice per repetition: minutes on a loaded machine
    watchdogMs:
      (quick ? 120_000 : 420_000) +
      (only.includes('fanout') ? (quick ? 120_000 : 480_000) * Math.max(1, relayConnections.length) : 0) +
      // the restart phase opens its streams at the relay's paced rate, then waits up to --restart-wait twice (relay, direct)
      (only.includes('restart') ? 120_000 + ((restartStreams ?? (quick ? 1000 : 10_000)) / (restartRate ?? 100)) * 2000 + 2 * restartWaitS * 1000 : 0) +
      // a long --settle: each level's readings (relay and floor) wait that long
      (only.includes('idle') && settleMs !== undefined ? 4 * ((levels ?? [1, 100, 1000, 10_000]).length + 1) * settleMs : 0),
  };
}
