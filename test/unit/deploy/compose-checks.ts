/**
 * docker-compose.yml checked beyond what `docker-compose config` validates: the agent
 * containers' environment against the agent's own loaders, and the wiring between the
 * services (start order, volumes, socket, certificates, credentials, the seed scenario).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
// grpc-js-xds's own bootstrap validation (what the proxyless app runs at its first xds: call).
import { validateBootstrapConfig } from '@grpc/grpc-js-xds/build/src/xds-bootstrap';
import { parseNodeId } from '../../../src/mgmt/appmesh/names';
import { type EnvMap, checkAgentEnv, readinessProbeEnv } from './agent-env';
import type { AgentImage } from './ecs-checks';

type Json = any;

export interface ComposeContext {
  root: string;
  agent: AgentImage;
  /** USER of each image built here, by image reference (appnet-agent:local -> 1337:1337). */
  imageUsers: Record<string, string | undefined>;
  /** The management server's variables and flags (src/mgmt/cli-config.ts SETTINGS). */
  mgmtEnv: ReadonlySet<string>;
  mgmtFlags: ReadonlySet<string>;
  /** Host paths allowed to be missing for now (work in progress elsewhere). */
  pendingPaths: ReadonlySet<string>;
}

const CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'];

export function composeEnv(svc: Json): EnvMap {
  const e = svc.environment ?? {};
  if (Array.isArray(e)) return Object.fromEntries(e.map((s: string) => [s.split('=')[0], s.slice(s.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]));
}

function dependsOn(svc: Json): Record<string, string> {
  const d = svc.depends_on ?? {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((n: string) => [n, 'service_started']));
  return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, (v as Json)?.condition ?? 'service_started']));
}

/** [source, target, readOnly] of each volume entry (short or long syntax). */
function mounts(svc: Json): Array<{ source: string; target: string; ro: boolean }> {
  return ((svc.volumes ?? []) as Json[]).map((v) => {
    if (typeof v === 'string') {
      const [source = '', target = '', mode = ''] = v.split(':');
      return { source, target, ro: mode.split(',').includes('ro') };
    }
    return { source: v.source ?? '', target: v.target ?? '', ro: v.read_only === true };
  });
}

const isNamed = (source: string) => source !== '' && !source.startsWith('.') && !source.startsWith('/') && !source.startsWith('~');
const argAfter = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const uidOf = (user: string | undefined) => (user ?? '0').split(':')[0];

function imageOf(svc: Json): string {
  return svc.image ?? '';
}

export function checkCompose(doc: Json, ctx: ComposeContext): string[] {
  const out: string[] = [];
  if (doc.version !== undefined && String(doc.version).startsWith('3')) out.push(`version ${doc.version}: the 3.x formats drop depends_on conditions; leave version out (Compose Specification)`);
  const services: Record<string, Json> = doc.services ?? {};
  const names = Object.keys(services);
  if (names.length === 0) return ['no services'];
  const declaredVolumes = new Set(Object.keys(doc.volumes ?? {}));
  const usedVolumes = new Set<string>();

  for (const [name, svc] of Object.entries(services)) {
    if (name !== name.toLowerCase()) out.push(`${name}: use lower-case service names (image and container names derive from them)`);
    if (!svc.image && !svc.build) out.push(`${name}: needs image or build`);
    if (svc.build) {
      const dockerfile = path.join(ctx.root, svc.build.context ?? '.', svc.build.dockerfile ?? 'Dockerfile');
      if (!fs.existsSync(dockerfile)) out.push(`${name}: build.dockerfile ${path.relative(ctx.root, dockerfile)} does not exist`);
    }
    const deps = dependsOn(svc);
    for (const [dep, cond] of Object.entries(deps)) {
      const target = services[dep];
      if (!target) out.push(`${name}: depends_on ${dep}, which is not a service`);
      if (!CONDITIONS.includes(cond)) out.push(`${name}: depends_on ${dep}: condition must be one of ${CONDITIONS.join(', ')}`);
      if (target && cond === 'service_healthy' && (!target.healthcheck || target.healthcheck.disable)) out.push(`${name}: depends_on ${dep} service_healthy, but ${dep} has no healthcheck`);
      if (target && cond === 'service_completed_successfully' && target.restart && target.restart !== 'no') out.push(`${name}: waits for ${dep} to complete, but ${dep} restarts (${target.restart})`);
    }
    const hc = svc.healthcheck;
    if (hc?.test !== undefined && !(typeof hc.test === 'string' || (Array.isArray(hc.test) && ['CMD', 'CMD-SHELL', 'NONE'].includes(hc.test[0])))) {
      out.push(`${name}: healthcheck.test must be a string or an array starting with CMD, CMD-SHELL or NONE`);
    }
    const netOf = /^service:(.+)$/.exec(svc.network_mode ?? '')?.[1];
    if (netOf !== undefined && (!services[netOf] || !deps[netOf])) out.push(`${name}: network_mode service:${netOf} needs that service and a depends_on on it`);
    for (const m of mounts(svc)) {
      if (!m.target.startsWith('/')) out.push(`${name}: volume target "${m.target}" must be absolute`);
      if (isNamed(m.source)) {
        usedVolumes.add(m.source);
        if (!declaredVolumes.has(m.source)) out.push(`${name}: named volume "${m.source}" is not declared under top-level volumes`);
      } else if (m.source.startsWith('.') && !fs.existsSync(path.join(ctx.root, m.source)) && !ctx.pendingPaths.has(m.source)) {
        out.push(`${name}: bind-mounted ${m.source} does not exist`);
      }
    }
  }
  for (const v of declaredVolumes) if (!usedVolumes.has(v)) out.push(`volume ${v} is declared but mounted by no service`);

  // Start order: no cycles.
  const state = new Map<string, number>();
  const visit = (n: string, trail: string[]): void => {
    if (state.get(n) === 2) return;
    if (state.get(n) === 1) {
      out.push(`depends_on cycle: ${[...trail, n].join(' -> ')}`);
      return;
    }
    state.set(n, 1);
    for (const d of Object.keys(dependsOn(services[n] ?? {}))) if (services[d]) visit(d, [...trail, n]);
    state.set(n, 2);
  };
  for (const n of names) visit(n, []);

  out.push(...checkWiring(services, ctx));
  return out;
}

/** The agent containers' environment, and how relay, sidecars, apps, mgmt and init fit together. */
function checkWiring(services: Record<string, Json>, ctx: ComposeContext): string[] {
  const out: string[] = [];
  const agents = Object.entries(services).filter(([, s]) => (ctx.agent.matches(imageOf(s)) || s.build?.dockerfile === 'docker/agent.Dockerfile') && s.entrypoint === undefined);
  const reports = new Map<string, ReturnType<typeof checkAgentEnv>>();
  for (const [name, svc] of agents) {
    const probe = svc.healthcheck?.test ? readinessProbeEnv(svc.healthcheck.test) : undefined;
    if (svc.healthcheck && !probe) out.push(`${name}: the health check should be the agent's readiness probe (-envoyReadiness)`);
    const r = checkAgentEnv(ctx.agent.env, composeEnv(svc), probe);
    reports.set(name, r);
    out.push(...r.problems.map((p) => `${name}: ${p}`));
  }
  const relays = [...reports].filter(([, r]) => r.role === 'relay');
  if (relays.length !== 1) return [...out, `expected exactly one relay service, found ${relays.length}`];
  const [relayName, relayReport] = relays[0]!;
  const relay = services[relayName];
  const relayEnv = composeEnv(relay);
  const socket = relayReport.xdsSocket ?? '';
  const socketDir = path.posix.dirname(socket);
  const socketMount = mounts(relay).find((m) => m.target === socketDir);
  if (!socketMount || !isNamed(socketMount.source) || socketMount.ro) out.push(`${relayName}: must mount a named volume read-write at ${socketDir} (its socket directory)`);
  const relayUid = uidOf(relay.user ?? ctx.imageUsers[imageOf(relay)]);

  // Everything that mounts the socket volume connects to a 0600 socket: same uid as the relay.
  for (const [name, svc] of Object.entries(services)) {
    if (name === relayName || !socketMount) continue;
    const m = mounts(svc).find((x) => x.source === socketMount.source);
    if (!m || svc.entrypoint !== undefined) continue;
    if (m.target !== socketDir) out.push(`${name}: mounts the relay socket volume at ${m.target}, not ${socketDir}`);
    const uid = uidOf(svc.user ?? ctx.imageUsers[imageOf(svc)]);
    if (uid !== relayUid) out.push(`${name}: runs as uid ${uid} but the relay socket (mode 0600) belongs to uid ${relayUid}`);
  }

  const sidecars = [...reports].filter(([, r]) => r.role === 'sidecar');
  const nodes = new Map<string, string>();
  const meshes = new Map<string, string>();
  for (const [name, r] of sidecars) {
    if (r.xdsSocket !== socket) out.push(`${name}: APPMESH_XDS_ENDPOINT should be unix://${socket} (the relay's socket)`);
    if (!mounts(services[name]).some((m) => m.source === socketMount?.source)) out.push(`${name}: does not mount the relay socket volume`);
    if (dependsOn(services[name])[relayName] !== 'service_healthy') out.push(`${name}: should wait for ${relayName} to be service_healthy`);
    const id = parseNodeId(r.nodeId ?? '');
    if (!id?.virtualNode) out.push(`${name}: APPMESH_RESOURCE_ARN should name a virtual node (mesh/<mesh>/virtualNode/<name>)`);
    else {
      nodes.set(name, id.virtualNode);
      meshes.set(name, id.mesh);
    }
  }
  const expected = ['serviceA', 'serviceB', 'serviceBv2'];
  const got = [...nodes.values()].sort();
  if (JSON.stringify(got) !== JSON.stringify(expected)) out.push(`the sidecars represent ${got.join(', ')}; the seed scenario has ${expected.join(', ')}`);

  // Each app runs in its sidecar's network namespace, under the sidecar's virtual node name.
  for (const [name, svc] of Object.entries(services)) {
    const owner = /^service:(.+)$/.exec(svc.network_mode ?? '')?.[1];
    if (!owner || !nodes.has(owner)) continue;
    const args: string[] = (svc.command ?? []).map(String);
    if (argAfter(args, '--name') !== nodes.get(owner)) out.push(`${name}: --name ${argAfter(args, '--name')} but its sidecar ${owner} is virtual node ${nodes.get(owner)}`);
    if (dependsOn(svc)[owner] !== 'service_healthy') out.push(`${name}: should wait for ${owner} to be service_healthy`);
    const boot = composeEnv(svc).GRPC_XDS_BOOTSTRAP_CONFIG;
    if (boot !== undefined) {
      try {
        const b = JSON.parse(boot) as Json;
        try {
          validateBootstrapConfig(b);
        } catch (err) {
          out.push(`${name}: GRPC_XDS_BOOTSTRAP_CONFIG is rejected by @grpc/grpc-js-xds: ${(err as Error).message}`);
        }
        if (b.xds_servers?.[0]?.server_uri !== `unix://${socket}`) out.push(`${name}: GRPC_XDS_BOOTSTRAP_CONFIG server_uri should be unix://${socket}`);
        // appnet-mgmt --appmesh serves a virtual node's id the Envoy view; a proxyless client names only the mesh.
        const id = parseNodeId(String(b.node?.id ?? ''));
        if (!id || id.virtualNode !== undefined || id.mesh !== meshes.get(owner)) {
          out.push(`${name}: GRPC_XDS_BOOTSTRAP_CONFIG node.id should name mesh ${meshes.get(owner)} but no virtual node (e.g. mesh/${meshes.get(owner)}/grpcClient/${name}), or it gets the Envoy view`);
        }
      } catch {
        out.push(`${name}: GRPC_XDS_BOOTSTRAP_CONFIG is not JSON`);
      }
    }
  }
  out.push(...checkControlPlane(services, ctx, relayName, relayEnv));
  return out;
}

/** One appnet-mgmt replica: flags and variables, listen address and port, TLS, the relay waiting for it. */
function checkReplica(services: Record<string, Json>, ctx: ComposeContext, relayName: string, relayEnv: EnvMap, mgmtName: string): string[] {
  const out: string[] = [];
  const mgmt = services[mgmtName];
  const env = composeEnv(mgmt);
  for (const k of Object.keys(env)) if (!ctx.mgmtEnv.has(k)) out.push(`${mgmtName}: ${k} is not an appnet-mgmt variable`);
  for (const a of ((mgmt.command ?? []) as unknown[]).map(String)) {
    if (a.startsWith('--') && !ctx.mgmtFlags.has(a.split('=')[0]!)) out.push(`${mgmtName}: ${a} is not an appnet-mgmt flag`);
  }
  if ((relayEnv.APPNET_MANAGEMENT_PORT ?? '443') !== (env.APPNET_MGMT_PORT ?? '18000')) out.push(`${relayName}: APPNET_MANAGEMENT_PORT differs from ${mgmtName}'s APPNET_MGMT_PORT`);
  if (!['0.0.0.0', '::', '[::]'].includes(env.APPNET_MGMT_HOST ?? '127.0.0.1')) out.push(`${mgmtName}: APPNET_MGMT_HOST must listen beyond loopback`);
  if (env.APPNET_MGMT_SIGV4_REGION !== relayEnv.AWS_REGION) out.push(`${mgmtName}: APPNET_MGMT_SIGV4_REGION should equal the relay's AWS_REGION`);
  if (!env.APPNET_MGMT_TLS_CERT || relayEnv.APPNET_MANAGEMENT_TLS === 'false') out.push(`${mgmtName}: TLS should be on, as in ECS`);
  if (dependsOn(services[relayName])[mgmtName] !== 'service_healthy') out.push(`${relayName}: should wait for ${mgmtName} to be service_healthy`);
  return out;
}

/** The replicas' shared store: an etcd service they all name (and wait for), or, for one replica, a data directory on a named volume. */
function checkStore(services: Record<string, Json>, replicas: string[], initName: string, initArgs: string[], initSvc: Json): string[] {
  const out: string[] = [];
  const stores = replicas.map((n) => composeEnv(services[n]).APPNET_MGMT_STORE ?? argAfter(((services[n].command ?? []) as unknown[]).map(String), '--store'));
  if (stores.every((x) => x === undefined)) {
    if (replicas.length > 1) return [`${replicas.join(', ')}: replicas must share a store (--store etcd://...); a data directory is one process's`];
    const mgmt = services[replicas[0]!];
    const dataDir = argAfter(((mgmt.command ?? []) as unknown[]).map(String), '--data-dir') ?? composeEnv(mgmt).APPNET_MGMT_DATA_DIR;
    const dataMount = mounts(mgmt).find((m) => m.target === dataDir);
    if (!dataDir || !dataMount || !isNamed(dataMount.source)) out.push(`${replicas[0]}: the store (--data-dir / APPNET_MGMT_DATA_DIR) should be a named volume, so the App Mesh model survives the container`);
    else if (!mounts(initSvc).some((m) => m.source === dataMount.source && m.target === argAfter(initArgs, '--data-dir'))) out.push(`${initName}: --data-dir should prepare ${replicas[0]}'s store volume (${dataMount.source})`);
    return out;
  }
  if (new Set(stores).size !== 1) return [`${replicas.join(', ')}: every replica should use the same --store (got ${stores.map(String).join(' / ')})`];
  const m = /^etcds?:\/\/([^/]+)(\/.*)?$/.exec(stores[0] ?? '');
  const hosts = (m?.[1] ?? '').split(',').map((h) => h.split(':')[0]!);
  for (const h of hosts) {
    const etcd = services[h];
    if (!etcd) out.push(`${replicas[0]}: --store names ${h}, which is not a service`);
    else {
      if (!mounts(etcd).some((v) => isNamed(v.source))) out.push(`${h}: etcd's data should be a named volume, so the model survives the container`);
      for (const r of replicas) if (dependsOn(services[r])[h] !== 'service_healthy') out.push(`${r}: should wait for ${h} to be service_healthy`);
    }
  }
  return out;
}

/** The control plane and init: every replica, the store, TLS names and files, credentials, the seed model. */
function checkControlPlane(services: Record<string, Json>, ctx: ComposeContext, relayName: string, relayEnv: EnvMap): string[] {
  const out: string[] = [];
  const replicas = (relayEnv.APPNET_MANAGEMENT_ADDRESS ?? '').split(',').map((h) => h.trim());
  const missing = replicas.filter((r) => !services[r]);
  if (missing.length > 0 || replicas.length === 0) return [`${relayName}: APPNET_MANAGEMENT_ADDRESS should name the management servers' services (got "${relayEnv.APPNET_MANAGEMENT_ADDRESS ?? ''}")`];
  for (const r of replicas) out.push(...checkReplica(services, ctx, relayName, relayEnv, r));

  const init = Object.entries(services).find(([, s]) => ((s.entrypoint ?? []) as string[]).some((p) => String(p).endsWith('compose-init.js')));
  if (!init) return [...out, 'no init service running docker/compose-init.js'];
  const [initName, initSvc] = init;
  const args: string[] = (initSvc.command ?? []).map(String);
  const dir = argAfter(args, '--dir') ?? '';
  const pki = mounts(initSvc).find((m) => m.target === dir);
  if (!pki || !isNamed(pki.source)) return [...out, `${initName}: --dir ${dir} should be a named volume`];
  const tlsNames = (argAfter(args, '--names') ?? '').split(',');
  for (const n of [relayEnv.APPNET_MANAGEMENT_DOMAIN_NAME, ...replicas]) if (n && !tlsNames.includes(n)) out.push(`${initName}: the server certificate should name ${n}`);
  const expectFile = (who: string, svc: Json, file: string | undefined, base: string) => {
    const m = mounts(svc).find((x) => x.source === pki.source);
    if (!file || !m || path.posix.dirname(file) !== m.target || path.posix.basename(file) !== base) out.push(`${who}: ${base} should be read from the ${pki.source} volume (${file ?? 'unset'})`);
  };
  expectFile(relayName, services[relayName], relayEnv.RELAY_TRUSTED_CA_FILE, 'ca.pem');
  const initEnv = composeEnv(initSvc);
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) if (!initEnv[k] || initEnv[k] !== relayEnv[k]) out.push(`${relayName}: ${k} must match what ${initName} writes into the credentials file`);
  // The model: init writes it into a volume the replicas read --appmesh from (the first to start on an empty store applies it).
  const modelOut = argAfter(args, '--model-out');
  const modelVolume = mounts(initSvc).find((m) => modelOut !== undefined && m.target === path.posix.dirname(modelOut));
  for (const mgmtName of replicas) {
    const mgmt = services[mgmtName];
    const env = composeEnv(mgmt);
    expectFile(mgmtName, mgmt, env.APPNET_MGMT_TLS_CERT, 'server.pem');
    expectFile(mgmtName, mgmt, env.APPNET_MGMT_TLS_KEY, 'server-key.pem');
    expectFile(mgmtName, mgmt, env.APPNET_MGMT_SIGV4_CREDENTIALS, 'creds.json');
    const appmesh = argAfter(((mgmt.command ?? []) as unknown[]).map(String), '--appmesh') ?? env.APPNET_MGMT_APPMESH;
    const mgmtModelMount = mounts(mgmt).find((m) => m.source === modelVolume?.source);
    if (!modelVolume || !isNamed(modelVolume.source) || !mgmtModelMount || appmesh !== path.posix.join(mgmtModelMount.target, path.posix.basename(modelOut!))) {
      out.push(`${mgmtName}: --appmesh should read the model ${initName} writes (--model-out ${modelOut ?? 'unset'}) through a shared named volume`);
    }
    if (uidOf(argAfter(args, '--owner')) !== uidOf(ctx.imageUsers[imageOf(mgmt)])) out.push(`${initName}: --owner should be ${mgmtName}'s user (it reads the key and the credentials)`);
    if (dependsOn(mgmt)[initName] !== 'service_completed_successfully') out.push(`${mgmtName}: should wait for ${initName} to complete`);
  }
  out.push(...checkStore(services, replicas, initName, args, initSvc));
  const modelIn = argAfter(args, '--model-in');
  const seedMount = mounts(initSvc).find((m) => modelIn !== undefined && m.target === path.posix.dirname(modelIn));
  if (!seedMount || !seedMount.source.startsWith('./')) out.push(`${initName}: --model-in should come from a bind mount of the repository (the seed scenario)`);
  else if (!ctx.pendingPaths.has(seedMount.source) && !fs.existsSync(path.join(ctx.root, seedMount.source, path.posix.basename(modelIn!)))) out.push(`${initName}: ${seedMount.source}/${path.posix.basename(modelIn!)} does not exist`);
  if (uidOf(argAfter(args, '--socket-owner')) !== uidOf(services[relayName].user ?? ctx.imageUsers[imageOf(services[relayName])])) out.push(`${initName}: --socket-owner should be the relay's user`);
  if (dependsOn(services[relayName])[initName] !== 'service_completed_successfully') out.push(`${relayName}: should wait for ${initName} to complete`);
  return out;
}
