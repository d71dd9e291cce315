import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';

/**
 * Envoy's API protos as shipped inside @grpc/grpc-js-xds (deps/envoy-api,
 * deps/xds, deps/googleapis, deps/protoc-gen-validate). They are loaded from
 * there, never copied into this repository.
 */
export function envoyProtoIncludeDirs(): string[] {
  const pkg = require.resolve('@grpc/grpc-js-xds/package.json');
  const deps = path.join(path.dirname(pkg), 'deps');
  const dirs = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate', 'cncf-xds'].map((d) => path.join(deps, d));
  // protobufjs ships google/protobuf/descriptor.proto and friends that validate.proto imports.
  dirs.push(path.dirname(require.resolve('protobufjs/package.json')));
  return dirs.filter((d) => fs.existsSync(d));
}

/** The proto files whose types the management server and tests encode. */
export const ENVOY_PROTO_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/discovery/v3/discovery.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/service/load_stats/v3/lrs.proto',
  'envoy/service/status/v3/csds.proto',
];

/** A protobufjs Root holding Envoy's xDS types, resolving imports from the include dirs. */
export function loadEnvoyRoot(files: readonly string[] = ENVOY_PROTO_FILES): protobuf.Root {
  const includes = envoyProtoIncludeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target) && fs.existsSync(target)) return target;
    for (const dir of includes) {
      const p = path.join(dir, target);
      if (fs.existsSync(p)) return p;
    }
    return target;
  };
  root.loadSync([...files], { keepCase: true });
  root.resolveAll();
  return root;
}

/** The project's own protos (proto/ at the package root). */
export function projectProtoDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'proto');
    if (fs.existsSync(path.join(candidate, 'appnet'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the proto/ directory above ${__dirname}`);
    dir = up;
  }
}
