import { describe, expect, it } from 'vitest';
import { defaultAdminAddress, describeAddress, parseAdminAddress } from '../../../src/cli/admin-address';
import { MAIN_USAGE, STATUS_USAGE, parseArgs } from '../../../src/cli/args';
import { ConfigError } from '../../../src/common/env';

describe('appnet command line', () => {
  it('parses status with its flags, in both --flag value and --flag=value forms', () => {
    expect(parseArgs(['status'])).toEqual({ kind: 'status', target: 'relay', address: undefined, json: false });
    expect(parseArgs(['status', '--json', '--relay', '/s.sock'])).toEqual({ kind: 'status', target: 'relay', address: '/s.sock', json: true });
    expect(parseArgs(['status', '--relay=:9902'])).toEqual({ kind: 'status', target: 'relay', address: ':9902', json: false });
    expect(parseArgs(['status', '--agent', 'unix:/a.sock', '--json'])).toEqual({ kind: 'status', target: 'agent', address: 'unix:/a.sock', json: true });
  });

  it('gives help', () => {
    expect(parseArgs(['--help'])).toEqual({ kind: 'help', text: MAIN_USAGE });
    expect(parseArgs(['help'])).toEqual({ kind: 'help', text: MAIN_USAGE });
    expect(parseArgs(['help', 'status'])).toEqual({ kind: 'help', text: STATUS_USAGE });
    expect(parseArgs(['status', '--relay', 'x', '-h'])).toEqual({ kind: 'help', text: STATUS_USAGE });
  });

  it('refuses what it does not know, each with a plain message', () => {
    const cases: Array<[string[], string]> = [
      [[], 'no command given'],
      [['stat'], 'unknown command "stat"'],
      [['--verbose'], 'unknown option "--verbose"'],
      [['status', '--wide'], 'unknown option "--wide"'],
      [['status', 'relay'], 'unexpected argument "relay"'],
      [['status', '--relay'], '--relay needs an address'],
      [['status', '--relay', '--json'], '--relay needs an address'],
      [['status', '--agent='], '--agent needs an address'],
      [['status', '--relay', 'a', '--relay', 'b'], '--relay is given twice'],
      [['status', '--json', '--json'], '--json is given twice'],
      [['status', '--relay', 'a', '--agent', 'b'], 'give --relay or --agent, not both'],
    ];
    for (const [argv, message] of cases) expect(() => parseArgs(argv), argv.join(' ')).toThrow(message);
  });
});

describe('admin addresses', () => {
  const parse = (s: string) => describeAddress(parseAdminAddress(s, '/home/op'));
  it('takes sockets and TCP addresses in the usual forms', () => {
    expect(parse('unix:/var/run/ecs/appnet_admin.sock')).toBe('unix:/var/run/ecs/appnet_admin.sock');
    expect(parse('unix:///tmp/a.sock')).toBe('unix:/tmp/a.sock');
    expect(parse('/tmp/a.sock')).toBe('unix:/tmp/a.sock');
    expect(parse('./a.sock')).toBe('unix:/home/op/a.sock');
    expect(parse('unix:a.sock')).toBe('unix:/home/op/a.sock');
    expect(parse('127.0.0.1:9902')).toBe('127.0.0.1:9902');
    expect(parse('localhost:9902')).toBe('localhost:9902');
    expect(parse('[::1]:9902')).toBe('[::1]:9902');
    expect(parse(':9902')).toBe('127.0.0.1:9902');
    expect(parse('9902')).toBe('127.0.0.1:9902');
    expect(parse('http://relay.local:9902')).toBe('relay.local:9902');
    expect(parse('http://[::1]:9902/')).toBe('[::1]:9902');
    expect(parse('http://0.0.0.0:9902')).toBe('127.0.0.1:9902');
  });

  it('refuses the rest', () => {
    for (const bad of ['', 'unix:', 'relay.local', 'host:0', 'host:70000', 'https://h:1', 'http://h:1/status', 'a b:1']) {
      expect(() => parseAdminAddress(bad, '/'), bad).toThrow(/bad address/);
    }
  });

  it('defaults to what the relay itself would listen on', () => {
    expect(defaultAdminAddress({})).toEqual({ kind: 'uds', path: '/var/run/ecs/appnet_admin.sock' });
    expect(defaultAdminAddress({ APPNET_AGENT_ADMIN_MODE: 'uds', APPNET_AGENT_ADMIN_UDS_PATH: '/run/a.sock' })).toEqual({ kind: 'uds', path: '/run/a.sock' });
    expect(defaultAdminAddress({ APPNET_AGENT_ADMIN_MODE: 'tcp' })).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9902 });
    expect(defaultAdminAddress({ APPNET_AGENT_ADMIN_MODE: 'tcp', APPNET_AGENT_HTTP_PORT: '9911', APPNET_AGENT_HTTP_BIND_ADDRESS: '[::1]' })).toEqual({ kind: 'tcp', host: '::1', port: 9911 });
    expect(defaultAdminAddress({ APPNET_AGENT_ADMIN_MODE: 'tcp', APPNET_AGENT_HTTP_BIND_ADDRESS: '0.0.0.0' })).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9902 });
    expect(() => defaultAdminAddress({ APPNET_AGENT_ADMIN_MODE: 'tcp', APPNET_AGENT_HTTP_PORT: 'x' })).toThrow(ConfigError);
  });
});
