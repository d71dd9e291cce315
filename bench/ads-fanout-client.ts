/**
 * A forked benchmark child holding many ADS (SotW) streams to management
 * servers, as a fleet of Envoys would: each stream subscribes to one type and
 * names, ACKs every response, and notes when a response with a new version
 * arrives. Driven over IPC like the other children (processes.ts Child:
 * {id, command} in, {id, ok, result | error} out):
 *
 *   {cmd: 'open', targets, streams, channelsPerTarget, nodeId, typeUrl, names}
 *      -> {opened}            once every stream has its first response
 *   {cmd: 'mark'}             remember each stream's version
 *   {cmd: 'collect', timeoutMs}
 *      -> {arrivalsMs: [...]} Date.now() of each stream's first newer version, once all have one
 *   {cmd: 'close'}
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { envoyProtoIncludeDirs } from '../src/common/envoy-protos';
import { ADS_SERVICE } from '../src/common/xds/vocabulary';

type Obj = Record<string, unknown>;

interface Stream {
  call: grpc.ClientDuplexStream<Obj, Obj>;
  version: string;
  marked: string | undefined;
  changedAt: number | undefined;
  ended: string | undefined;
}

const ADS = ADS_SERVICE;

function adsClient(): grpc.ServiceClientConstructor {
  const pkg = protoLoader.loadSync('envoy/service/discovery/v3/ads.proto', { includeDirs: envoyProtoIncludeDirs(), keepCase: true, longs: String, enums: String, defaults: false, arrays: true, oneofs: true });
  let at: unknown = grpc.loadPackageDefinition(pkg);
  for (const part of ADS.split('.')) at = (at as Obj | undefined)?.[part];
  if (typeof at !== 'function') throw new Error(`${ADS} not found in Envoy's protos`);
  return at as grpc.ServiceClientConstructor;
}

const streams: Stream[] = [];
const clients: grpc.Client[] = [];

async function open(o: { targets: string[]; streams: number; channelsPerTarget: number; nodeId: string; typeUrl: string; names: string[] }): Promise<{ opened: number }> {
  const Client = adsClient();
  const channels: grpc.Client[] = [];
  // Distinct channel options keep grpc-js from sharing one connection between the channels of a target.
  for (const t of o.targets) for (let i = 0; i < o.channelsPerTarget; i++) channels.push(new Client(t, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1, 'appnet.bench.channel': i }));
  clients.push(...channels);
  const first: Array<Promise<void>> = [];
  for (let i = 0; i < o.streams; i++) {
    const client = channels[i % channels.length] as unknown as { StreamAggregatedResources(): grpc.ClientDuplexStream<Obj, Obj> };
    const call = client.StreamAggregatedResources();
    const s: Stream = { call, version: '', marked: undefined, changedAt: undefined, ended: undefined };
    streams.push(s);
    first.push(
      new Promise<void>((resolve, reject) => {
        call.on('data', (r: Obj) => {
          const version = String(r['version_info'] ?? '');
          call.write({ node: { id: o.nodeId, cluster: 'bench' }, type_url: o.typeUrl, resource_names: o.names, version_info: version, response_nonce: r['nonce'] });
          if (s.marked !== undefined && s.changedAt === undefined && version !== s.marked) s.changedAt = Date.now();
          s.version = version;
          resolve();
        });
        call.on('error', (e: Error) => {
          s.ended = e.message;
          reject(e);
        });
      }),
    );
    call.write({ node: { id: o.nodeId, cluster: 'bench', locality: { zone: 'bench' } }, type_url: o.typeUrl, resource_names: o.names });
  }
  await Promise.all(first);
  return { opened: streams.length };
}

async function collect(timeoutMs: number): Promise<{ arrivalsMs: number[] }> {
  const end = Date.now() + timeoutMs;
  while (streams.some((s) => s.changedAt === undefined) && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  const missing = streams.filter((s) => s.changedAt === undefined).length;
  if (missing > 0) throw new Error(`${missing} of ${streams.length} streams got no new version within ${timeoutMs} ms`);
  return { arrivalsMs: streams.map((s) => s.changedAt!) };
}

async function run(command: { cmd: string } & Obj): Promise<unknown> {
  switch (command.cmd) {
    case 'open':
      return open(command as never);
    case 'mark':
      for (const s of streams) {
        s.marked = s.version;
        s.changedAt = undefined;
      }
      return {};
    case 'collect':
      return collect(Number(command['timeoutMs'] ?? 30_000));
    case 'close':
      for (const s of streams) s.call.cancel();
      for (const c of clients) c.close();
      setTimeout(() => process.exit(0), 50);
      return {};
    default:
      throw new Error(`unknown command ${command.cmd}`);
  }
}

process.on('message', (m: { id: number; command: { cmd: string } & Obj }) => {
  run(m.command).then(
    (result) => process.send?.({ id: m.id, ok: true, result }),
    (e: unknown) => process.send?.({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
