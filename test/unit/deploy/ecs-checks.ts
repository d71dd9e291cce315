/**
 * The shapes ECS expects of deploy/ecs/*.json (RegisterTaskDefinition and CreateService
 * input), checked as pure functions returning plain-language problems, so a test can
 * show both that the real files pass and that a broken copy is caught.
 */
import { type EnvMap, checkAgentEnv, readinessProbeEnv } from './agent-env';

type Json = any;

const NAME_RE = /^[A-Za-z0-9_-]{1,255}$/;
const NETWORK_MODES = ['awsvpc', 'bridge', 'host', 'none'];
const COMPATIBILITIES = ['EC2', 'FARGATE', 'EXTERNAL'];
const DEPENDS_ON = ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'];
const PROXY_PROPERTIES = ['IgnoredUID', 'ProxyIngressPort', 'ProxyEgressPort', 'AppPorts', 'EgressIgnoredIPs'];
/** Fargate task sizes: cpu units -> allowed memory (MiB). */
const FARGATE_SIZES: Record<string, number[]> = {
  '256': [512, 1024, 2048],
  '512': [1024, 2048, 3072, 4096],
  '1024': [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  '2048': Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  '4096': Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
};

export interface AgentImage {
  /** How an image reference names the agent image. */
  matches: (image: string) => boolean;
  env: EnvMap;
  user: string | undefined;
}

export const envList = (c: Json): EnvMap => Object.fromEntries(((c.environment ?? []) as Json[]).map((e) => [e.name, e.value]));

const isStr = (v: unknown): v is string => typeof v === 'string' && v !== '';
const inRange = (v: unknown, lo: number, hi: number) => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;

function checkHealthCheck(where: string, hc: Json, out: string[]): void {
  if (!Array.isArray(hc.command) || hc.command.length < 2 || !['CMD', 'CMD-SHELL'].includes(hc.command[0])) {
    out.push(`${where}: healthCheck.command must be an array starting with "CMD" or "CMD-SHELL" followed by the command`);
  }
  const limits: Array<[string, number, number]> = [['interval', 5, 300], ['timeout', 2, 60], ['retries', 1, 10], ['startPeriod', 0, 300]];
  for (const [k, lo, hi] of limits) if (hc[k] !== undefined && !inRange(hc[k], lo, hi)) out.push(`${where}: healthCheck.${k}=${hc[k]} is outside ${lo}-${hi}`);
}

/** Containers of a task that form a dependency cycle, if any. */
function dependencyCycle(containers: Json[]): string | undefined {
  const deps = new Map<string, string[]>(containers.map((c) => [c.name, ((c.dependsOn ?? []) as Json[]).map((d) => d.containerName)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, trail: string[]): string | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...trail, n].join(' -> ');
    state.set(n, 'visiting');
    for (const d of deps.get(n) ?? []) {
      const c = visit(d, [...trail, n]);
      if (c) return c;
    }
    state.set(n, 'done');
    return undefined;
  };
  for (const n of deps.keys()) {
    const c = visit(n, []);
    if (c) return c;
  }
  return undefined;
}

function checkProxyConfiguration(file: string, td: Json, byName: Map<string, Json>, out: string[]): void {
  const pc = td.proxyConfiguration;
  if (pc.type !== 'APPMESH') out.push(`${file}: proxyConfiguration.type must be APPMESH`);
  if (td.networkMode !== 'awsvpc') out.push(`${file}: proxyConfiguration needs networkMode awsvpc`);
  const proxy = byName.get(pc.containerName);
  if (!proxy) {
    out.push(`${file}: proxyConfiguration.containerName "${pc.containerName}" is not a container of the task`);
    return;
  }
  const props = new Map<string, string>(((pc.properties ?? []) as Json[]).map((p) => [p.name, p.value]));
  for (const p of PROXY_PROPERTIES) if (!isStr(props.get(p))) out.push(`${file}: proxyConfiguration.properties lacks ${p} (a string value)`);
  if (props.get('IgnoredUID') !== undefined && props.get('IgnoredUID') !== proxy.user) {
    out.push(`${file}: the proxy container's user (${proxy.user}) must equal IgnoredUID (${props.get('IgnoredUID')}), or Envoy's own traffic is redirected`);
  }
  for (const p of ['ProxyIngressPort', 'ProxyEgressPort']) if (props.has(p) && !/^\d+$/.test(props.get(p)!)) out.push(`${file}: ${p} must be a port number`);
  if (props.get('ProxyIngressPort') === props.get('ProxyEgressPort')) out.push(`${file}: ProxyIngressPort and ProxyEgressPort must differ`);
  const appPorts = (props.get('AppPorts') ?? '').split(',').filter(Boolean).map(Number);
  const others = [...byName.values()].filter((c) => c !== proxy);
  const exposed = new Set(others.flatMap((c) => ((c.portMappings ?? []) as Json[]).map((m) => m.containerPort)));
  for (const p of appPorts) if (!exposed.has(p)) out.push(`${file}: AppPorts ${p} is not a containerPort of an application container`);
  if (!proxy.essential) out.push(`${file}: the proxy container must be essential`);
  if (!proxy.healthCheck) out.push(`${file}: the proxy container needs a healthCheck (applications wait for it to be HEALTHY)`);
  for (const c of others.filter((x) => x.essential)) {
    if (!((c.dependsOn ?? []) as Json[]).some((d) => d.containerName === proxy.name && d.condition === 'HEALTHY')) {
      out.push(`${file}: application container "${c.name}" must dependsOn ${proxy.name} HEALTHY`);
    }
  }
}

/** One task definition (RegisterTaskDefinition input). */
export function checkTaskDefinition(file: string, td: Json, agent: AgentImage): string[] {
  const out: string[] = [];
  if (!isStr(td.family) || !NAME_RE.test(td.family)) out.push(`${file}: family must be 1-255 letters, digits, - or _`);
  if (!NETWORK_MODES.includes(td.networkMode)) out.push(`${file}: networkMode must be one of ${NETWORK_MODES.join(', ')}`);
  const compat: string[] = td.requiresCompatibilities ?? [];
  for (const c of compat) if (!COMPATIBILITIES.includes(c)) out.push(`${file}: unknown requiresCompatibilities entry ${c}`);
  for (const k of ['cpu', 'memory']) if (td[k] !== undefined && !/^\d+$/.test(String(td[k]))) out.push(`${file}: ${k} must be a number (as a string), got ${td[k]}`);
  if (compat.includes('FARGATE')) {
    if (td.networkMode !== 'awsvpc') out.push(`${file}: Fargate needs networkMode awsvpc`);
    const allowed = FARGATE_SIZES[String(td.cpu)];
    if (!allowed || !allowed.includes(Number(td.memory))) out.push(`${file}: cpu ${td.cpu} / memory ${td.memory} is not a Fargate task size`);
    if (((td.volumes ?? []) as Json[]).some((v) => v.host?.sourcePath)) out.push(`${file}: Fargate has no host bind mounts (host.sourcePath)`);
  }
  for (const k of ['taskRoleArn', 'executionRoleArn']) if (td[k] !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(td[k])) out.push(`${file}: ${k} is not an IAM role ARN`);

  const containers: Json[] = td.containerDefinitions ?? [];
  if (!Array.isArray(containers) || containers.length === 0) {
    out.push(`${file}: containerDefinitions must be a non-empty array`);
    return out;
  }
  const byName = new Map<string, Json>();
  for (const c of containers) {
    const where = `${file} container ${c.name ?? '?'}`;
    if (!isStr(c.name) || !NAME_RE.test(c.name)) out.push(`${where}: name must be 1-255 letters, digits, - or _`);
    if (byName.has(c.name)) out.push(`${where}: duplicate container name`);
    byName.set(c.name, c);
    if (!isStr(c.image)) out.push(`${where}: image is required`);
    if (typeof c.essential !== 'boolean') out.push(`${where}: essential must be true or false`);
    if (td.memory === undefined && c.memory === undefined && c.memoryReservation === undefined) out.push(`${where}: needs memory or memoryReservation when the task sets no memory`);
    if (c.healthCheck) checkHealthCheck(where, c.healthCheck, out);
    for (const m of (c.portMappings ?? []) as Json[]) {
      if (!inRange(m.containerPort, 1, 65535)) out.push(`${where}: containerPort ${m.containerPort} is not a port`);
      if (td.networkMode === 'awsvpc' && m.hostPort !== undefined && m.hostPort !== m.containerPort) out.push(`${where}: with awsvpc, hostPort must equal containerPort`);
    }
    for (const e of (c.environment ?? []) as Json[]) if (!isStr(e.name) || typeof e.value !== 'string') out.push(`${where}: environment entries are {name, value} strings`);
    for (const s of (c.systemControls ?? []) as Json[]) if (!isStr(s.namespace) || typeof s.value !== 'string') out.push(`${where}: systemControls entries are {namespace, value} strings`);
  }
  if (!containers.some((c) => c.essential === true)) out.push(`${file}: at least one container must be essential`);

  for (const c of containers) {
    for (const d of (c.dependsOn ?? []) as Json[]) {
      const where = `${file} container ${c.name}: dependsOn ${d.containerName}`;
      const target = byName.get(d.containerName);
      if (!target || target === c) out.push(`${where}: no such other container`);
      if (!DEPENDS_ON.includes(d.condition)) out.push(`${where}: condition must be one of ${DEPENDS_ON.join(', ')}`);
      if (target && d.condition === 'HEALTHY' && !target.healthCheck) out.push(`${where}: HEALTHY needs a healthCheck on ${d.containerName}`);
      if (target && ['COMPLETE', 'SUCCESS'].includes(d.condition) && target.essential) out.push(`${where}: ${d.condition} cannot be set on an essential container`);
    }
  }
  const cycle = dependencyCycle(containers);
  if (cycle) out.push(`${file}: dependsOn cycle ${cycle}`);

  const volumes = new Map<string, Json>();
  for (const v of (td.volumes ?? []) as Json[]) {
    if (!isStr(v.name)) out.push(`${file}: every volume needs a name`);
    if (volumes.has(v.name)) out.push(`${file}: duplicate volume ${v.name}`);
    volumes.set(v.name, v);
    if (v.host?.sourcePath !== undefined && !String(v.host.sourcePath).startsWith('/')) out.push(`${file}: volume ${v.name}: host.sourcePath must be absolute`);
  }
  const used = new Set<string>();
  for (const c of containers) {
    for (const m of (c.mountPoints ?? []) as Json[]) {
      used.add(m.sourceVolume);
      if (!volumes.has(m.sourceVolume)) out.push(`${file} container ${c.name}: mountPoints names volume "${m.sourceVolume}", which the task does not define`);
      if (!isStr(m.containerPath) || !m.containerPath.startsWith('/')) out.push(`${file} container ${c.name}: mountPoints.containerPath must be absolute`);
    }
  }
  for (const v of volumes.keys()) if (!used.has(v)) out.push(`${file}: volume ${v} is mounted by no container`);
  if (td.proxyConfiguration) checkProxyConfiguration(file, td, byName, out);

  // Containers running the agent image's own entry point: their environment must be one the agent reads.
  for (const c of containers.filter((x) => isStr(x.image) && agent.matches(x.image) && x.entryPoint === undefined)) {
    const probe = c.healthCheck ? readinessProbeEnv(c.healthCheck.command ?? []) : undefined;
    if (c.healthCheck && !probe) out.push(`${file} container ${c.name}: the health check should be the agent's readiness probe (-envoyReadiness)`);
    const r = checkAgentEnv(agent.env, envList(c), probe);
    out.push(...r.problems.map((p) => `${file} container ${c.name}: ${p}`));
  }
  return out;
}

/** One CreateService input. `families` = the task definition families in deploy/ecs. */
export function checkService(file: string, svc: Json, taskDefs: Map<string, Json>): string[] {
  const out: string[] = [];
  for (const k of ['serviceName', 'taskDefinition']) if (!isStr(svc[k])) out.push(`${file}: ${k} is required`);
  const td = taskDefs.get(String(svc.taskDefinition).split(':')[0]!);
  if (!td) out.push(`${file}: taskDefinition "${svc.taskDefinition}" is not a family defined in deploy/ecs`);
  if (!['REPLICA', 'DAEMON'].includes(svc.schedulingStrategy ?? 'REPLICA')) out.push(`${file}: schedulingStrategy must be REPLICA or DAEMON`);
  if (svc.schedulingStrategy === 'DAEMON') {
    if (svc.desiredCount !== undefined) out.push(`${file}: a DAEMON service takes no desiredCount`);
    if (svc.placementStrategy !== undefined) out.push(`${file}: a DAEMON service takes no placementStrategy`);
    if (svc.launchType !== undefined && svc.launchType !== 'EC2') out.push(`${file}: DAEMON services run on EC2 only`);
    if (td && !(td.requiresCompatibilities ?? ['EC2']).includes('EC2')) out.push(`${file}: the daemon's task definition must be EC2-compatible`);
    const max = svc.deploymentConfiguration?.maximumPercent;
    if (max !== undefined && max !== 100) out.push(`${file}: a DAEMON service keeps maximumPercent at 100`);
  }
  if (td?.networkMode === 'awsvpc' && !svc.networkConfiguration?.awsvpcConfiguration) out.push(`${file}: an awsvpc task needs networkConfiguration.awsvpcConfiguration`);
  return out;
}
