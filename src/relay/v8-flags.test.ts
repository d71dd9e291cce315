import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/env';
import { loadRelayConfig } from './config';
import { relayV8Flags } from './v8-flags';

const facts = { fileExists: () => false, fipsEnabled: false };
/** What the relay's configuration makes of RELAY_V8_HEAP_GROWING_PERCENT: its value, or the problem. */
function configured(value: string | undefined): number | 'problem' {
  try {
    return loadRelayConfig({ AWS_REGION: 'us-west-2', ...(value !== undefined ? { RELAY_V8_HEAP_GROWING_PERCENT: value } : {}) }, facts).v8HeapGrowingPercent;
  } catch (e) {
    if (e instanceof ConfigError) return 'problem';
    throw e;
  }
}

describe('the relay V8 flags', () => {
  it('bound the old generation growth at 50 % unless told otherwise; 0 leaves V8 its own factor', () => {
    expect(relayV8Flags({})).toBe('--heap-growing-percent=50');
    expect(relayV8Flags({ RELAY_V8_HEAP_GROWING_PERCENT: ' 25 ' })).toBe('--heap-growing-percent=25');
    expect(relayV8Flags({ RELAY_V8_HEAP_GROWING_PERCENT: '0' })).toBeUndefined();
  });

  it('set nothing for a value the configuration refuses, and agree with it on every value', () => {
    for (const v of ['-1', '1001', '1.5', 'fifty', '50x', '99999']) {
      expect(relayV8Flags({ RELAY_V8_HEAP_GROWING_PERCENT: v })).toBeUndefined();
      expect(configured(v)).toBe('problem');
    }
    for (const v of [undefined, '0', '1', '50', '1000']) {
      const n = configured(v);
      expect(n).toBe(v === undefined ? 50 : Number(v));
      expect(relayV8Flags(v === undefined ? {} : { RELAY_V8_HEAP_GROWING_PERCENT: v })).toBe(n === 0 ? undefined : `--heap-growing-percent=${n}`);
    }
  });
});
