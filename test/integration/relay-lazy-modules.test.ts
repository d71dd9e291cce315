import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADS_PATH, BULK_PATH, openBidi } from '../fixtures/grpc-upstream';
import { ROOT, getText } from '../fixtures/relay-process';
import { hasPackage, readLoadedModules } from '../fixtures/loaded-modules-probe';
import { Rig } from '../fixtures/rig';
import { tmpDir, waitFor } from '../fixtures/tmp';

const PROBE = path.join(ROOT, 'dist', 'test', 'fixtures', 'loaded-modules-probe.js');

/**
 * A relay loads prom-client at the first scrape and protobufjs at the first xDS
 * stream, not at start (docs/relay-performance.md "With no stream"). The built
 * relay runs with a preload that notes, at every admin API request, which
 * modules are loaded.
 */
describe('relay: modules loaded when first needed', () => {
  let rig: Rig;
  let probeFile: string;

  /** The modules loaded when the relay answered its latest /status. */
  const atLastStatus = (): string[] => {
    const lines = readLoadedModules(probeFile).filter((l) => l.path.startsWith('/status'));
    expect(lines.length).toBeGreaterThan(0);
    return lines.at(-1)!.modules;
  };

  beforeAll(async () => {
    const dir = tmpDir('appnet-lazy-');
    probeFile = path.join(dir, 'modules.jsonl');
    rig = await Rig.start({ relayEnv: { NODE_OPTIONS: `--require ${PROBE}`, APPNET_PROBE_MODULES_FILE: probeFile } });
  });
  afterAll(async () => {
    await rig?.close();
    fs.rmSync(path.dirname(probeFile), { recursive: true, force: true });
  });

  it('a started, healthy relay nobody scraped and no stream used has loaded neither prom-client nor protobufjs', async () => {
    const st = await rig.waitForStatus((s) => s.healthStatus === 'HEALTHY', 10_000, 'relay healthy');
    expect(st.credentials.state).toBe('VALID');
    const modules = atLastStatus();
    expect(modules.some((m) => m.endsWith(path.join('dist', 'src', 'relay', 'relay.js')))).toBe(true);
    expect(hasPackage(modules, '@aws-sdk/credential-providers')).toBe(true);
    expect(hasPackage(modules, 'prom-client')).toBe(false);
    expect(hasPackage(modules, 'protobufjs')).toBe(false);
  });

  it('an opaque (non-xDS) stream does not load protobufjs; the first xDS stream does', async () => {
    const relayThrough = async (streamPath: string) => {
      const up = rig.upstream.nextCall();
      const call = openBidi(rig.client(), streamPath);
      call.write(Buffer.from('hello'));
      const u = await up;
      await waitFor(() => u.received.length === 1);
      const got = new Promise<Buffer>((r) => call.once('data', r));
      u.call.write(Buffer.from('back'));
      await got;
      u.call.end();
      call.end();
    };
    await relayThrough(BULK_PATH);
    await rig.status();
    expect(hasPackage(atLastStatus(), 'protobufjs')).toBe(false);
    await relayThrough(ADS_PATH);
    await rig.status();
    expect(hasPackage(atLastStatus(), 'protobufjs')).toBe(true);
    expect(hasPackage(atLastStatus(), 'prom-client')).toBe(false);
  });

  it('the first scrape loads prom-client and serves the relay metrics', async () => {
    await rig.waitForStatus((s) => s.streams.active === 0 && s.streams.total === 2, 10_000, 'both streams ended');
    const r = await getText(rig.adminSocket, '/stats/prometheus');
    expect(r.status).toBe(200);
    expect(r.body).toContain('appnet_relay_streams_active 0');
    expect(r.body).toContain('appnet_relay_messages_total{direction="downstream_to_upstream"} 2');
    expect(r.body).toContain('appnet_relay_messages_total{direction="upstream_to_downstream"} 2');
    expect(r.body).toContain('appnet_relay_process_cpu_user_seconds_total');
    await rig.status();
    expect(hasPackage(atLastStatus(), 'prom-client')).toBe(true);
  });
});
