import { describe, expect, it } from 'vitest';
import { AddressRotation, hostPort, parseHostList } from './upstream-addresses';

describe('APPNET_MANAGEMENT_ADDRESS: one host or several', () => {
  it('reads a comma-separated list of names and addresses', () => {
    expect(parseHostList('mgmt.example')).toEqual({ ok: true, value: ['mgmt.example'] });
    expect(parseHostList('127.0.0.1, 127.0.0.2,[fd00::1],fd00::2')).toEqual({ ok: true, value: ['127.0.0.1', '127.0.0.2', 'fd00::1', 'fd00::2'] });
    expect(parseHostList('a,,b')).toEqual({
      ok: false,
      problems: [{ where: '', message: 'not a host name or IP address: ""', accepted: 'host names or IP addresses separated by commas' }],
    });
    expect(parseHostList('http://x')).toMatchObject({ ok: false });
    expect(parseHostList('a b')).toMatchObject({ ok: false });
    expect(hostPort('fd00::1', 443)).toBe('[fd00::1]:443');
    expect(hostPort('10.0.0.1', 443)).toBe('10.0.0.1:443');
  });
});

describe('AddressRotation', () => {
  it('resolves names to every address, keeps literals, and drops duplicates', async () => {
    const r = new AddressRotation(['mgmt', '10.0.0.9', 'other'], async (h) => (h === 'mgmt' ? ['10.0.0.1', '10.0.0.2'] : ['10.0.0.2']));
    expect(await r.resolve()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.9']);
    expect(r.addresses).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.9']);
  });

  it('starts after the address that failed or was lost, wrapping around', async () => {
    const r = new AddressRotation(['a', 'b', 'c']);
    (r as unknown as { candidates: string[] }).candidates = ['a', 'b', 'c'];
    expect(r.order()).toEqual(['a', 'b', 'c']);
    r.passOver('a');
    expect(r.order()).toEqual(['b', 'c', 'a']);
    r.passOver('c');
    expect(r.order()).toEqual(['a', 'b', 'c']);
  });

  it('skips a name that does not resolve while another does, and names them all when none does', async () => {
    const fail = Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
    const some = new AddressRotation(['gone', 'mgmt'], async (h) => {
      if (h === 'gone') throw fail;
      return ['10.0.0.1'];
    });
    expect(await some.resolve()).toEqual(['10.0.0.1']);
    const none = new AddressRotation(['gone', 'also-gone'], async () => {
      throw fail;
    });
    await expect(none.resolve()).rejects.toThrow('cannot resolve gone: ENOTFOUND; also-gone: ENOTFOUND');
  });
});
