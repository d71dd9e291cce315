import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader } from './env';
import { bool, choice, code, custom, decimal, duration, int, port, rangeForm, socketPath, text } from './settings';

/** Read `setting` from `env`: the value and the problems ([name, value, expected]). */
function readWith<T>(setting: { read(r: EnvReader): T }, env: Record<string, string>): { value: T; problems: Array<[string, string, string]> } {
  const r = new EnvReader(env);
  const value = setting.read(r);
  try {
    r.finish();
    return { value, problems: [] };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { value, problems: e.problems.map((p) => [p.where, p.seen ?? `(no value; ${p.message})`, p.accepted ?? `(nothing accepted; ${p.message})`]) };
  }
}

describe('settings: each kind reads through EnvReader, with its messages', () => {
  it('text: trimmed, empty = unset, default or undefined', () => {
    const withDefault = text({ env: 'T', default: 'd', help: '' });
    const without = text({ env: 'T', help: '' });
    expect(readWith(withDefault, { T: '  v ' })).toEqual({ value: 'v', problems: [] });
    expect(readWith(withDefault, { T: '  ' }).value).toBe('d');
    expect(readWith(without, {}).value).toBeUndefined();
    expect([withDefault.form, withDefault.defaultText, without.defaultText]).toEqual(['text', '`d`', '—']);
  });

  it('int: range and message as before', () => {
    const s = int({ env: 'N', default: 3, min: 0, max: 10, help: '' });
    expect(readWith(s, { N: '10' }).value).toBe(10);
    expect(readWith(s, { N: '11' })).toEqual({ value: 3, problems: [['N', '11', 'an integer from 0 to 10']] });
    expect(readWith(s, { N: '1.5' }).problems).toEqual([['N', '1.5', 'an integer from 0 to 10']]);
    expect(readWith(int({ env: 'N', default: -1, min: -1, help: '' }), { N: '-2' }).problems).toEqual([['N', '-2', 'an integer of at least -1']]);
    expect(readWith(int({ env: 'N', default: 180, help: '' }), { N: '-7' }).value).toBe(-7);
    expect([s.form, s.defaultText]).toEqual(['0–10', '`3`']);
  });

  it('decimal: exclusive minimum and maximum', () => {
    const s = decimal({ env: 'D', default: 1.0, exclusiveMin: 0, max: 10_240, unit: 'MB', help: '' });
    expect(readWith(s, { D: '0.5' }).value).toBe(0.5);
    expect(readWith(s, { D: '0' }).problems).toEqual([['D', '0', 'a number greater than 0 of at most 10240']]);
    expect(readWith(s, { D: '1e3' }).problems).toHaveLength(1);
    expect(s.form).toBe('number > 0, ≤ 10240 (MB)');
  });

  it('bool: the six spellings, any case', () => {
    const s = bool({ env: 'B', default: true, help: '' });
    for (const [v, want] of [['1', true], ['F', false], ['yes', true], ['OFF', false], ['t', true], ['no', false]] as const) expect(readWith(s, { B: v }).value).toBe(want);
    expect(readWith(s, { B: 'maybe' })).toEqual({ value: true, problems: [['B', 'maybe', 'a boolean (1/0, true/false, t/f, yes/no, on/off)']] });
    expect([s.form, s.defaultText]).toEqual(['boolean', '`true`']);
  });

  it('port: 1-65535', () => {
    const s = port({ env: 'P', default: 9901, help: '' });
    expect(readWith(s, { P: '65535' }).value).toBe(65535);
    expect(readWith(s, { P: '0' }).problems).toEqual([['P', '0', 'an integer from 1 to 65535']]);
    expect(s.form).toBe('1–65535');
  });

  it("duration: Envoy's form, 0 only where it disables, an upper limit", () => {
    const off = duration({ env: 'T', defaultMs: 2_400_000, allowZero: true, help: '' });
    const capped = duration({ env: 'T', defaultMs: 5000, maxMs: 300_000, help: '' });
    expect([readWith(off, { T: '0' }).value, readWith(off, { T: '1.5s' }).value, readWith(off, { T: '5m' }).value]).toEqual([0, 1500, 300_000]);
    expect(readWith(capped, { T: '0s' }).problems).toEqual([['T', '0s', 'a duration such as 300s, 1.5s, 250ms, 5m or 1h (greater than 0, at most 300s)']]);
    expect(readWith(capped, { T: '6m' }).problems).toHaveLength(1);
    expect(readWith(off, { T: 'soon' }).problems).toEqual([['T', 'soon', 'a duration such as 300s, 1.5s, 250ms, 5m or 1h (0 disables it)']]);
    expect([off.form, off.defaultText, capped.form, capped.defaultText]).toEqual(['duration; `0` disables', '`2400s`', 'duration > 0, ≤ 5m', '`5s`']);
    expect(duration({ env: 'T', defaultMs: 20_000, allowZero: true, maxMs: 3_600_000, help: '' }).form).toBe('duration, ≤ 1h; `0` disables');
  });

  it('enum: lower-cased, one of the choices', () => {
    const s = choice({ env: 'E', choices: ['tcp', 'uds'] as const, default: 'tcp', help: '' });
    expect(readWith(s, { E: 'UDS' }).value).toBe('uds');
    expect(readWith(s, { E: 'http' })).toEqual({ value: 'tcp', problems: [['E', 'http', 'one of tcp, uds']] });
    expect(s.form).toBe('`tcp`, `uds`');
  });

  it('socket path: absolute, at most 107 bytes', () => {
    const s = socketPath({ env: 'S', default: '/tmp/x.sock', help: '' });
    expect(readWith(s, {}).value).toBe('/tmp/x.sock');
    expect(readWith(s, { S: 'rel.sock' }).problems).toEqual([['S', 'rel.sock', 'an absolute path']]);
    expect(readWith(s, { S: `/${'x'.repeat(107)}` }).problems).toEqual([['S', `/${'x'.repeat(107)}`, 'a path of at most 107 bytes (Unix socket limit)']]);
    expect(s.form).toBe('absolute path, ≤ 107 bytes');
  });

  it('custom: its own parser and form; without one, the raw text', () => {
    const even = custom<number>({
      env: 'C',
      default: 2,
      form: 'an even number',
      help: '',
      read: (r, name, fallback) => {
        const n = r.int(name, fallback);
        if (n % 2 !== 0) r.problem(name, String(n), 'an even number');
        return n;
      },
    });
    expect(readWith(even, { C: '4' }).value).toBe(4);
    expect(readWith(even, { C: '3' }).problems).toEqual([['C', '3', 'an even number']]);
    const raw = custom({ env: 'J', form: 'JSON', shown: 'none', help: '' });
    expect(readWith(raw, { J: ' {} ' }).value).toBe('{}');
    expect([raw.kind.type, raw.form, raw.defaultText]).toEqual(['custom', 'JSON', 'none']);
  });
});

describe('settings: names, alternatives and defaults', () => {
  it('reads the first of the variable and its alternatives that is set, and reports under that name', () => {
    const s = int({ env: 'NEW', or: ['OLD'], default: 1, help: '' });
    expect(readWith(s, { OLD: '5' }).value).toBe(5);
    expect(readWith(s, { NEW: '6', OLD: '5' }).value).toBe(6);
    expect(readWith(s, { OLD: 'x' }).problems.map((p) => p[0])).toEqual(['OLD']);
  });

  it('reads under another name (a flag) and with a default that depends on other settings', () => {
    const s = port({ env: 'P', flag: '--port', default: 443, help: '' });
    const r = new EnvReader({ '--port': '0', P: '80' });
    expect(s.read(r, { name: '--port' })).toBe(443);
    expect(() => r.finish()).toThrow(/--port="0"/);
    expect(s.read(new EnvReader({}), { fallback: 8443 })).toBe(8443);
    expect(s.read(new EnvReader({ P: 'x' }), { fallback: 8443 })).toBe(8443);
  });

  it('documents a default and a form by hand where the value does not say it', () => {
    const s = port({ env: 'P', default: 443, shown: '`443`, or the endpoint’s', form: 'a port', help: 'h' });
    expect([s.defaultText, s.form, s.help, s.fallback]).toEqual(['`443`, or the endpoint’s', 'a port', 'h', 443]);
  });

  it('writes number forms', () => {
    expect(rangeForm('integer', {})).toBe('integer');
    expect(rangeForm('integer', { min: 1, unit: 'seconds' })).toBe('integer ≥ 1 (seconds)');
    expect(rangeForm('integer', { max: 9 })).toBe('integer ≤ 9');
    expect(rangeForm('integer', { min: 2000, max: 30_000 })).toBe('2000–30000');
    expect([code('x'), code(1), code(false), code(undefined)]).toEqual(['`x`', '`1`', '`false`', '—']);
  });
});
