import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_MESH_ENV, SERVICE_CONNECT_ENV, cfgFrom } from '../../../test/fixtures/bootstrap-env';
import { tmpDir } from '../../../test/fixtures/tmp';
import { parseEnvoyVersion, probeEnvoyBuild } from './envoy-version';
import { generateBootstrap } from './generate';
import { type PlatformDeps, collectPlatformFacts } from './platform';

type Route = { status?: number; body?: string; delayMs?: number };
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** A loopback HTTP server answering fixed routes ("METHOD /path"), recording every request. */
async function server(routes: Record<string, Route>): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const srv = http.createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    const route = routes[`${req.method} ${req.url}`];
    const answer = () => {
      if (!route) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(route.status ?? 200).end(route.body ?? '');
    };
    if (route?.delayMs) setTimeout(answer, route.delayMs);
    else answer();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  servers.push(srv);
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, seen };
}
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function deps(extra: Partial<PlatformDeps> = {}): PlatformDeps & { warnings: string[] } {
  const warnings: string[] = [];
  return { envoyBin: '/nonexistent/envoy', warn: (m) => warnings.push(m), warnings, tmpDir: '/tmp', ...extra };
}

function fakeEnvoy(output: string, exitCode = 0): string {
  const file = path.join(tmpDir(), 'envoy');
  fs.writeFileSync(file, `#!/bin/sh\necho '${output}'\nexit ${exitCode}\n`, { mode: 0o755 });
  return file;
}

const TASK = { Cluster: 'TestCluster', TaskARN: 'TestTask', AvailabilityZone: 'us-west-2d', AvailabilityZoneID: 'usw2-az4', Containers: [] };
const K8S = { APPMESH_PLATFORM_K8S_VERSION: 'v1.29', APPMESH_PLATFORM_K8S_POD_UID: 'uid', APPMESH_PLATFORM_APP_MESH_CONTROLLER_VERSION: 'v1.12' };

describe('collectPlatformFacts: ECS task metadata', () => {
  it('fetches <uri>/task and <uri>', async () => {
    const ecs = await server({ 'GET /v4/abc/task': { body: JSON.stringify(TASK) }, 'GET /v4/abc': { body: '{"Limits":{"CPU":0.25,"Memory":512}}' } });
    const cfg = cfgFrom({ ...SERVICE_CONNECT_ENV, AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE', ECS_CONTAINER_METADATA_URI_V4: `${ecs.url}/v4/abc` });
    const d = deps();
    const facts = await collectPlatformFacts(cfg, d);
    expect(facts.ecsTask).toEqual(TASK);
    expect(facts.ecsContainer).toEqual({ Limits: { CPU: 0.25, Memory: 512 } });
    expect(ecs.seen.map((s) => s.url).sort()).toEqual(['/v4/abc', '/v4/abc/task']);
  });

  it('checks the status, bounds each request in time, and only warns', async () => {
    const ecs = await server({ 'GET /v4/abc/task': { status: 500, body: '{}' }, 'GET /v4/abc': { body: '{}', delayMs: 2000 } });
    const cfg = cfgFrom({ ...SERVICE_CONNECT_ENV, AWS_EXECUTION_ENV: 'AWS_ECS_EC2', ECS_CONTAINER_METADATA_URI_V4: `${ecs.url}/v4/abc` });
    const d = deps({ timeouts: { ecsMs: 150 } });
    const start = Date.now();
    const facts = await collectPlatformFacts(cfg, d);
    expect(Date.now() - start).toBeLessThan(1500);
    expect(facts.ecsTask).toBeUndefined();
    expect(facts.ecsContainer).toBeUndefined();
    expect(d.warnings.join('\n')).toMatch(/HTTP 500/);
    expect(d.warnings.join('\n')).toMatch(/timed out after 150 ms/);
  });

  it('falls back to the v3 endpoint (ECS_CONTAINER_METADATA_URI): v4-only task -> platformInfo.supportedIPFamilies IPv4_ONLY', async () => {
    const task = { ...TASK, Containers: [{ Networks: [{ NetworkMode: 'awsvpc', IPv4Addresses: ['10.0.0.9'] }] }] };
    const ecs = await server({ 'GET /v3/abc/task': { body: JSON.stringify(task) }, 'GET /v3/abc': { body: '{"Limits":{"CPU":1}}' } });
    const cfg = cfgFrom({ ...SERVICE_CONNECT_ENV, AWS_EXECUTION_ENV: 'AWS_ECS_EC2', ECS_CONTAINER_METADATA_URI: `${ecs.url}/v3/abc` });
    const platformInfo = generateBootstrap(cfg, await collectPlatformFacts(cfg, deps())).bootstrap.node.metadata['aws.appmesh.platformInfo'] as Record<string, unknown>;
    expect(platformInfo).toMatchObject({ supportedIPFamilies: 'IPv4_ONLY', ecsPlatformInfo: { ecsLaunchType: 'AWS_ECS_EC2', CPU: '1' } });
    expect(platformInfo.ecsPlatformInfo).not.toHaveProperty('supportedIPFamilies');
  });

  it('does not call the metadata endpoint without AWS_EXECUTION_ENV', async () => {
    const ecs = await server({});
    await collectPlatformFacts(cfgFrom({ ...SERVICE_CONNECT_ENV, ECS_CONTAINER_METADATA_URI_V4: ecs.url }), deps());
    expect(ecs.seen).toEqual([]);
  });
});

describe('collectPlatformFacts: instance metadata', () => {
  const imdsRoutes = {
    'PUT /latest/api/token': { body: 'tok-1' },
    'GET /latest/meta-data/placement/availability-zone': { body: 'us-west-2a' },
    'GET /latest/meta-data/placement/availability-zone-id': { body: 'usw2-az1' },
    'GET /latest/meta-data/placement/region': { body: 'us-west-2' },
  };

  it('Kubernetes: IMDSv2 token (TTL 2 s), then both placement queries with it', async () => {
    const imds = await server(imdsRoutes);
    const cfg = cfgFrom({ ...APP_MESH_ENV, ...K8S, EC2_METADATA_HOST_ONLY_FOR_TESTING: imds.url, APPMESH_XDS_ENDPOINT: 'x:443' });
    const facts = await collectPlatformFacts(cfg, deps());
    expect(facts.imdsPlacement).toEqual({ availabilityZone: 'us-west-2a', availabilityZoneId: 'usw2-az1' });
    const token = imds.seen.filter((s) => s.method === 'PUT');
    expect(token).toHaveLength(1);
    expect(token[0]!.headers['x-aws-ec2-metadata-token-ttl-seconds']).toBe('2');
    for (const s of imds.seen.filter((x) => x.method === 'GET')) expect(s.headers['x-aws-ec2-metadata-token']).toBe('tok-1');
    expect(facts.imdsRegion).toBeUndefined(); // AWS_REGION is set
  });

  it('falls back to IMDSv1 without a token and refuses non-200 answers', async () => {
    const imds = await server({ ...imdsRoutes, 'PUT /latest/api/token': { status: 403 }, 'GET /latest/meta-data/placement/availability-zone-id': { status: 404, body: 'nope' } });
    const cfg = cfgFrom({ ...SERVICE_CONNECT_ENV, ...K8S, EC2_METADATA_HOST_ONLY_FOR_TESTING: imds.url });
    const d = deps();
    const facts = await collectPlatformFacts(cfg, d);
    expect(facts.imdsPlacement).toEqual({ availabilityZone: 'us-west-2a' });
    expect(imds.seen.filter((s) => s.method === 'GET').every((s) => s.headers['x-aws-ec2-metadata-token'] === undefined)).toBe(true);
    expect(d.warnings.join()).toContain('HTTP 404');
  });

  it('gives each IMDS request 250 ms by default', async () => {
    const imds = await server({ ...imdsRoutes, 'GET /latest/meta-data/placement/availability-zone': { body: 'late', delayMs: 1000 } });
    const cfg = cfgFrom({ ...SERVICE_CONNECT_ENV, ...K8S, EC2_METADATA_HOST_ONLY_FOR_TESTING: imds.url });
    const d = deps();
    const start = Date.now();
    const facts = await collectPlatformFacts(cfg, d);
    expect(Date.now() - start).toBeLessThan(900);
    expect(facts.imdsPlacement).toEqual({ availabilityZoneId: 'usw2-az1' });
    expect(d.warnings.join()).toContain('timed out after 250 ms');
  });

  it('looks the region up in App Mesh mode when AWS_REGION is unset, not otherwise', async () => {
    const imds = await server(imdsRoutes);
    const env = { APPMESH_RESOURCE_ARN: 'mesh/foo/virtualNode/bar', EC2_METADATA_HOST_ONLY_FOR_TESTING: imds.url, APPMESH_XDS_ENDPOINT: 'x:443' };
    expect((await collectPlatformFacts(cfgFrom(env), deps())).imdsRegion).toEqual({ ok: true, value: 'us-west-2' });
    expect((await collectPlatformFacts(cfgFrom({ ...env, AWS_REGION: 'eu-west-1' }), deps())).imdsRegion).toBeUndefined();
    const sc = { ...SERVICE_CONNECT_ENV, EC2_METADATA_HOST_ONLY_FOR_TESTING: imds.url };
    imds.seen.length = 0;
    expect((await collectPlatformFacts(cfgFrom(sc), deps())).imdsRegion).toBeUndefined();
    expect(imds.seen).toEqual([]);
  });

  it('Service Connect: looks the region up only for the locality, once a zone ID is known', async () => {
    const imds = await server(imdsRoutes);
    const ecs = await server({ 'GET /v4/abc/task': { body: JSON.stringify(TASK) }, 'GET /v4/abc': { body: '{}' } });
    const env = { ...SERVICE_CONNECT_ENV, AWS_EXECUTION_ENV: 'AWS_ECS_EC2', ECS_CONTAINER_METADATA_URI_V4: `${ecs.url}/v4/abc`, EC2_METADATA_HOST_ONLY_FOR_TESTING: imds.url };
    expect((await collectPlatformFacts(cfgFrom(env), deps())).imdsRegion).toEqual({ ok: true, value: 'us-west-2' });
  });

  it('records a failed region lookup for the generator to report', async () => {
    const imds = await server({ 'GET /latest/meta-data/placement/region': { status: 500 } });
    const env = { APPMESH_RESOURCE_ARN: 'mesh/foo/virtualNode/bar', EC2_METADATA_HOST_ONLY_FOR_TESTING: imds.url, APPMESH_XDS_ENDPOINT: 'x:443' };
    expect((await collectPlatformFacts(cfgFrom(env), deps())).imdsRegion).toEqual({ ok: false, error: 'instance metadata placement/region: HTTP 500' });
  });
});

describe('collectPlatformFacts: host, Envoy build, sampling manifest', () => {
  it('reads the host interfaces and system', async () => {
    const facts = await collectPlatformFacts(cfgFrom(SERVICE_CONNECT_ENV), deps());
    expect(facts.interfaces.ipv4?.lo).toContain('127.0.0.1/8');
    expect(facts.system.platform).toMatch(/\w/);
    expect(facts.system.kernelVersion).toMatch(/\d/);
    expect(facts.tmpDir).toBe('/tmp');
  });

  it('uses the interface seam', async () => {
    const networkInterfaces = () => ({
      eth0: [
        { address: '10.0.0.5', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: '10.0.0.5/24' },
        { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
      ] as import('node:os').NetworkInterfaceInfo[],
    });
    const facts = await collectPlatformFacts(cfgFrom(SERVICE_CONNECT_ENV), deps({ networkInterfaces }));
    expect(facts.interfaces).toEqual({ ipv4: { eth0: ['10.0.0.5/24'] }, ipv6: { eth0: ['fe80::1/64'] } });
  });

  it('probes the Envoy build only when the App Mesh endpoint is derived', async () => {
    const fips = fakeEnvoy('envoy  version: abc/1.29.4/Clean/RELEASE/AWS-LC-FIPS');
    expect((await collectPlatformFacts(cfgFrom(APP_MESH_ENV), deps({ envoyBin: fips }))).envoyBuild).toEqual({
      ok: true,
      value: { version: 'envoy  version: abc/1.29.4/Clean/RELEASE/AWS-LC-FIPS', fips: true },
    });
    expect((await collectPlatformFacts(cfgFrom({ ...APP_MESH_ENV, APPMESH_XDS_ENDPOINT: 'x:443' }), deps({ envoyBin: fips }))).envoyBuild).toBeUndefined();
    expect((await collectPlatformFacts(cfgFrom(SERVICE_CONNECT_ENV), deps({ envoyBin: fips }))).envoyBuild).toBeUndefined();
  });

  it('reports an Envoy that cannot run or fails', async () => {
    expect(await probeEnvoyBuild('/nonexistent/envoy', 1000)).toMatchObject({ ok: false, error: expect.stringContaining('ENOENT') });
    expect(await probeEnvoyBuild(fakeEnvoy('boom', 3), 1000)).toMatchObject({ ok: false });
    expect(parseEnvoyVersion('envoy 1.2/BoringSSL\n')).toEqual({ version: 'envoy 1.2/BoringSSL', fips: false });
  });

  it('reads the X-Ray sampling manifest only when X-Ray uses it', async () => {
    const file = path.join(tmpDir(), 'rules.json');
    fs.writeFileSync(file, '{"version":2}');
    const env = { ...SERVICE_CONNECT_ENV, ENABLE_ENVOY_XRAY_TRACING: '1', XRAY_SAMPLING_RULE_MANIFEST: file };
    expect((await collectPlatformFacts(cfgFrom(env), deps())).xraySamplingManifest).toEqual({ ok: true, value: '{"version":2}' });
    expect((await collectPlatformFacts(cfgFrom({ ...env, XRAY_SAMPLING_RULE_MANIFEST: `${file}.missing` }), deps())).xraySamplingManifest).toMatchObject({ ok: false });
    expect((await collectPlatformFacts(cfgFrom({ ...env, ENABLE_ENVOY_XRAY_TRACING: '0' }), deps())).xraySamplingManifest).toBeUndefined();
  });

  it('warns when the Service Connect xDS socket does not exist yet', async () => {
    const d = deps();
    await collectPlatformFacts(cfgFrom({ ...SERVICE_CONNECT_ENV, APPMESH_XDS_ENDPOINT: 'unix:///nonexistent/relay.sock' }), d);
    expect(d.warnings).toEqual(['the xDS socket /nonexistent/relay.sock (APPMESH_XDS_ENDPOINT) does not exist yet']);
  });
});
