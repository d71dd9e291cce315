import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentRig } from '../fixtures/agent-rig';
import { BootstrapHold } from '../fixtures/bootstrap-hold';
import { readLoadedModules } from '../fixtures/loaded-modules-probe';
import { ROOT } from '../fixtures/relay-process';
import { tmpDir } from '../fixtures/tmp';

const PRELOAD = path.join(ROOT, 'dist', 'test', 'fixtures', 'loaded-modules-probe.js');

/**
 * Loaded only after the first /status, or never without a need (docs/agent-performance.md).
 * The bootstrap generator itself is loaded right after the admin API listens (the held start
 * below is inside it), so it is not among these.
 */
const NOT_AT_FIRST_STATUS: Array<[string, RegExp]> = [
  ['prom-client', /node_modules\/prom-client\//],
  ['@opentelemetry', /node_modules\/@opentelemetry\//],
  ['the protobufjs reflection build', /node_modules\/protobufjs\/src\/(root|parse|type)\.js$/],
  ['protobufjs (the relay health codec, at the first relay check)', /node_modules\/protobufjs\//],
  ['zod', /node_modules\/zod\//],
  ['gRPC', /node_modules\/@grpc\//],
  ['the AWS SDK', /node_modules\/@aws-sdk\/|node_modules\/@smithy\//],
  ['the relay', /dist\/src\/relay\//],
  ['the control plane', /dist\/src\/mgmt\//],
  ['yaml (when the bootstrap is written)', /node_modules\/yaml\//],
  ['the Prometheus parser, renderer and stats snapshotter', /dist\/src\/admin\/prometheus\//],
  ['the /stats/prometheus processing', /dist\/src\/sidecar\/admin-api\/stats-processing\.js$/],
  ['the readiness probe', /dist\/src\/sidecar\/readiness-probe\.js$/],
];

describe('agent start: what is loaded before the first /status (docs/agent-performance.md)', () => {
  let rig: AgentRig | undefined;
  let hold: BootstrapHold | undefined;
  afterEach(async () => {
    await rig?.close();
    hold?.dispose();
    rig = undefined;
    hold = undefined;
  });

  it('answers the first /status with none of the lazily loaded modules; the bootstrap, Envoy and /metrics load theirs', async () => {
    const out = path.join(tmpDir('appnet-startup-'), 'modules.jsonl');
    // Held while the bootstrap is prepared: the first /status is surely answered before it is written.
    hold = new BootstrapHold();
    rig = await AgentRig.start({ env: { NODE_OPTIONS: `--require ${PRELOAD}`, APPNET_PROBE_MODULES_FILE: out, ENABLE_STATS_SNAPSHOT: '1', ...hold.env } });
    expect((await rig.status()).envoyPid).toBe('-1');
    const loaded = readLoadedModules(out)[0]!.modules; // at the first request the agent served
    expect(loaded.some((m) => m.endsWith(path.join('sidecar', 'main.js')))).toBe(true); // the preload saw the agent
    const early = NOT_AT_FIRST_STATUS.filter(([, re]) => loaded.some((m) => re.test(m))).map(([what]) => what);
    expect(early).toEqual([]);

    await hold.release('{}\n');
    const started = await rig.waitForEvent((e) => e.event === 'started');
    await rig.waitForStatus((s) => s.envoyPid === String(started.pid), 15_000, "a /status naming Envoy's pid");
    const metrics = await rig.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(String(metrics.body)).toContain('appnet_agent_healthy');
    const later = readLoadedModules(out).at(-1)!.modules; // at the /metrics request
    // the test can fail: what was kept from the first /status is loaded once it is needed
    for (const re of [/node_modules\/yaml\//, /dist\/src\/sidecar\/bootstrap\//, /dist\/src\/admin\/prometheus\/snapshotter\.js$/]) expect(later.some((m) => re.test(m))).toBe(true);
  });
});
