import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/common/env';
import type { SettingDoc } from '../../src/common/settings';
import { SETTINGS as MGMT_SETTINGS, USAGE as MGMT_USAGE } from '../../src/mgmt/cli-config';
import { RELAY_SETTINGS_TABLE, loadRelayConfig, relayHelp } from '../../src/relay/config';
import { agentHelp, loadSidecarConfig } from '../../src/sidecar/config';
import { AGENT_SETTINGS_TABLE } from '../../src/sidecar/config/agent-settings';
import { BOOTSTRAP_SETTINGS_TABLE } from '../../src/sidecar/config/bootstrap-settings';

/**
 * The daemons' settings tables are the whole truth: every variable a loader reads is in its
 * table, every variable in the table is read, none is declared twice, and --help lists them all.
 */

/** An environment that sets every variable of `table` (`values` where the value steers what else is read) and records what is read. */
function everything(table: readonly SettingDoc[], seen: Set<string>, values: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string> = {};
  for (const s of table) env[s.env] = values[s.env] ?? 'x';
  return new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') seen.add(key);
      return target[key as string];
    },
  });
}
const declared = (table: readonly SettingDoc[]) => new Set(table.flatMap((s) => [s.env, ...s.or]));

/** Run a loader for what it reads; a value it refuses does not matter here. */
function attempt(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
  }
}

describe('settings tables', () => {
  it('declare each variable once per daemon', () => {
    for (const table of [RELAY_SETTINGS_TABLE, [...AGENT_SETTINGS_TABLE, ...BOOTSTRAP_SETTINGS_TABLE], MGMT_SETTINGS]) {
      const names = table.map((s) => s.env);
      expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
      for (const s of table) expect(s.help, s.env).not.toBe('');
    }
    const flags = MGMT_SETTINGS.map((s) => s.flag);
    expect(flags.filter((f, i) => flags.indexOf(f) !== i)).toEqual([]);
  });

  it('the relay reads exactly the variables of its table', () => {
    const seen = new Set<string>();
    const env = everything(RELAY_SETTINGS_TABLE, seen, {
      AWS_REGION: 'us-west-2',
      APPNET_MANAGEMENT_DOMAIN_NAME: 'mgmt.example.com',
      APPMESH_XDS_ENDPOINT: 'x.example.com',
      APPNET_MANAGEMENT_ADDRESS: '127.0.0.1',
      RELAY_TRUSTED_CA_FILE: '/ca.pem',
      APPNET_AGENT_ADMIN_MODE: 'uds',
    });
    attempt(() => loadRelayConfig(env, { fileExists: () => true, fipsEnabled: false }));
    expect([...seen].filter((n) => !declared(RELAY_SETTINGS_TABLE).has(n))).toEqual([]);
    // AWS_DEFAULT_REGION is an alternative: read only when AWS_REGION is unset.
    expect(RELAY_SETTINGS_TABLE.map((s) => s.env).filter((n) => !seen.has(n))).toEqual([]);
  });

  it('the agent reads exactly the variables of its two tables', () => {
    const table = [...AGENT_SETTINGS_TABLE, ...BOOTSTRAP_SETTINGS_TABLE];
    const seen = new Set<string>();
    const env = everything(table, seen, {
      APPNET_AGENT_ADMIN_MODE: 'uds',
      APPMESH_RESOURCE_ARN: 'mesh/m/virtualNode/n',
      AWS_REGION: 'us-west-2',
      APPMESH_SIGNING_NAME: 'appmesh',
      XRAY_SAMPLING_RATE: '0.5',
      ENVOY_STATS_FLUSH_INTERVAL: '5s',
      APPNET_CONTAINER_IP_MAPPING: '{}',
      APPNET_LISTENER_PORT_MAPPING: '{}',
      APPNET_ENVOY_LOG_DESTINATION: '/tmp',
      ENVOY_CONFIG_FILE: '/tmp/envoy.yaml',
      APPMESH_XDS_ENDPOINT: 'unix:///tmp/relay.sock',
      ENABLE_ENVOY_DATADOG_TRACING: 'false',
      ENABLE_ENVOY_JAEGER_TRACING: 'false',
    });
    attempt(() => loadSidecarConfig(env, [], { generateBootstrap: true }));
    expect([...seen].filter((n) => !declared(table).has(n))).toEqual([]);
    expect(table.map((s) => s.env).filter((n) => !seen.has(n))).toEqual([]);
  });

  it('--help lists every setting: the relay, the agent (and its flags), appnet-mgmt', () => {
    const relay = relayHelp();
    for (const s of RELAY_SETTINGS_TABLE) expect(relay).toContain(`\n  ${s.env}`);
    const agent = agentHelp();
    for (const s of [...AGENT_SETTINGS_TABLE, ...BOOTSTRAP_SETTINGS_TABLE]) expect(agent).toContain(`\n  ${s.env}`);
    for (const flag of ['-envoyConfigPath <path>', '-logLevel <level>', '-envoyReadiness', '-help']) expect(agent).toContain(flag);
    for (const s of MGMT_SETTINGS) expect(MGMT_USAGE).toContain(`\n  ${s.flag} ${s.arg}  (${s.env})`);
    expect(relay).toContain('      default: ecs-sc.<region>.api.aws\n      accepts: DNS name');
  });
});
