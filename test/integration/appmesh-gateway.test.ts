import { UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeUrl } from '../../src/mgmt/snapshot';
import { AgentRig } from '../fixtures/agent-rig';
import { GATEWAY_FILE, GATEWAY_NODE } from '../fixtures/appmesh-gateway';
import { waitFor } from '../fixtures/tmp';
import { XdsRig } from '../fixtures/xds-rig';

/**
 * A virtual gateway's Envoy with real processes: appnet-mgmt --appmesh
 * examples/appmesh/gateway.yaml <- appnet-relay <- appnet-agent started as the
 * gateway (APPMESH_RESOURCE_ARN=mesh/apps/virtualGateway/gw) supervising the
 * Envoy stand-in, which receives the gateway's listener, routes and clusters,
 * ACKs them, and follows a weight change of the router behind the gateway.
 */

const ROUTE = { meshName: 'apps', virtualRouterName: 'serviceB', routeName: 'serviceB' };
const B = 'cds_egress_apps_serviceB_http2_80';
const B2 = 'cds_egress_apps_serviceBv2_http2_80';
const A = 'cds_egress_apps_serviceA_http2_80';
const TYPES = [TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment];

describe('a virtual gateway\'s Envoy behind appnet-agent, through the relay (real processes)', () => {
  let xds: XdsRig;
  let agent: AgentRig;
  beforeAll(async () => {
    xds = await XdsRig.start({ appmesh: { file: GATEWAY_FILE } });
    agent = await AgentRig.start({ relaySocket: xds.socket, env: { APPMESH_RESOURCE_ARN: GATEWAY_NODE, APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S: '0' } });
  }, 30_000);
  afterAll(async () => {
    await agent?.close();
    await xds?.close();
  });

  it('the agent takes the gateway id and its Envoy gets the gateway listener, routes and clusters, all ACKed', async () => {
    const st = await agent.waitForStatus((s) => s.healthStatus === 'HEALTHY' && s.managementServerConnectionStatus === 'CONNECTED', 20_000, 'HEALTHY + CONNECTED');
    expect(st).toMatchObject({ envoyState: 'LIVE', initialConfigUpdateStatus: 'UPDATE_SUCCESSFUL', reasons: [] });
    const events = agent.events();
    expect(events.filter((e) => e.event === 'nack' || e.event === 'config-error')).toEqual([]);
    const responses = new Map(events.filter((e) => e.event === 'ads-response').map((e) => [e.typeUrl as string, e.resources]));
    expect(Object.fromEntries(responses)).toEqual({ [TypeUrl.Listener]: 1, [TypeUrl.RouteConfiguration]: 1, [TypeUrl.Cluster]: 3, [TypeUrl.ClusterLoadAssignment]: 3 });

    // What the server holds for the gateway is what its Envoy ACKed, on a stream that went through the relay.
    const held = await xds.mgmtAdmin.resources(GATEWAY_NODE);
    expect(Object.keys(held.types[TypeUrl.Listener].resources)).toEqual(['lds_ingress_0.0.0.0_8080']);
    expect(Object.keys(held.types[TypeUrl.RouteConfiguration].resources)).toEqual(['rds_ingress_http_8080']);
    expect(Object.keys(held.types[TypeUrl.Cluster].resources).sort()).toEqual([A, B, B2]);
    const stream = (await xds.mgmtAdmin.streams({ open: true })).find((s) => s.nodeId === GATEWAY_NODE)!;
    for (const typeUrl of TYPES) expect(stream.types[typeUrl]).toMatchObject({ nacks: 0, lastAckedVersion: held.types[typeUrl].version });
    const relay = await xds.relayStatus();
    expect(relay.activeStreams.some((s: any) => s.node?.id === GATEWAY_NODE && s.types.every((t: any) => t.state === 'SYNCED'))).toBe(true);
  }, 30_000);

  it('a weight change of the router behind the gateway reaches its Envoy, which ACKs the new routes and clusters', async () => {
    const put = await xds.appMesh().send(new UpdateRouteCommand({ ...ROUTE, spec: { http2Route: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 0 }, { virtualNode: 'serviceBv2', weight: 100 }] } } } }));
    expect(put.route?.metadata?.version).toBe(2);
    const held = await xds.mgmtAdmin.resources(GATEWAY_NODE);
    expect(Object.keys(held.types[TypeUrl.Cluster].resources).sort()).toEqual([A, B, B2]); // the 0-weight target keeps its cluster
    for (const typeUrl of [TypeUrl.RouteConfiguration, TypeUrl.Cluster]) {
      const version = held.types[typeUrl].version;
      await waitFor(() => agent.events().some((e) => e.event === 'ack' && e.typeUrl === typeUrl && e.version === version), 5000, `the gateway Envoy's ACK of ${typeUrl} ${version}`);
    }
    const rds = agent.events().filter((e) => e.event === 'ads-response' && e.typeUrl === TypeUrl.RouteConfiguration);
    expect(rds.length).toBeGreaterThanOrEqual(2);
    expect(agent.events().filter((e) => e.event === 'nack')).toEqual([]);
  }, 20_000);
});
