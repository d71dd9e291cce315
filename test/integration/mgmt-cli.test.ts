import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeLocalCa } from '../../src/common/local-ca';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { AdsTestClient } from '../fixtures/ads-client';
import { MgmtAdminClient } from '../fixtures/mgmt-admin';

/** The compiled CLI (test/fixtures/global-setup.ts builds dist/ before the tests). */
const MAIN = path.resolve(__dirname, '..', '..', 'dist', 'src', 'mgmt', 'main.js');
const DOMAIN = 'ecs-sc.us-west-2.api.aws';
const SECRET = 'cli-secret-access-key';
const TOKEN = 'cli-session-token';

let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mgmt-cli-'));
  fs.writeFileSync(
    path.join(dir, 'resources.yaml'),
    [
      'resources:',
      `  - "@type": ${TypeUrl.Listener}`,
      '    name: cli-listener',
      '    address: { socket_address: { address: 127.0.0.1, port_value: 15001 } }',
      `  - "@type": ${TypeUrl.Cluster}`,
      '    name: cli-cluster',
      '    connect_timeout: 0.25s',
      '    type: EDS',
      '    eds_cluster_config: { eds_config: { ads: {} } }',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'creds.json'), JSON.stringify({ credentials: [{ accessKeyId: 'AKIDCLI', secretAccessKey: SECRET, sessionToken: TOKEN }] }));
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  port: number;
  adminPort: number | null;
  output: () => string;
  exit: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Running & { listening: Promise<void> } {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const running = {
    child,
    port: 0,
    adminPort: null as number | null,
    output: () => out,
    exit: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))),
  };
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 30 s:\n${out}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('"msg":"listening"')) continue;
        const rec = JSON.parse(line) as { port: number; adminPort: number | null };
        running.port = rec.port;
        running.adminPort = rec.adminPort;
        clearTimeout(timer);
        resolve();
      }
    });
    void running.exit.then(() => reject(new Error(`exited before listening:\n${out}`)));
  });
  listening.catch(() => undefined);
  return Object.assign(running, { listening });
}

function exitWithin(r: Running, ms: number): Promise<number | null> {
  return Promise.race([r.exit, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`did not exit within ${ms} ms:\n${r.output()}`)), ms))]);
}

describe('appnet-mgmt CLI', () => {
  it('serves a YAML file on port 0, reports the ports, and exits 0 on SIGTERM', async () => {
    const r = run(['--resources', path.join(dir, 'resources.yaml'), '--port', '0', '--admin-port', '0']);
    await r.listening;
    expect(r.port).toBeGreaterThan(0);
    expect(r.adminPort).toBeGreaterThan(0);
    const client = new AdsTestClient({ target: `127.0.0.1:${r.port}` });
    try {
      const s = client.openSotw({ id: 'cli-node' });
      s.send({ typeUrl: TypeUrl.Listener });
      const resp = await s.next();
      expect(resp.resources.map((x) => x.name)).toEqual(['cli-listener']);
      const health = await new MgmtAdminClient(`http://127.0.0.1:${r.adminPort}`).health();
      expect(health.openStreams).toBe(1);
      r.child.kill('SIGTERM');
      expect(await exitWithin(r, 5000)).toBe(0);
      expect((await s.status).code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      client.close();
    }
    expect(r.output()).toContain('"msg":"stopped"');
  });

  it('takes its settings from the environment, requires SigV4, and never logs secrets', async () => {
    const ca = await makeLocalCa([DOMAIN], dir);
    const r = run(['--log-level', 'debug'], {
      APPNET_MGMT_RESOURCES: path.join(dir, 'resources.yaml'),
      APPNET_MGMT_PORT: '0',
      APPNET_MGMT_TLS_CERT: ca.files!.cert,
      APPNET_MGMT_TLS_KEY: ca.files!.key,
      APPNET_MGMT_SIGV4_REGION: 'us-west-2',
      APPNET_MGMT_SIGV4_CREDENTIALS: path.join(dir, 'creds.json'),
    });
    await r.listening;
    expect(r.adminPort).toBeNull();
    const client = new AdsTestClient({
      target: `127.0.0.1:${r.port}`,
      credentials: grpc.credentials.createSsl(Buffer.from(ca.caPem)),
      channelOptions: { 'grpc.ssl_target_name_override': DOMAIN, 'grpc.default_authority': DOMAIN },
    });
    try {
      const md = new grpc.Metadata();
      md.set('authorization', `AWS4-HMAC-SHA256 Credential=AKIDCLI/20260101/us-west-2/appmesh/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`);
      md.set('x-amz-security-token', TOKEN);
      const s = client.openSotw({ id: 'cli-unsigned' }, md);
      s.send({ typeUrl: TypeUrl.Listener });
      const status = await s.status;
      expect(status.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(status.details).toMatch(/x-amz-date/);
    } finally {
      client.close();
    }
    r.child.kill('SIGINT');
    expect(await exitWithin(r, 5000)).toBe(0);
    const out = r.output();
    expect(out).toContain('"accessKeyIds":["AKIDCLI"]');
    expect(out).toContain('stream rejected');
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain('Signature=');
  });

  it('names every bad flag and exits 1', async () => {
    const r = run(['--port', 'http', '--tls-cert', path.join(dir, 'none.pem'), '--sigv4-credentials', path.join(dir, 'creds.json'), '--max-stream-age', '10', '--frob']);
    expect(await exitWithin(r, 5000)).toBe(1);
    const out = r.output();
    // No source is needed any more (an empty App Mesh control plane); the five bad flags are named.
    for (const name of ['--port="http"', '--tls-cert', '--sigv4-credentials', '--max-stream-age="10"', '--frob']) expect(out).toContain(name);
    expect(out).toContain('(5 problems)');
    expect(out).not.toContain(SECRET);
  });

  it('names every bad resource and exits 1', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ resources: [{ '@type': TypeUrl.Cluster, name: 'c', lb_policy: 'FASTEST' }, { '@type': TypeUrl.Listener }] }));
    const r = run(['--resources', file, '--port', '0']);
    expect(await exitWithin(r, 5000)).toBe(1);
    expect(r.output()).toContain('resources[0] (Cluster "c"): lb_policy: expected one of');
    expect(r.output()).toContain('resources[1] (Listener): "name" must be a non-empty string');
  });

  it('refuses a resource Envoy would NACK (its validate.rules), naming field and rule, and exits 1', async () => {
    const file = path.join(dir, 'rules.json');
    fs.writeFileSync(file, JSON.stringify({ resources: [{ '@type': TypeUrl.Cluster, name: 'c', type: 'STATIC', connect_timeout: '0s' }] }));
    const r = run(['--resources', file, '--port', '0']);
    expect(await exitWithin(r, 5000)).toBe(1);
    expect(r.output()).toContain('resources[0] (Cluster "c"): connect_timeout: must be greater than 0s [(validate.rules).duration.gt]');
  });
});
