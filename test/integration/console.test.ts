/// <reference lib="dom" />
import * as AM from '@aws-sdk/client-app-mesh';
import type * as grpc from '@grpc/grpc-js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountClient, writeClientBootstrap } from '../fixtures/count-client';
import { echoServer } from '../fixtures/echo-server';
import { FakeEnvoyProcess, writeBootstrap } from '../fixtures/envoy-stand-in';
import { ROOT } from '../fixtures/relay-process';
import { waitFor } from '../fixtures/tmp';
import { XdsRig } from '../fixtures/xds-rig';

/**
 * The web console in a real browser (Debian's chromium, driven by
 * puppeteer-core) against appnet-mgmt with SigV4 on and a console token: the
 * seed scenario's graph renders with its 75/25 split; editing it to 0/100 in
 * the page goes through the App Mesh API and reaches a grpc-js-xds client's
 * calls; a NACKing Envoy shows as NACKED with its message; changes made
 * elsewhere appear without a reload.
 */

const CHROMIUM = '/usr/bin/chromium';
const SEED = path.join(ROOT, 'examples', 'appmesh', 'apps.yaml');
const TOKEN = 'console-test-token-0123456789';
const ROUTE = { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' };

describe('the web console in a browser (real mgmt, relay, clients)', () => {
  let rig: XdsRig;
  let browser: Browser;
  let page: Page;
  let client: CountClient;
  let envoy: FakeEnvoyProcess;
  let servers: grpc.Server[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
    const sb = await echoServer('serviceB');
    const sb2 = await echoServer('serviceBv2');
    servers = [sb.server, sb2.server];
    const tokenFile = path.join(fs.mkdtempSync(path.join(ROOT, 'dist', 'console-')), 'token');
    fs.writeFileSync(tokenFile, `${TOKEN}\n`);
    rig = await XdsRig.start({ appmesh: { file: SEED, env: { SERVICEB_PORT: String(sb.port), SERVICEBV2_PORT: String(sb2.port) } }, mgmtArgs: ['--console-token-file', tokenFile] });
    client = CountClient.start('grpc-js', writeClientBootstrap(rig.dir, 'client.json', rig.socket, 'mesh/apps/console-client'), 'xds:///serviceb.apps.local:80');
    const config = writeBootstrap(rig.dir, { admin: { port: 0 }, xdsTarget: `unix://${rig.socket}`, nodeId: 'mesh/apps/virtualNode/serviceA', nodeCluster: 'serviceA' });
    envoy = await FakeEnvoyProcess.start({ dir: rig.dir, config, env: { FAKE_ENVOY_NACK: 'rds' } });
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.setViewport({ width: 1400, height: 1100 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    client?.stop();
    await envoy?.stop('SIGKILL');
    for (const s of servers) s.forceShutdown();
    await rig?.close();
  });

  const text = (sel: string) => page.$eval(sel, (e) => (e as HTMLElement).innerText);
  const url = () => `http://127.0.0.1:${rig.mgmtAdminPort}/ui/`;

  it('refuses the data without the token, and the API refuses a wrong token', async () => {
    expect((await fetch(`${url()}api/model`)).status).toBe(401);
    const wrong = await fetch(`http://127.0.0.1:${rig.mgmtAdminPort}/v20190125/meshes`, { headers: { authorization: 'Bearer not-the-token-at-all-no' } });
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
  });

  it('draws the seed scenario with its 75/25 split', async () => {
    await page.goto(`${url()}#token=${TOKEN}`);
    await page.waitForSelector('[data-testid="route-serviceB-serviceB"] [data-testid="split"]', { timeout: 15_000 });
    expect(page.url()).toBe(url()); // the token left the address bar
    expect(await text('[data-testid="service-serviceb.apps.local"]')).toMatch(/serviceb\.apps\.local[\s\S]*serviceB[\s\S]*serviceB/);
    expect(await text('[data-testid="target-serviceB"]')).toBe('serviceB: 75');
    expect(await text('[data-testid="target-serviceBv2"]')).toBe('serviceBv2: 25');
    expect(await text('[data-testid="route-serviceB-serviceB"] [data-testid="split"]')).toMatch(/serviceB 75%[\s\S]*serviceBv2 25%/);
    for (const n of ['serviceA', 'serviceB', 'serviceBv2']) expect(await page.$(`[data-testid="node-${n}"]`)).not.toBeNull();
    await page.waitForSelector('[data-testid="live"]', { timeout: 5000 });
    expect(await text('[data-testid="live"]')).toBe('live');
  }, 30_000);

  it('shows the NACKing Envoy as NACKED with its message, and the grpc-js-xds client SYNCED', async () => {
    await page.waitForFunction(() => document.querySelector('[data-testid="state-mesh/apps/virtualNode/serviceA-RDS"]')?.textContent === 'NACKED', { timeout: 15_000 });
    expect(await text('[data-testid="nack-mesh/apps/virtualNode/serviceA"]')).toMatch(/^RDS: Error adding\/updating route config\(s\) rds_egress_http_80, rds_ingress_http_80: rejected/);
    // The proxyless client resolves its target at its first call: it appears then.
    expect((await client.run(20)).failed).toBe(0);
    await page.waitForFunction(() => document.querySelector('[data-testid="state-mesh/apps/console-client-RDS"]')?.textContent === 'SYNCED', { timeout: 15_000 });
  }, 30_000);

  it('edits the split to 0/100 in the page: the App Mesh API takes it and the client calls follow', async () => {
    expect((await client.run(200)).failed).toBe(0);
    await page.click('[data-testid="route-serviceB-serviceB"] [data-testid="edit"]');
    const set = async (node: string, value: string) => {
      const input = (await page.$(`[data-testid="weight-${node}"]`))!;
      await input.click({ count: 3 });
      await input.type(value);
    };
    await set('serviceB', '0');
    await set('serviceBv2', '100');
    await page.click('[data-testid="save"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="target-serviceBv2"]')?.textContent === 'serviceBv2: 100', { timeout: 10_000 });
    const route = (await rig.appMesh().send(new AM.DescribeRouteCommand(ROUTE))).route!;
    expect(route.metadata?.version).toBe(2);
    expect(route.spec?.http2Route?.action?.weightedTargets).toEqual([{ virtualNode: 'serviceB', weight: 0 }, { virtualNode: 'serviceBv2', weight: 100 }]);
    await waitFor(async () => (await client.run(20)).counts['serviceBv2'] === 20, 10_000, 'calls to follow the edit');
    expect(await client.run(100)).toMatchObject({ failed: 0, counts: { serviceBv2: 100 } });
  }, 30_000);

  it('shows an invalid edit refused by the API, changing nothing, and a change made elsewhere without a reload', async () => {
    await page.click('[data-testid="route-serviceB-serviceB"] [data-testid="edit"]');
    const input = (await page.$('[data-testid="weight-serviceBv2"]'))!;
    await input.click({ count: 3 });
    await input.type('500');
    await page.click('[data-testid="save"]');
    await page.waitForSelector('[data-testid="route-error"]', { timeout: 10_000 });
    expect(await text('[data-testid="route-error"]')).toMatch(/BadRequestException: .*weight: expected an integer 0-100, got 500/);
    expect((await rig.appMesh().send(new AM.DescribeRouteCommand(ROUTE))).route?.metadata?.version).toBe(2);

    await rig.appMesh().send(new AM.UpdateRouteCommand({ ...ROUTE, spec: { http2Route: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 40 }, { virtualNode: 'serviceBv2', weight: 60 }] } } } }));
    await page.waitForFunction(() => document.querySelector('[data-testid="route-serviceB-serviceB"]')?.textContent?.includes('v3'), { timeout: 10_000 });
    await page.screenshot({ path: path.join(rig.dir, 'console.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
