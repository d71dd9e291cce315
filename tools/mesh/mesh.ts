import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CallerStats } from '../demo-apps/caller';
import { agentReport } from '../../src/cli/agent-report';
import { fetchStatus } from '../../src/cli/admin-fetch';
import { readRelayDocument } from '../../src/cli/relay-document';
import { relayReport } from '../../src/cli/relay-rows';
import { makeLocalCa } from '../../src/common/local-ca';
import { CredentialServer, containerCredentialEnv } from './credentials-endpoint';
import type { MeshView } from './mesh-view';
import { type MeshProcess, ProcessGroup } from './process-group';

export const DOMAIN = 'ecs-sc.us-west-2.api.aws';
const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(ROOT, 'dist');
const MAIN = {
  mgmt: path.join(DIST, 'src', 'mgmt', 'main.js'),
  relay: path.join(DIST, 'src', 'relay', 'main.js'),
  agent: path.join(DIST, 'src', 'sidecar', 'main.js'),
  app: path.join(DIST, 'tools', 'demo-apps', 'main.js'),
  fakeEnvoy: path.join(DIST, 'tools', 'envoy-stand-in', 'bin.js'),
};
export const MODEL_FILE = path.join(ROOT, 'examples', 'appmesh', 'apps.yaml');
export const SIDECARS = ['serviceA', 'serviceB', 'serviceBv2'] as const;
export const TARGET = 'xds:///serviceb.apps.local:80';
export const REGION = 'us-west-2';
/** The AWS CLI profile the mesh writes for its operator (the key appnet-mgmt accepts for API calls). */
export const PROFILE = 'appnet-mesh';
const ROUTE = { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' } as const;

/** The route spec of the seed scenario with these weights for serviceB and serviceBv2. */
export function splitSpec(serviceB: number, serviceBv2: number) {
  return { http2Route: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: serviceB }, { virtualNode: 'serviceBv2', weight: serviceBv2 }] } } };
}

export interface MeshOptions {
  /** Route weights for serviceB and serviceBv2 at start. */
  weights: [number, number] | undefined;
  /** Calls per second from serviceA. */
  rate: number;
  /** An Envoy to run as the sidecars' proxy; default: the Envoy stand-in. */
  envoyBin: string | undefined;
  /** Keep the working directory (logs, configs) after stopping. */
  keep: boolean;
  say: (line: string) => void;
}

/**
 * The seed scenario as real processes on loopback and Unix sockets: the
 * management server with the App Mesh model (TLS, SigV4 verification with local
 * credentials from a loopback credentials endpoint), one relay, a sidecar agent
 * (with the Envoy stand-in) for serviceA, serviceB and serviceBv2, and the demo
 * apps: serviceB and serviceBv2 answer their names; serviceA calls
 * xds:///serviceb.apps.local:80 through the relay with @grpc/grpc-js-xds.
 */
export class LocalMesh {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'appnet-mesh-'));
  readonly relaySocket = path.join(this.dir, 'relay', 'relay_xds.sock');
  private readonly group = new ProcessGroup(path.join(this.dir, 'logs'));
  private readonly creds = new CredentialServer({ accessKeyId: 'AKIDLOCALMESH0001', secretAccessKey: randomBytes(24).toString('base64'), sessionToken: randomBytes(16).toString('hex'), ttlMs: 3600_000 });
  /** A static key for the operator (this orchestrator and the printed AWS CLI commands); the relay signs with the endpoint's rotating ones. */
  private readonly operator = { accessKeyId: 'AKIDMESHOPERATOR0001', secretAccessKey: randomBytes(24).toString('base64') };
  private api: AppMeshClient | undefined;
  /** The web console's token (the API requires SigV4, which a browser cannot do). */
  private readonly consoleToken = randomBytes(18).toString('base64url');
  private mgmtPort = 0;
  private mgmtAdmin = 0;
  private statsPort = 0;

  constructor(private readonly o: MeshOptions) {
    fs.mkdirSync(path.dirname(this.relaySocket));
  }

  get mgmtAddress(): string {
    return `127.0.0.1:${this.mgmtPort}`;
  }

  get mgmtApi(): string {
    return `http://127.0.0.1:${this.mgmtAdmin}`;
  }

  /** The web console, with its token in the fragment (the page keeps it and drops it from the address bar). */
  get consoleUrl(): string {
    return `${this.mgmtApi}/ui/#token=${this.consoleToken}`;
  }

  agentSocket(name: string): string {
    return path.join(this.dir, name, 'agent.sock');
  }

  async start(): Promise<void> {
    for (const main of Object.values(MAIN)) if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build && npm run build:tools`);
    const say = this.o.say;
    const tls = await makeLocalCa([DOMAIN, 'localhost', '127.0.0.1'], path.join(this.dir, 'tls'));
    const credsUrl = await this.creds.start();
    const credsFile = path.join(this.dir, 'mgmt-credentials.json');
    const c = this.creds.creds;
    fs.writeFileSync(credsFile, JSON.stringify({ credentials: [{ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken }, this.operator] }), { mode: 0o600 });
    this.writeAwsProfile();
    const consoleTokenFile = path.join(this.dir, 'console-token');
    fs.writeFileSync(consoleTokenFile, this.consoleToken, { mode: 0o600 });

    say('starting the apps serviceB and serviceBv2…');
    const ports: Record<string, number> = {};
    for (const name of ['serviceB', 'serviceBv2']) {
      const p = this.group.start(`app-${name}`, MAIN.app, ['--name', name, '--port', '0'], this.env({}));
      ports[name] = Number((await this.group.waitForLine(p, (l) => l.port !== undefined, 10_000, 'its port')).port);
    }

    say('starting the management server (App Mesh model in a data directory, TLS, SigV4 verification)…');
    const mgmt = this.group.start(
      'mgmt',
      MAIN.mgmt,
      ['--appmesh', MODEL_FILE, '--data-dir', path.join(this.dir, 'mgmt-data'), '--port', '0', '--admin-port', '0', '--tls-cert', tls.files!.cert, '--tls-key', tls.files!.key, '--sigv4-region', REGION, '--sigv4-credentials', credsFile, '--console-token-file', consoleTokenFile],
      this.env({ SERVICEB_PORT: String(ports.serviceB), SERVICEBV2_PORT: String(ports.serviceBv2) }),
    );
    const listening = await this.group.waitForLine(mgmt, (l) => l.msg === 'listening', 15_000, '"listening"');
    this.mgmtPort = Number(listening.port);
    this.mgmtAdmin = Number(listening.adminPort);
    this.api = new AppMeshClient({ endpoint: this.mgmtApi, region: REGION, credentials: this.operator, maxAttempts: 2 });
    if (this.o.weights) await this.setWeights(...this.o.weights);

    say('starting the relay…');
    const relay = this.group.start('relay', MAIN.relay, [], this.env({
      AWS_REGION: 'us-west-2',
      APPNET_RELAY_LISTENER_UDS_PATH: this.relaySocket,
      APPNET_MANAGEMENT_DOMAIN_NAME: DOMAIN,
      APPNET_MANAGEMENT_ADDRESS: '127.0.0.1',
      APPNET_MANAGEMENT_PORT: String(this.mgmtPort),
      RELAY_TRUSTED_CA_FILE: tls.files!.ca,
      APPNET_AGENT_ADMIN_MODE: 'uds',
      APPNET_AGENT_ADMIN_UDS_PATH: this.relayAdmin,
      ...containerCredentialEnv(credsUrl),
    }));
    await this.group.waitForLine(relay, (l) => l.msg === 'relay listening', 15_000, '"relay listening"');

    say(`starting the sidecars (appnet-agent + ${this.o.envoyBin ? this.o.envoyBin : 'the Envoy stand-in'})…`);
    const envoyBin = this.o.envoyBin ?? this.writeStandInScript();
    for (const name of SIDECARS) this.startSidecar(name, envoyBin);

    say('starting serviceA (calls xds:///serviceb.apps.local:80 through the relay)…');
    const bootstrap = path.join(this.dir, 'serviceA', 'grpc-xds-bootstrap.json');
    fs.writeFileSync(bootstrap, JSON.stringify({
      xds_servers: [{ server_uri: `unix://${this.relaySocket}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
      // grpc-js-xds refuses a node without locality (and reports it only in a trace)
      node: { id: 'mesh/apps/grpcClient/serviceA', cluster: 'serviceA', locality: { zone: 'local' } },
    }));
    const caller = this.group.start('app-serviceA', MAIN.app, ['--name', 'serviceA', '--call', TARGET, '--rate', String(this.o.rate), '--stats-port', '0'], this.env({ GRPC_XDS_BOOTSTRAP: bootstrap }));
    this.statsPort = Number((await this.group.waitForLine(caller, (l) => l.statsPort !== undefined, 15_000, 'its stats port')).statsPort);
  }

  get relayAdmin(): string {
    return path.join(this.dir, 'relay', 'admin.sock');
  }

  /** Where the AWS CLI finds the operator's profile: `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`. */
  get awsFiles(): { config: string; credentials: string } {
    return { config: path.join(this.dir, 'aws', 'config'), credentials: path.join(this.dir, 'aws', 'credentials') };
  }

  private writeAwsProfile(): void {
    const f = this.awsFiles;
    fs.mkdirSync(path.dirname(f.config), { recursive: true, mode: 0o700 });
    fs.writeFileSync(f.config, `[profile ${PROFILE}]\nregion = ${REGION}\noutput = json\n`, { mode: 0o600 });
    fs.writeFileSync(f.credentials, `[${PROFILE}]\naws_access_key_id = ${this.operator.accessKeyId}\naws_secret_access_key = ${this.operator.secretAccessKey}\n`, { mode: 0o600 });
  }

  /** The `aws appmesh update-route` command line that sets the split (with the environment it needs). */
  updateRouteCommand(serviceB: number, serviceBv2: number): string[] {
    const f = this.awsFiles;
    return [
      `AWS_CONFIG_FILE=${f.config} AWS_SHARED_CREDENTIALS_FILE=${f.credentials} AWS_PROFILE=${PROFILE} \\`,
      `  aws appmesh update-route --endpoint-url ${this.mgmtApi} --mesh-name ${ROUTE.meshName} --virtual-router-name ${ROUTE.virtualRouterName} --route-name ${ROUTE.routeName} \\`,
      `  --spec '${JSON.stringify(splitSpec(serviceB, serviceBv2))}'`,
    ];
  }

  private client(): AppMeshClient {
    if (!this.api) throw new Error('the management server is not started');
    return this.api;
  }

  /** Change the split through the App Mesh API, as `aws appmesh update-route` does (pushed to clients at once). */
  async setWeights(serviceB: number, serviceBv2: number): Promise<void> {
    try {
      await this.client().send(new UpdateRouteCommand({ ...ROUTE, spec: splitSpec(serviceB, serviceBv2) }));
    } catch (e) {
      throw new Error(`the management server refused the weights ${serviceB},${serviceBv2}: ${(e as Error).message}`);
    }
  }

  /** One round of facts for the live table. */
  async view(hints: string[]): Promise<MeshView> {
    const ask = <T>(p: Promise<T>) => p.then((v) => ({ v, e: undefined as string | undefined }), (e: Error) => ({ v: undefined, e: e.message }));
    const [relay, caller, weights, ...agents] = await Promise.all([
      ask(fetchStatus({ kind: 'uds', path: this.relayAdmin }, { timeoutMs: 2000, retryAfter429Ms: 200 }).then((d) => relayReport(readRelayDocument(d), `unix:${this.relayAdmin}`))),
      ask(fetch(`http://127.0.0.1:${this.statsPort}/stats`).then((r) => r.json() as Promise<CallerStats>)),
      ask(this.weights()),
      ...SIDECARS.map((name) => ask(fetchStatus({ kind: 'uds', path: this.agentSocket(name) }, { timeoutMs: 2000, retryAfter429Ms: 200 }).then((d) => agentReport(d, name)))),
    ]);
    return {
      at: new Date(),
      mgmt: this.mgmtAddress,
      relay: relay.v ?? { error: relay.e ?? 'unknown' },
      agents: SIDECARS.map((name, i) => ({ name, report: agents[i]!.v, error: agents[i]!.e })),
      caller: { target: TARGET, stats: caller.v, error: caller.e },
      weights: weights.v,
      hints,
    };
  }

  private async weights(): Promise<Record<string, number>> {
    const { route } = await this.client().send(new DescribeRouteCommand(ROUTE));
    const spec = route?.spec;
    const targets = (spec?.http2Route ?? spec?.httpRoute ?? spec?.grpcRoute ?? spec?.tcpRoute)?.action?.weightedTargets ?? [];
    return Object.fromEntries(targets.map((t) => [t.virtualNode ?? '?', t.weight ?? 0]));
  }

  /** Every process still running (for the final check that nothing is left behind). */
  get processes(): MeshProcess[] {
    return this.group.running;
  }

  async stop(): Promise<void> {
    this.api?.destroy();
    await this.group.stopAll();
    await this.creds.close();
    if (!this.o.keep) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  killNow(): void {
    this.group.killAll();
  }

  private env(extra: Record<string, string>): Record<string, string> {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', APPNET_LOG_LEVEL: 'info', ...extra };
  }

  private writeStandInScript(): string {
    const script = path.join(this.dir, 'envoy');
    fs.writeFileSync(script, `#!/bin/sh\nulimit -c 0\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN.fakeEnvoy)} "$@"\n`, { mode: 0o755 });
    return script;
  }

  private startSidecar(name: string, envoyBin: string): void {
    const dir = path.join(this.dir, name);
    fs.mkdirSync(dir, { recursive: true });
    const config = path.join(dir, 'envoy.yaml');
    fs.writeFileSync(config, '');
    this.group.start(`sidecar-${name}`, MAIN.agent, [], this.env({
      APPMESH_RESOURCE_ARN: `mesh/apps/virtualNode/${name}`,
      AWS_REGION: 'us-west-2',
      APPMESH_XDS_ENDPOINT: `unix://${this.relaySocket}`,
      ENVOY_BIN: envoyBin,
      ENVOY_CONFIG_FILE: config,
      ENVOY_ADMIN_MODE: 'uds',
      ENVOY_ADMIN_UDS_PATH: path.join(dir, 'envoy-admin.sock'),
      ENVOY_ADMIN_ACCESS_LOG_FILE: path.join(dir, 'envoy-admin-access.log'),
      APPNET_AGENT_ADMIN_MODE: 'uds',
      APPNET_AGENT_ADMIN_UDS_PATH: this.agentSocket(name),
      HC_POLL_INTERVAL_MS: '2000',
      LISTENER_DRAIN_WAIT_TIME_S: '5',
    }));
  }
}
