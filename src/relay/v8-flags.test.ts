import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/env';
import { loadRelayConfig } from './config';
import { relayV8Flags } from './v8-flags';

const facts = { fileExists: () => false, fipsEnabled: false };
/** What the relay's configuration makes of one variable: the config, or 'problem'. */
function configured(env: Record<string, string>) {
  try {
    return loadRelayConfig({ AWS_REGION: 'us-west-2', ...env }, facts);
  } catch (e) {
    if (e instanceof ConfigError) return 'problem' as const;
    throw e;
  }
}
const NO_IM = '--no-incremental-marking';

describe('the relay V8 flags', () => {
  it('bound the old generation growth at 50 % and start without incremental marking unless told otherwise', () => {
    expect(relayV8Flags({})).toBe(`--heap-growing-percent=50 ${NO_IM}`);
    expect(relayV8Flags({ RELAY_V8_HEAP_GROWING_PERCENT: ' 25 ' })).toBe(`--heap-growing-percent=25 ${NO_IM}`);
    expect(relayV8Flags({ RELAY_V8_HEAP_GROWING_PERCENT: '0' })).toBe(NO_IM);
    expect(relayV8Flags({ RELAY_V8_HEAP_GROWING_PERCENT: '0', RELAY_V8_INCREMENTAL_MARKING: 'ON' })).toBeUndefined();
    expect(relayV8Flags({ RELAY_V8_INCREMENTAL_MARKING: 'on' })).toBe('--heap-growing-percent=50');
    expect(relayV8Flags({ RELAY_V8_INCREMENTAL_MARKING: ' off ' })).toBe(`--heap-growing-percent=50 ${NO_IM}`);
    expect(relayV8Flags({ RELAY_V8_INCREMENTAL_MARKING: 'auto' })).toBe(`--heap-growing-percent=50 ${NO_IM}`);
  });

  it('set nothing for a value the configuration refuses, and agree with it on every value', () => {
    for (const v of ['-1', '1001', '1.5', 'fifty', '50x', '99999']) {
      expect(relayV8Flags({ RELAY_V8_HEAP_GROWING_PERCENT: v, RELAY_V8_INCREMENTAL_MARKING: 'on' })).toBeUndefined();
      expect(configured({ RELAY_V8_HEAP_GROWING_PERCENT: v })).toBe('problem');
    }
    for (const v of [undefined, '0', '1', '50', '1000']) {
      const c = configured(v === undefined ? {} : { RELAY_V8_HEAP_GROWING_PERCENT: v });
      if (c === 'problem') throw new Error(`refused ${v}`);
      expect(c.v8HeapGrowingPercent).toBe(v === undefined ? 50 : Number(v));
      const flags = relayV8Flags(v === undefined ? {} : { RELAY_V8_HEAP_GROWING_PERCENT: v });
      expect(flags).toBe(c.v8HeapGrowingPercent === 0 ? NO_IM : `--heap-growing-percent=${c.v8HeapGrowingPercent} ${NO_IM}`);
    }
    for (const v of ['maybe', 'true', '1', 'enabled']) {
      expect(relayV8Flags({ RELAY_V8_HEAP_GROWING_PERCENT: '0', RELAY_V8_INCREMENTAL_MARKING: v })).toBeUndefined();
      expect(configured({ RELAY_V8_INCREMENTAL_MARKING: v })).toBe('problem');
    }
    for (const [v, mode] of [[undefined, 'auto'], ['Auto', 'auto'], ['on', 'on'], ['OFF', 'off']] as const) {
      const c = configured(v === undefined ? {} : { RELAY_V8_INCREMENTAL_MARKING: v });
      expect(c !== 'problem' && c.v8IncrementalMarking).toBe(mode);
      expect(relayV8Flags(v === undefined ? {} : { RELAY_V8_INCREMENTAL_MARKING: v })).toBe(mode === 'on' ? '--heap-growing-percent=50' : `--heap-growing-percent=50 ${NO_IM}`);
    }
  });
});
