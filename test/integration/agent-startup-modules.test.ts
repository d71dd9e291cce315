import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentRig } from '../fixtures/agent-rig';
import { readLoadedModules } from '../fixtures/loaded-modules-probe';
import { ROOT } from '../fixtures/relay-process';
import { tmpDir } from '../fixtures/tmp';

const PRELOAD = path.join(ROOT, 'dist', 'test', 'fixtures', 'loaded-modules-probe.js');

describe('agent start: what is loaded before the first /status (docs/agent-performance.md)', () => {
  let rig: AgentRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('loads neither prom-client, the protobufjs reflection build, zod, gRPC, the AWS SDK, the relay nor the control plane; /metrics loads prom-client', async () => {
    const out = path.join(tmpDir('appnet-startup-'), 'modules.jsonl');
    rig = await AgentRig.start({ env: { NODE_OPTIONS: `--require ${PRELOAD}`, APPNET_PROBE_MODULES_FILE: out } });
    expect((await rig.status()).healthStatus).toBeDefined();
    const loaded = readLoadedModules(out)[0]!.modules; // at the first request the agent served
    expect(loaded.some((m) => m.endsWith(path.join('sidecar', 'main.js')))).toBe(true); // the preload saw the agent
    const banned = [/node_modules\/prom-client\//, /node_modules\/@opentelemetry\//, /node_modules\/protobufjs\/src\/(root|parse|type)\.js$/, /node_modules\/zod\//, /node_modules\/@grpc\//, /node_modules\/@aws-sdk\//, /node_modules\/@smithy\//, /dist\/src\/relay\//, /dist\/src\/mgmt\//];
    expect(loaded.filter((m) => banned.some((b) => b.test(m)))).toEqual([]);
    const metrics = await rig.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(String(metrics.body)).toContain('appnet_agent_healthy');
  });
});
