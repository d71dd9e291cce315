import { describe, expect, it } from 'vitest';
import { APP_MESH_ENV, SERVICE_CONNECT_ENV, gen } from '../../../test/fixtures/bootstrap-env';
import { classifyInterfaceAddresses, isIpv4Like } from './interfaces';
import { supportedIpFamilies } from './ip-families';
import type { PlatformFacts } from './platform-facts';

const FARGATE = { ...APP_MESH_ENV, AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE', ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/abc' };
const md = (env: Record<string, string>, facts: Partial<PlatformFacts> = {}) => gen(env, facts).bootstrap.node.metadata;

const net = (mode: string, v4: string[] = [], v6: string[] = []) => ({ NetworkMode: mode, IPv4Addresses: v4, IPv6Addresses: v6 });

// docs/reference-agent/bootstrap.md#platform-info
describe('node metadata: platform info', () => {
  it('reproduces the Fargate example', () => {
    const ecsTask = { Cluster: 'TestCluster', TaskARN: 'TestTask', AvailabilityZone: 'us-west-2d', AvailabilityZoneID: 'usw2-az4', Containers: [] };
    const ecsContainer = { Limits: { CPU: 5, Memory: 0.25 } };
    expect(md(FARGATE, { ecsTask, ecsContainer })['aws.appmesh.platformInfo']).toEqual({
      AvailabilityZone: 'us-west-2d',
      AvailabilityZoneID: 'usw2-az4',
      ecsPlatformInfo: { ecsLaunchType: 'AWS_ECS_FARGATE', ecsClusterArn: 'TestCluster', ecsTaskArn: 'TestTask', CPU: '5', Memory: '0.25' },
      systemInfo: { systemPlatform: 'x86_64', systemKernelVersion: '5.10.0-test' },
    });
  });

  it('leaves missing limits out instead of "<nil>" or a crash', () => {
    const info = (ecsContainer: unknown) => md(FARGATE, { ecsContainer })['aws.appmesh.platformInfo'];
    expect(info({})).toEqual({ ecsPlatformInfo: { ecsLaunchType: 'AWS_ECS_FARGATE' }, systemInfo: expect.any(Object) });
    expect(info({ Limits: { CPU: 2 } })).toMatchObject({ ecsPlatformInfo: { ecsLaunchType: 'AWS_ECS_FARGATE', CPU: '2' } });
    expect(JSON.stringify(info({ Limits: { Memory: null } }))).not.toContain('nil');
  });

  it('has ecsPlatformInfo whenever AWS_EXECUTION_ENV is set, with the container instance ARN', () => {
    const env = { ...APP_MESH_ENV, AWS_EXECUTION_ENV: 'AWS_ECS_EC2', ECS_CONTAINER_INSTANCE_ARN: 'arn:ci' };
    expect(md(env)['aws.appmesh.platformInfo']).toMatchObject({ ecsPlatformInfo: { ecsLaunchType: 'AWS_ECS_EC2', ecsContainerInstanceArn: 'arn:ci' } });
  });

  it('Kubernetes: all three variables, AZ from IMDS; ECS placement overrides it', () => {
    const k8s = { ...APP_MESH_ENV, APPMESH_PLATFORM_K8S_VERSION: 'v1.29', APPMESH_PLATFORM_K8S_POD_UID: 'uid-1', APPMESH_PLATFORM_APP_MESH_CONTROLLER_VERSION: 'v1.12' };
    const imdsPlacement = { availabilityZone: 'us-west-2a', availabilityZoneId: 'usw2-az1' };
    const { bootstrap } = gen(k8s, { imdsPlacement });
    expect(bootstrap.node.metadata['aws.appmesh.platformInfo']).toEqual({
      k8sPlatformInfo: { k8sVersion: 'v1.29', podUid: 'uid-1', appMeshControllerVersion: 'v1.12' },
      AvailabilityZone: 'us-west-2a',
      AvailabilityZoneID: 'usw2-az1',
      systemInfo: { systemPlatform: 'x86_64', systemKernelVersion: '5.10.0-test' },
    });
    expect(bootstrap.node.locality).toEqual({ region: 'us-west-2', zone: 'usw2-az1' });
    const partial = { ...APP_MESH_ENV, APPMESH_PLATFORM_K8S_VERSION: 'v1.29', APPMESH_PLATFORM_K8S_POD_UID: 'uid-1' };
    expect(md(partial, { imdsPlacement })['aws.appmesh.platformInfo']).not.toHaveProperty('k8sPlatformInfo');
    const both = { ...k8s, ...FARGATE };
    expect(md(both, { imdsPlacement, ecsTask: { AvailabilityZoneID: 'usw2-az4' } })['aws.appmesh.platformInfo']).toMatchObject({ AvailabilityZone: 'us-west-2a', AvailabilityZoneID: 'usw2-az4' });
  });

  it('systemInfo keeps what was read, fipsModeEnabled only when true, no platformInfo when empty', () => {
    expect(md(APP_MESH_ENV, { system: { kernelVersion: '6.1' } })['aws.appmesh.platformInfo']).toEqual({ systemInfo: { systemKernelVersion: '6.1' } });
    expect(md({ ...APP_MESH_ENV, APPNET_FIPS_MODE_ENABLED: 'TRUE' })['aws.appmesh.platformInfo']).toMatchObject({ fipsModeEnabled: true });
    expect(md({ ...APP_MESH_ENV, APPNET_FIPS_MODE_ENABLED: 'false' })['aws.appmesh.platformInfo']).not.toHaveProperty('fipsModeEnabled');
    expect(md(APP_MESH_ENV, { system: {} })).not.toHaveProperty(['aws.appmesh.platformInfo']);
  });
});

// docs/reference-agent/bootstrap.md#supported-ip-families: the reference's examples, and its quirks fixed
describe('node metadata: supportedIPFamilies', () => {
  const mapV4 = { App1: '172.10.1.1', App2: '172.10.1.2' };
  const mapV6 = { App1: 'fd00::1', App2: 'fd00::2' };
  it.each([
    ['awsvpc v4 only', [{ Networks: [net('awsvpc', ['10.0.0.1'])] }], undefined, 'IPv4_ONLY'],
    ['awsvpc v6 only', [{ Networks: [net('awsvpc', [], ['fd00::1'])] }], undefined, 'IPv6_ONLY'],
    ['awsvpc both', [{ Networks: [net('awsvpc', ['10.0.0.1'], ['fd00::1'])] }], undefined, 'ALL'],
    ['awsvpc, a list holding ""', [{ Networks: [net('awsvpc', [''])] }], undefined, 'IPv4_ONLY'],
    ['awsvpc no addresses', [{ Networks: [net('awsvpc')] }], undefined, undefined],
    ['no networks', [{}], undefined, undefined],
    ['no containers', [], undefined, undefined],
    ['bridge pause v4 only', [{ Networks: [net('bridge')] }, { Type: 'CNI_PAUSE', Networks: [net('bridge', ['10.0.0.1'])] }], mapV6, 'IPv4_ONLY'],
    ['bridge pause dual + IPv4 mapping', [{ Type: 'CNI_PAUSE', Networks: [net('bridge', ['10.0.0.1'], ['fd00::9'])] }], mapV4, 'ALL'],
    ['bridge pause dual + IPv6 mapping', [{ Type: 'CNI_PAUSE', Networks: [net('bridge', ['10.0.0.1'], ['fd00::9'])] }], mapV6, 'IPv6_ONLY'],
    ['bridge pause dual + no mapping', [{ Type: 'CNI_PAUSE', Networks: [net('bridge', ['10.0.0.1'], ['fd00::9'])] }], undefined, 'ALL'],
    ['bridge pause dual + empty mapping', [{ Type: 'CNI_PAUSE', Networks: [net('bridge', ['10.0.0.1'], ['fd00::9'])] }], {}, 'ALL'],
    ['bridge pause dual + non-string mapping', [{ Type: 'CNI_PAUSE', Networks: [net('bridge', ['10.0.0.1'], ['fd00::9'])] }], { App1: 1 }, 'ALL'],
    ['bridge pause dual + mixed mapping (all entries checked, not an arbitrary one)', [{ Type: 'CNI_PAUSE', Networks: [net('bridge', ['1.1.1.1'], ['fd00::9'])] }], { A: 'fd00::1', B: '172.10.1.1' }, 'ALL'],
    ['bridge pause dual + IPv4-mapped IPv6 mapping', [{ Type: 'CNI_PAUSE', Networks: [net('bridge', ['1.1.1.1'], ['fd00::9'])] }], { A: '::ffff:172.10.1.1' }, 'ALL'],
    ['bridge pause v6 only', [{ Type: 'CNI_PAUSE', Networks: [net('bridge', [], ['fd00::9'])] }], undefined, 'IPv6_ONLY'],
    ['bridge without pause', [{ Networks: [net('bridge', ['10.0.0.1'])] }], undefined, undefined],
    ['container:<id> first, later bridge pause v4', [{ Networks: [net('container:abc')] }, { Type: 'CNI_PAUSE', Networks: [net('bridge', ['10.0.0.1'])] }], undefined, 'IPv4_ONLY'],
    ['second network awsvpc with v4+v6', [{ Networks: [net('container:x'), net('awsvpc', ['10.0.0.1'], ['fd00::1'])] }], undefined, 'ALL'],
    ['awsvpc found on the second container is judged there, not on the first', [{ Networks: [net('container:x')] }, { Networks: [net('awsvpc', [], ['fd00::1'])] }], undefined, 'IPv6_ONLY'],
    ['host', [{ Networks: [net('host', ['10.0.0.1'])] }], undefined, undefined],
  ])('%s', (_name, containers, mapping, families) => {
    expect(supportedIpFamilies({ Containers: containers }, mapping).families).toBe(families);
    const env = mapping ? { ...FARGATE, APPNET_CONTAINER_IP_MAPPING: JSON.stringify(mapping) } : FARGATE;
    const info = md(env, { ecsTask: { Containers: containers } })['aws.appmesh.platformInfo'] as Record<string, unknown> & { ecsPlatformInfo: Record<string, unknown> };
    // Where consumers read it: the platform map itself, not its ECS part.
    expect(info.ecsPlatformInfo).not.toHaveProperty('supportedIPFamilies');
    if (families === undefined) expect(info).not.toHaveProperty('supportedIPFamilies');
    else expect(info.supportedIPFamilies).toBe(families);
  });

  it('sits beside ecsPlatformInfo in aws.appmesh.platformInfo (awsvpc dual-stack, as the reference writes it)', () => {
    const ecsTask = { Cluster: 'TestCluster', TaskARN: 'TestTask', Containers: [{ Networks: [net('awsvpc', ['10.0.0.1'], ['fd00::1'])] }] };
    expect(md(FARGATE, { ecsTask })['aws.appmesh.platformInfo']).toEqual({
      ecsPlatformInfo: { ecsLaunchType: 'AWS_ECS_FARGATE', ecsClusterArn: 'TestCluster', ecsTaskArn: 'TestTask' },
      supportedIPFamilies: 'ALL',
      systemInfo: { systemPlatform: 'x86_64', systemKernelVersion: '5.10.0-test' },
    });
  });

  it('warns for host/none/default modes', () => {
    expect(gen(FARGATE, { ecsTask: { Containers: [{ Networks: [net('host')] }] } }).warnings.join()).toContain('network mode host');
  });
});

describe('node metadata: interfaces, mappings, namespace', () => {
  it('classifies interface addresses', () => {
    expect(
      classifyInterfaceAddresses({
        lo: ['127.0.0.1/8', '::1/128'],
        eth0: ['10.0.0.5/24', 'fe80::1/64', '::ffff:10.1.1.1/24', '::ffff:10.1.1.2/120'],
        bad: ['10.0.0.1/33', 'garbage/8', '10.0.0.2/x', 'fd00::1/129'],
      }),
    ).toEqual({
      ipv4: { lo: ['127.0.0.1/8'], eth0: ['10.0.0.5/24', '::ffff:10.1.1.1/24'] },
      ipv6: { lo: ['::1/128'], eth0: ['fe80::1/64', '::ffff:10.1.1.2/120'] },
    });
    expect(classifyInterfaceAddresses({})).toEqual({});
    expect([isIpv4Like('1.2.3.4'), isIpv4Like('::ffff:1.2.3.4'), isIpv4Like('0:0:0:0:0:ffff:102:304'), isIpv4Like('::1'), isIpv4Like('x')]).toEqual([true, true, true, false, false]);
  });

  it('publishes the interfaces (possibly empty)', () => {
    expect(md(APP_MESH_ENV)['aws.appmesh.task.interfaces']).toEqual({});
    expect(md(APP_MESH_ENV, { interfaces: { ipv4: { eth0: ['10.0.0.5/24'] } } })['aws.appmesh.task.interfaces']).toEqual({ ipv4: { eth0: ['10.0.0.5/24'] } });
  });

  it('publishes the container/listener mappings and the namespace', () => {
    const m = md({
      ...SERVICE_CONNECT_ENV,
      APPNET_CONTAINER_IP_MAPPING: '{"App1":"172.10.1.1","App2":"172.10.1.2"}',
      APPNET_LISTENER_PORT_MAPPING: '{"Listener1":15000,"Listener2":15001}',
      NAMESPACE_NAME: 'ns',
      NAMESPACE_ARN: ' ',
    });
    expect(m['aws.ecs.serviceconnect.ClusterIPMapping']).toEqual({ App1: '172.10.1.1', App2: '172.10.1.2' });
    expect(m['aws.ecs.serviceconnect.ListenerPortMapping']).toEqual({ Listener1: 15000, Listener2: 15001 });
    expect(m['aws.ecs.serviceconnect.ServiceDiscovery']).toEqual({ NamespaceName: 'ns' });
    expect(md({ ...SERVICE_CONNECT_ENV, NAMESPACE_ARN: 'arn:ns' })['aws.ecs.serviceconnect.ServiceDiscovery']).toEqual({ NamespaceArn: 'arn:ns' });
    expect(Object.keys(md(SERVICE_CONNECT_ENV))).toEqual(['aws.appmesh.static_runtime', 'aws.appmesh.task.interfaces', 'aws.appmesh.platformInfo']);
  });
});
