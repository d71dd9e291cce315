import * as grpc from '@grpc/grpc-js';

/** The demo service: one unary method answering the server's name. */
export const NAME_METHOD = '/appnet.demo.Name/Get';
const id = (b: Buffer) => b;

export const NAME_SERVICE = {
  Get: { path: NAME_METHOD, requestStream: false, responseStream: false, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id },
} as unknown as grpc.ServiceDefinition;

/** serviceB / serviceBv2: a gRPC server that answers every call with its name. */
export async function startNameServer(name: string, port: number, host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const server = new grpc.Server();
  server.addService(NAME_SERVICE, { Get: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from(name)) });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { port: bound, close: () => new Promise((r) => server.tryShutdown(() => r())) };
}
