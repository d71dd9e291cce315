import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { AdsTestClient, type DecodedResponse } from '../fixtures/ads-client';
import { ROOT } from '../fixtures/relay-process';
import { TEST_CREDS } from '../fixtures/rig';
import { tmpDir } from '../fixtures/tmp';
import { XdsRig } from '../fixtures/xds-rig';

/**
 * The App Mesh getting-started walkthrough (ECS guide), run as written with
 * the AWS CLI v2 from Debian's `awscli` package against appnet-mgmt
 * (`--endpoint-url`), with an Envoy's view of it (an ADS client for
 * mesh/apps/virtualNode/serviceA through the relay) following each change.
 */

const AWS = '/usr/bin/aws';
const FILES = path.join(ROOT, 'test', 'fixtures', 'appmesh-walkthrough');
const SERVICE_A = 'mesh/apps/virtualNode/serviceA';

type CliResult = { code: number; json: any; stderr: string };

describe('the getting-started walkthrough with the AWS CLI (aws appmesh ... --endpoint-url)', () => {
  let rig: XdsRig;
  let home: string;
  let ads: AdsTestClient;
  let dataDir: string;

  beforeAll(async () => {
    if (!fs.existsSync(AWS)) throw new Error(`${AWS} is missing: install Debian's awscli package (.ci/run does)`);
    dataDir = tmpDir('appnet-walk-');
    rig = await XdsRig.start({ resources: [], mgmtArgs: ['--data-dir', dataDir] });
    home = fs.mkdtempSync(path.join(rig.dir, 'home-'));
    ads = new AdsTestClient({ target: `unix://${rig.socket}` });
  }, 30_000);
  afterAll(async () => {
    ads?.close();
    await rig?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** `aws appmesh <args> --endpoint-url <mgmt>` with only the test's credentials in the environment. */
  function aws(...args: string[]): Promise<CliResult> {
    const env = {
      PATH: '/usr/bin:/bin',
      HOME: home,
      AWS_ACCESS_KEY_ID: TEST_CREDS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDS.secretAccessKey,
      AWS_SESSION_TOKEN: TEST_CREDS.sessionToken,
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_PAGER: '',
      AWS_MAX_ATTEMPTS: '1',
    };
    return new Promise((resolve) => {
      execFile(AWS, ['appmesh', ...args, '--endpoint-url', `http://127.0.0.1:${rig.mgmtAdminPort}`, '--output', 'json'], { cwd: FILES, env, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 255) : 0;
        let json: any;
        try {
          json = stdout.trim() === '' ? undefined : JSON.parse(stdout);
        } catch {
          json = stdout;
        }
        resolve({ code, json, stderr });
      });
    });
  }

  async function ok(...args: string[]): Promise<any> {
    const r = await aws(...args);
    if (r.code !== 0) throw new Error(`aws appmesh ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.json;
  }

  const weights = (r: DecodedResponse) => {
    const config = r.resources.find((x) => x.name === 'rds_egress_http_80')?.decoded as any;
    const route = config?.virtual_hosts.find((v: any) => v.name.includes('serviceb.apps.local') || v.domains.includes('serviceb.apps.local'))?.routes[0].route;
    return route?.weighted_clusters ? route.weighted_clusters.clusters.map((c: any) => [c.name, c.weight.value]) : [[route?.cluster, 100]];
  };

  it('runs every step of the guide, and the Envoy of serviceA follows the split', async () => {
    // Step 1
    const mesh = await ok('create-mesh', '--mesh-name', 'apps');
    expect(mesh.mesh).toMatchObject({ meshName: 'apps', status: { status: 'ACTIVE' }, metadata: { version: 1, arn: 'arn:aws:appmesh:us-west-2:123456789012:mesh/apps' } });
    expect((await ok('create-virtual-service', '--mesh-name', 'apps', '--virtual-service-name', 'serviceb.apps.local', '--spec', '{}')).virtualService.spec).toEqual({});
    // Step 2
    expect((await ok('create-virtual-node', '--cli-input-json', 'file://create-virtual-node-serviceb.json')).virtualNode.virtualNodeName).toBe('serviceB');
    // Step 3
    expect((await ok('create-virtual-router', '--cli-input-json', 'file://create-virtual-router.json')).virtualRouter.virtualRouterName).toBe('serviceB');
    expect((await ok('create-route', '--cli-input-json', 'file://create-route.json')).route.spec.httpRoute.action.weightedTargets).toEqual([{ virtualNode: 'serviceB', weight: 100 }]);
    // Step 4: review (the five describe commands at once: each aws process takes a second or more to start)
    const [dMesh, dService, dNode, dRouter, dRoute] = await Promise.all([
      ok('describe-mesh', '--mesh-name', 'apps'),
      ok('describe-virtual-service', '--mesh-name', 'apps', '--virtual-service-name', 'serviceb.apps.local'),
      ok('describe-virtual-node', '--mesh-name', 'apps', '--virtual-node-name', 'serviceB'),
      ok('describe-virtual-router', '--mesh-name', 'apps', '--virtual-router-name', 'serviceB'),
      ok('describe-route', '--mesh-name', 'apps', '--virtual-router-name', 'serviceB', '--route-name', 'serviceB'),
    ]);
    expect(dMesh.mesh.meshName).toBe('apps');
    expect(dService.virtualService.status.status).toBe('ACTIVE');
    expect(dNode.virtualNode.spec.serviceDiscovery).toEqual({ dns: { hostname: 'serviceB.apps.local' } });
    expect(dRouter.virtualRouter.spec.listeners).toEqual([{ portMapping: { port: 80, protocol: 'http2' } }]);
    expect(dRoute.route.metadata.version).toBe(1);
    // Step 5
    await ok('create-virtual-node', '--cli-input-json', 'file://create-virtual-node-servicebv2.json');
    await ok('create-virtual-node', '--cli-input-json', 'file://create-virtual-node-servicea.json');
    expect((await ok('update-virtual-service', '--cli-input-json', 'file://update-virtual-service.json')).virtualService.metadata.version).toBe(2);

    // serviceA's Envoy, through the relay: one route to serviceB for now.
    const s = ads.openSotw({ id: SERVICE_A, cluster: 'serviceA' });
    s.send({ typeUrl: TypeUrl.RouteConfiguration, resourceNames: ['rds_egress_http_80'] });
    const first = await s.next(5000);
    s.ack(first);
    expect(weights(first)).toEqual([['cds_egress_apps_serviceB_http2_80', 100]]);

    const updated = await ok('update-route', '--cli-input-json', 'file://update-route.json');
    expect(updated.route).toMatchObject({ metadata: { version: 2 }, spec: { http2Route: { action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 75 }, { virtualNode: 'serviceBv2', weight: 25 }] } } } });
    const split = await s.next(5000);
    s.ack(split);
    expect(weights(split)).toEqual([['cds_egress_apps_serviceB_http2_80', 75], ['cds_egress_apps_serviceBv2_http2_80', 25]]);
    await ok('create-virtual-service', '--cli-input-json', 'file://create-virtual-servicea.json');

    // Over time, all traffic to serviceBv2: the shift the guide describes.
    const spec = JSON.stringify({ http2Route: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 0 }, { virtualNode: 'serviceBv2', weight: 100 }] } } });
    await ok('update-route', '--mesh-name', 'apps', '--virtual-router-name', 'serviceB', '--route-name', 'serviceB', '--spec', spec);
    let shifted = await s.next(5000);
    while (weights(shifted)[0]?.[1] === 75) shifted = await s.next(5000);
    s.ack(shifted);
    // serviceB stays in the route at weight 0 (its cluster kept: no churn when the split moves back).
    expect(weights(shifted)).toEqual([['cds_egress_apps_serviceB_http2_80', 0], ['cds_egress_apps_serviceBv2_http2_80', 100]]);
    s.cancel();

    // Lists (at once), then deletes in order, as an operator cleaning up would.
    const [lMeshes, lNodes, lServices, lRouters, lRoutes] = await Promise.all([
      ok('list-meshes'),
      ok('list-virtual-nodes', '--mesh-name', 'apps'),
      ok('list-virtual-services', '--mesh-name', 'apps'),
      ok('list-virtual-routers', '--mesh-name', 'apps'),
      ok('list-routes', '--mesh-name', 'apps', '--virtual-router-name', 'serviceB'),
    ]);
    expect(lMeshes.meshes.map((m: any) => m.meshName)).toEqual(['apps']);
    expect(lNodes.virtualNodes.map((n: any) => n.virtualNodeName)).toEqual(['serviceA', 'serviceB', 'serviceBv2']);
    expect(lServices.virtualServices.map((n: any) => n.virtualServiceName)).toEqual(['servicea.apps.local', 'serviceb.apps.local']);
    expect(lRouters.virtualRouters.map((n: any) => n.virtualRouterName)).toEqual(['serviceB']);
    expect(lRoutes.routes.map((n: any) => [n.routeName, n.version])).toEqual([['serviceB', 3]]);
    const inUse = await aws('delete-virtual-router', '--mesh-name', 'apps', '--virtual-router-name', 'serviceB');
    expect(inUse.code).not.toBe(0);
    expect(inUse.stderr).toContain('An error occurred (ResourceInUseException) when calling the DeleteVirtualRouter operation');
    expect((await ok('delete-virtual-service', '--mesh-name', 'apps', '--virtual-service-name', 'servicea.apps.local')).virtualService.status.status).toBe('DELETED');
    await ok('delete-virtual-node', '--mesh-name', 'apps', '--virtual-node-name', 'serviceA');
    await ok('delete-virtual-service', '--mesh-name', 'apps', '--virtual-service-name', 'serviceb.apps.local');
    await ok('delete-route', '--mesh-name', 'apps', '--virtual-router-name', 'serviceB', '--route-name', 'serviceB');
    await ok('delete-virtual-router', '--mesh-name', 'apps', '--virtual-router-name', 'serviceB');
    await ok('delete-virtual-node', '--mesh-name', 'apps', '--virtual-node-name', 'serviceB');
    await ok('delete-virtual-node', '--mesh-name', 'apps', '--virtual-node-name', 'serviceBv2');
    expect((await ok('delete-mesh', '--mesh-name', 'apps')).mesh.status.status).toBe('DELETED');
    const gone = await aws('describe-mesh', '--mesh-name', 'apps');
    expect(gone.stderr).toMatch(/An error occurred \(NotFoundException\) when calling the DescribeMesh operation( \(reached max retries: 0\))?: No mesh "apps"/);
  }, 300_000);

  it('refuses an unsigned or wrongly signed CLI call with AWS\'s error, and changes nothing', async () => {
    const before = await aws('list-meshes');
    const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(AWS, ['appmesh', 'create-mesh', '--mesh-name', 'intruder', '--endpoint-url', `http://127.0.0.1:${rig.mgmtAdminPort}`], {
        env: { PATH: '/usr/bin:/bin', HOME: home, AWS_ACCESS_KEY_ID: TEST_CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: 'not-the-secret', AWS_SESSION_TOKEN: TEST_CREDS.sessionToken, AWS_DEFAULT_REGION: 'us-west-2', AWS_MAX_ATTEMPTS: '1' },
        timeout: 60_000,
      }, (err, _o, stderr) => resolve({ code: err ? 1 : 0, stderr })),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('An error occurred (InvalidSignatureException) when calling the CreateMesh operation');
    const unsigned = await aws('list-meshes', '--no-sign-request');
    expect(unsigned.stderr).toContain('(MissingAuthenticationTokenException)');
    expect(await aws('list-meshes')).toEqual(before);
  }, 60_000);
});
