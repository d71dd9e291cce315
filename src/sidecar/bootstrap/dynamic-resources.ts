import { renderProblems } from '../../common/problem';
import type { BootstrapConfig } from '../config/bootstrap-config';
import type { Findings } from './findings';
import { UNIX_SCHEME, isServiceConnect } from './node-id';
import type { PlatformFacts } from './platform-facts';
import { anyOf, protoDuration } from './proto-json';
import type { ResolvedRegion } from './region';
import type { ConfigSource, DynamicResources, GoogleGrpc } from './types';
import { appMeshEndpoint, signingName } from './xds-endpoint';

const AWS_IAM = 'envoy.grpc_credentials.aws_iam';
const CA_BUNDLE = '/etc/pki/tls/cert.pem';

/** The six gRPC channel args of every xDS connection (keepalive, backoff, 40 min recycling). */
export const XDS_CHANNEL_ARGS: Readonly<Record<string, number>> = {
  'grpc.http2.max_pings_without_data': 0,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.initial_reconnect_backoff_ms': 10_000,
  'grpc.max_connection_age_ms': 2_400_000,
  'grpc.max_connection_age_grace_ms': 5_000,
};

function channelArgs(): GoogleGrpc['channelArgs'] {
  const args: Record<string, { intValue: string }> = {};
  for (const [k, v] of Object.entries(XDS_CHANNEL_ARGS)) args[k] = { intValue: String(v) };
  return { args };
}

export function adsConfigSource(initialFetchTimeoutMs: number): ConfigSource {
  return { ads: {}, initialFetchTimeout: protoDuration(initialFetchTimeoutMs), resourceApiVersion: 'V3' };
}

/** The App Mesh endpoint: APPMESH_XDS_ENDPOINT verbatim, else derived from region, flags and the Envoy build. */
function appMeshTarget(cfg: BootstrapConfig, region: string, facts: PlatformFacts, f: Findings): string {
  if (cfg.xds.endpoint !== undefined) return cfg.xds.endpoint;
  let fipsBuild = false;
  if (facts.envoyBuild === undefined) f.warn('the Envoy build was not probed; assuming a non-FIPS build');
  else if (!facts.envoyBuild.ok) f.warn(`cannot tell whether Envoy is a FIPS build (${facts.envoyBuild.error}); assuming it is not`);
  else fipsBuild = facts.envoyBuild.value.fips;
  const r = appMeshEndpoint({ region, preview: cfg.xds.preview, dualstack: cfg.xds.dualstack, fipsBuild });
  if (r.ok) return r.value;
  const version = facts.envoyBuild?.ok ? `Envoy reports "${facts.envoyBuild.value.version}"` : 'the Envoy build is unknown';
  f.problem('AWS_REGION', region, `a region where a non-FIPS Envoy may run: ${renderProblems(r.problems).join('; ')} (${version}); or set APPMESH_XDS_ENDPOINT`);
  return '';
}

/**
 * dynamicResources (docs/reference-agent/bootstrap.md#dynamic-resources-ads): ADS over
 * Google gRPC. Service Connect (`unix://…`): no TLS, no signing, no region. App Mesh: TLS
 * with the system CA bundle and SigV4 (AwsIamConfig).
 */
export function dynamicResources(cfg: BootstrapConfig, region: ResolvedRegion, facts: PlatformFacts, f: Findings): DynamicResources {
  const timeout = adsConfigSource(cfg.xds.initialFetchTimeoutS * 1000);
  const grpc: GoogleGrpc = { statPrefix: 'ads', targetUri: '', channelArgs: channelArgs() };
  if (isServiceConnect(cfg.xds.endpoint)) {
    const endpoint = cfg.xds.endpoint!;
    if (!endpoint.slice(UNIX_SCHEME.length).startsWith('/')) f.problem('APPMESH_XDS_ENDPOINT', endpoint, 'unix:// followed by an absolute socket path, e.g. unix:///tmp/relay_xds.sock');
    grpc.targetUri = endpoint;
  } else if (!region.ok) {
    f.problem('AWS_REGION', '', `a region for the App Mesh xDS endpoint and SigV4 signing (${renderProblems(region.problems).join('; ')})`);
  } else {
    grpc.targetUri = appMeshTarget(cfg, region.value, facts, f);
    grpc.channelCredentials = { sslCredentials: { rootCerts: { filename: CA_BUNDLE } } };
    grpc.credentialsFactoryName = AWS_IAM;
    grpc.callCredentials = [
      {
        fromPlugin: {
          name: AWS_IAM,
          typedConfig: anyOf('envoy.config.grpc_credential.v3.AwsIamConfig', {
            serviceName: signingName(cfg.xds.signingName, cfg.xds.preview),
            region: region.value,
          }),
        },
      },
    ];
  }
  return {
    adsConfig: { apiType: 'GRPC', transportApiVersion: 'V3', grpcServices: [{ googleGrpc: grpc }] },
    cdsConfig: timeout,
    ldsConfig: { ...timeout },
  };
}
