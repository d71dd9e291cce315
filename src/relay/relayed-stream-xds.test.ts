import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDS, InProcessRelay, ManagementStub, grpcCall, grpcFrame, nextData } from '../../test/fixtures/relay-in-process';
import { projectProtoDir } from '../common/envoy-protos';
import { GrpcStatus } from '../common/grpc-status';
import { AdsPath, TypeUrl } from '../common/xds/vocabulary';

/**
 * The xDS tracker fed by a real stream: SotW discovery messages go through the
 * relay in real HTTP/2 frames (one split across two), and the ACK/NACK state
 * shows in the relay's status document (what GET /status serves) and metrics.
 */

const ADS = AdsPath.sotw;
const CDS = TypeUrl.Cluster;

const root = new protobuf.Root().loadSync(path.join(projectProtoDir(), 'appnet', 'xds_envelope.proto'), { keepCase: true });
const DiscoveryRequest = root.lookupType('appnet.envelope.DiscoveryRequest');
const DiscoveryResponse = root.lookupType('appnet.envelope.DiscoveryResponse');

function request(fields: Record<string, unknown>): Buffer {
  return grpcFrame(Buffer.from(DiscoveryRequest.encode(DiscoveryRequest.fromObject(fields)).finish()));
}

/** A DiscoveryResponse with `resources` opaque Any resources (field 2, which the envelope proto leaves out on purpose). */
function response(fields: Record<string, unknown>, resources: number): Buffer {
  const w = DiscoveryResponse.encode(DiscoveryResponse.fromObject(fields));
  for (let i = 0; i < resources; i++) {
    const any = protobuf.Writer.create().uint32(10).string(CDS).uint32(18).bytes(Buffer.from(`cluster-${i} config`)).finish();
    w.uint32((2 << 3) | 2).bytes(any);
  }
  return grpcFrame(Buffer.from(w.finish()));
}

describe('xDS state through a real stream (in process)', () => {
  let mgmt: ManagementStub;
  let relay: InProcessRelay;

  beforeAll(async () => {
    mgmt = await ManagementStub.start();
    relay = await InProcessRelay.start({ port: mgmt.port });
  });
  afterAll(async () => {
    await relay?.close();
    await mgmt?.close();
  });

  it('shows subscribe -> STALE -> SYNCED -> NACKED with the NACK text in the status document, counts the NACK, and passes every byte unchanged', async () => {
    mgmt.handler = ({ stream }) => stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    const call = grpcCall(relay.connect(), ADS);
    const sent: Buffer[] = [];
    const send = (b: Buffer) => {
      sent.push(b);
      call.stream.write(b);
    };
    const stream = () => relay.status().activeStreams.find((s) => s.path === ADS)!;
    const cds = () => stream()?.types.find((t) => t.typeUrl === CDS);

    send(request({ node: { id: 'mesh/apps/virtualNode/a', cluster: 'a', user_agent_name: 'envoy', user_agent_version: '1.29.0' }, type_url: CDS }));
    const up = await mgmt.stream(0);
    await relay.waitFor(() => cds()?.requests === 1, 1000, 'the subscription');
    expect(stream()).toMatchObject({ kind: 'sotw', node: { id: 'mesh/apps/virtualNode/a', cluster: 'a', userAgent: 'envoy/1.29.0' } });
    expect(cds()!.state).toBe('NOT_SENT');

    const v1 = response({ version_info: '1', type_url: CDS, nonce: 'n1' }, 2);
    up.stream.write(v1);
    expect((await nextData(call.stream)).equals(v1)).toBe(true);
    expect(cds()).toMatchObject({ state: 'STALE', responses: 1, lastVersionSent: '1', lastNonceSent: 'n1', lastResourceCount: 2 });

    // The ACK in two DATA frames, cut inside the message: the scanner reads across them.
    const ack = request({ version_info: '1', type_url: CDS, response_nonce: 'n1' });
    sent.push(ack);
    call.stream.write(ack.subarray(0, 9));
    await relay.waitFor(() => up.bytes().length === sent[0]!.length + 9, 1000, 'the first half of the ACK upstream');
    call.stream.write(ack.subarray(9));
    await relay.waitFor(() => cds()?.state === 'SYNCED', 1000, 'SYNCED');
    expect(cds()).toMatchObject({ acks: 1, lastAckedVersion: '1' });

    up.stream.write(response({ version_info: '2', type_url: CDS, nonce: 'n2' }, 3));
    await nextData(call.stream);
    send(request({ version_info: '1', type_url: CDS, response_nonce: 'n2', error_detail: { code: 3, message: 'cluster b: unknown lb policy' } }));
    await relay.waitFor(() => cds()?.state === 'NACKED', 1000, 'NACKED');
    expect(cds()).toMatchObject({
      nacks: 1,
      lastAckedVersion: '1',
      lastVersionSent: '2',
      lastNack: { nonce: 'n2', keptVersion: '1', rejectedVersion: '2', code: 3, message: 'cluster b: unknown lb policy' },
    });
    expect(await relay.relay.metrics.text()).toContain(`appnet_relay_nacks_total{type_url="${CDS}"} 1`);
    expect(relay.logs.find((l) => l.msg === 'client NACKed a config')).toMatchObject({ node: 'mesh/apps/virtualNode/a', error: 'cluster b: unknown lb policy' });

    const total = Buffer.concat(sent).length;
    await relay.waitFor(() => up.bytes().length === total, 1000, 'every request byte upstream');
    const doc = relay.status();
    expect(doc.healthStatus).toBe('HEALTHY');
    expect(doc.activeStreams[0]).toMatchObject({ phase: 'streaming', messages: { fromClient: 3, toClient: 2 }, bytes: { fromClient: total } });
    expect(JSON.stringify(doc)).not.toContain(CREDS.secretAccessKey);
    expect(JSON.stringify(doc)).not.toContain(CREDS.sessionToken);
    expect(up.bytes().equals(Buffer.concat(sent))).toBe(true); // read on the side, passed untouched

    up.stream.on('wantTrailers', () => up.stream.sendTrailers({ 'grpc-status': '0' }));
    up.stream.end();
    expect((await call.outcome).status?.code).toBe(GrpcStatus.OK);
  });
});
