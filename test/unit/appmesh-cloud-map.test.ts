import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/common/logger';
import { renderProblem } from '../../src/common/problem';
import { CloudMapResolver, type CloudMapApi } from '../../src/mgmt/appmesh/cloud-map/resolver';
import { cloudMapQueryKey, instanceEndpoints, instancesOf, queriesOf, queryOf } from '../../src/mgmt/appmesh/cloud-map/query';
import { parseMgmtArgs } from '../../src/mgmt/cli-config';
import type { AppMeshModel, VirtualNode } from '../../src/mgmt/appmesh/types';

const quiet = () => createLogger('test', 'info', new Writable({ write: (_c, _e, cb) => cb() }));

type Summary = { InstanceId: string; Attributes: Record<string, string> };

/** A Cloud Map in memory: services by "namespace/service", calls counted, failures on demand. */
function fakeApi() {
  const services = new Map<string, { revision: number; instances: Summary[] }>();
  const calls = { revision: 0, discover: 0 };
  const state = { fail: false, holdDiscover: undefined as Promise<void> | undefined };
  const api: CloudMapApi = {
    async revision(q) {
      calls.revision++;
      if (state.fail) throw new Error('down');
      return services.get(`${q.namespaceName}/${q.serviceName}`)?.revision;
    },
    async discover(q) {
      calls.discover++;
      await state.holdDiscover;
      if (state.fail) throw Object.assign(new Error('Cloud Map is down'), { name: 'ServiceUnavailable' });
      const s = services.get(`${q.namespaceName}/${q.serviceName}`);
      if (!s) throw Object.assign(new Error('no such service'), { name: 'ServiceNotFound' });
      return s.instances.filter((i) => Object.entries(q.attributes).every(([k, v]) => i.Attributes[k] === v));
    },
  };
  const set = (key: string, instances: Summary[]) => services.set(key, { revision: (services.get(key)?.revision ?? 0) + 1, instances });
  return { api, calls, state, set };
}

const inst = (id: string, attrs: Record<string, string>): Summary => ({ InstanceId: id, Attributes: attrs });
const node = (name: string, attributes?: Array<{ key: string; value: string }>): VirtualNode =>
  ({ mesh: 'm', name, discovery: { kind: 'cloudMap', namespaceName: 'ns', serviceName: 'svc', ...(attributes ? { attributes } : {}) } }) as unknown as VirtualNode;
const model = (nodes: VirtualNode[], endpoints: Record<string, never[]> = {}): AppMeshModel =>
  ({ meshes: [], nodes, services: [], routers: [], routes: [], gateways: [], gatewayRoutes: [], endpoints: new Map(Object.entries(endpoints)) }) as unknown as AppMeshModel;

describe('Cloud Map queries and answers (pure)', () => {
  it('one query per distinct namespace, service and attributes; nodes with listed endpoints ask nothing', () => {
    const q = queriesOf(model([node('a', [{ key: 'v', value: '1' }, { key: 'az', value: 'x' }]), node('b', [{ key: 'az', value: 'x' }, { key: 'v', value: '1' }]), node('c'), node('d')], { 'm/d': [] }));
    expect([...q.keys()]).toEqual(['ns/svc?az=x&v=1', 'ns/svc']);
    expect(cloudMapQueryKey(queryOf({ kind: 'cloudMap', namespaceName: 'a/b', serviceName: 's', attributes: [{ key: 'k&', value: '=' }] }))).toBe('a%2Fb/s?k%26=%3D');
  });

  it('instances: AWS_INSTANCE_IPV4/IPV6/PORT read, unusable ones left out, sorted by id', () => {
    expect(
      instancesOf([
        inst('z', { AWS_INSTANCE_IPV4: '10.0.0.2', AWS_INSTANCE_PORT: '8080' }),
        inst('a', { AWS_INSTANCE_IPV6: '2001:db8::1', AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '70000' }),
        inst('n', { AWS_INSTANCE_IPV4: 'not-an-ip' }),
        inst('c', { AWS_INSTANCE_CNAME: 'x.example' }),
      ]),
    ).toEqual([
      { id: 'a', ipv4: '10.0.0.1', ipv6: '2001:db8::1' },
      { id: 'z', ipv4: '10.0.0.2', port: 8080 },
    ]);
  });

  it("endpoints follow the ipPreference, on the instance's port else the listener's", () => {
    const found = [
      { id: 'a', ipv4: '10.0.0.1', ipv6: '2001:db8::1' },
      { id: 'b', ipv4: '10.0.0.2', port: 9000 },
      { id: 'c', ipv6: '2001:db8::3' },
    ];
    const addrs = (p?: Parameters<typeof instanceEndpoints>[2]) => instanceEndpoints(found, 80, p).map((e) => `${e.address}:${e.port}`);
    expect(addrs()).toEqual(['10.0.0.1:80', '10.0.0.2:9000', '2001:db8::3:80']);
    expect(addrs('IPv6_PREFERRED')).toEqual(['2001:db8::1:80', '10.0.0.2:9000', '2001:db8::3:80']);
    expect(addrs('IPv4_ONLY')).toEqual(['10.0.0.1:80', '10.0.0.2:9000']);
    expect(addrs('IPv6_ONLY')).toEqual(['2001:db8::1:80', '2001:db8::3:80']);
  });
});

describe('CloudMapResolver (a Cloud Map in memory)', () => {
  const A = { AWS_INSTANCE_IPV4: '10.0.0.1' };
  const B = { AWS_INSTANCE_IPV4: '10.0.0.2' };

  it('new queries answered before follow() settles; an unchanged revision asks no instances; a change is told once', async () => {
    const cm = fakeApi();
    cm.set('ns/svc', [inst('a', { ...A, stage: 'live' }), inst('b', { ...B, stage: 'canary' })]);
    const r = new CloudMapResolver({ api: cm.api, refreshMs: 3_600_000, logger: quiet() });
    let changes = 0;
    r.onChange(() => changes++);
    await r.follow(model([node('x', [{ key: 'stage', value: 'live' }])]));
    expect([...r.instances()]).toEqual([['ns/svc?stage=live', [{ id: 'a', ipv4: '10.0.0.1' }]]]);
    expect(changes).toBe(1);
    await r.start();
    expect(cm.calls).toEqual({ revision: 2, discover: 1 });
    expect(changes).toBe(1);
    cm.set('ns/svc', [inst('a', { ...A, stage: 'live' }), inst('b', { ...B, stage: 'live' })]);
    await r.start();
    expect(r.instances().get('ns/svc?stage=live')).toHaveLength(2);
    expect(changes).toBe(2);
    r.close();
  });

  it('a query replaced by another: the old one stays until the new one is answered (no empty moment)', async () => {
    const cm = fakeApi();
    cm.set('ns/svc', [inst('a', { ...A, stage: 'live' }), inst('b', { ...B, stage: 'canary' })]);
    const r = new CloudMapResolver({ api: cm.api, refreshMs: 3_600_000, logger: quiet() });
    await r.follow(model([node('x', [{ key: 'stage', value: 'live' }])]));
    const seen: string[][] = [];
    r.onChange(() => seen.push([...r.instances().keys()]));
    let release!: () => void;
    cm.state.holdDiscover = new Promise((res) => (release = res));
    const following = r.follow(model([node('x', [{ key: 'stage', value: 'canary' }])]));
    await new Promise((res) => setImmediate(res));
    expect([...r.instances().keys()]).toEqual(['ns/svc?stage=live']);
    release();
    await following;
    expect(seen).toEqual([['ns/svc?stage=canary']]);
    expect(r.instances().get('ns/svc?stage=canary')).toEqual([{ id: 'b', ipv4: '10.0.0.2' }]);
    r.close();
  });

  it('a query added while a round runs is answered before its follow() settles', async () => {
    const cm = fakeApi();
    cm.set('ns/svc', [inst('a', { ...A, stage: 'live' }), inst('b', { ...B, stage: 'canary' })]);
    const r = new CloudMapResolver({ api: cm.api, refreshMs: 3_600_000, logger: quiet() });
    let release!: () => void;
    cm.state.holdDiscover = new Promise((res) => (release = res));
    const first = r.follow(model([node('x', [{ key: 'stage', value: 'live' }])]));
    const second = r.follow(model([node('x', [{ key: 'stage', value: 'live' }]), node('y', [{ key: 'stage', value: 'canary' }])]));
    release();
    await second;
    expect([...r.instances().keys()].sort()).toEqual(['ns/svc?stage=canary', 'ns/svc?stage=live']);
    await first;
    r.close();
  });

  it('a failing Cloud Map keeps the last instances and reports the failure until it answers again', async () => {
    const cm = fakeApi();
    cm.set('ns/svc', [inst('a', A)]);
    const r = new CloudMapResolver({ api: cm.api, refreshMs: 3_600_000, logger: quiet() });
    await r.follow(model([node('x')]));
    cm.state.fail = true;
    await r.start();
    expect(r.instances().get('ns/svc')).toEqual([{ id: 'a', ipv4: '10.0.0.1' }]);
    expect(r.status()).toMatchObject([{ key: 'ns/svc', instances: 1, lastError: 'ServiceUnavailable: Cloud Map is down' }]);
    cm.state.fail = false;
    await r.start();
    expect(r.status()).toMatchObject([{ instances: 1, lastError: undefined }]);
    r.close();
  });
});

describe('Cloud Map settings', () => {
  const read = () => '';
  it('off by default; region, endpoint and refresh read; every problem named', () => {
    expect(parseMgmtArgs([], {}, read)).toMatchObject({ kind: 'run', config: { cloudMap: undefined }, problems: [] });
    expect(parseMgmtArgs(['--cloud-map-region', 'eu-west-1', '--cloud-map-endpoint', 'http://127.0.0.1:9'], { APPNET_MGMT_CLOUD_MAP_REFRESH: '30s' }, read)).toMatchObject({
      config: { cloudMap: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', refreshMs: 30_000 } },
      problems: [],
    });
    const bad = parseMgmtArgs(['--cloud-map-endpoint', 'ftp://x', '--cloud-map-refresh', 'soon'], {}, read);
    const msg = bad.kind === 'run' ? bad.problems.map(renderProblem).join('\n') : '';
    expect(msg).toContain('--cloud-map-endpoint');
    expect(msg).toContain('an http:// or https:// URL');
    expect(msg).toContain('--cloud-map-refresh="soon"');
    const alone = parseMgmtArgs(['--cloud-map-endpoint', 'http://127.0.0.1:9'], {}, read);
    expect(alone.kind === 'run' ? alone.problems.map(renderProblem).join('\n') : '').toContain('--cloud-map-endpoint="http://127.0.0.1:9": expected to come with --cloud-map-region');
  });
});
