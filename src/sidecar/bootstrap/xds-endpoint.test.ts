import { describe, expect, it } from 'vitest';
import { FIPS, NON_FIPS, gen, problemsOf } from '../../../test/fixtures/bootstrap-env';
import type { PlatformFacts } from './platform-facts';

const AWS_LC: PlatformFacts['envoyBuild'] = { ok: true, value: { version: 'envoy 1.29.4/Clean/RELEASE/AWS-LC', fips: false } };
const BORING_FIPS: PlatformFacts['envoyBuild'] = { ok: true, value: { version: 'envoy 1.29.4/Clean/RELEASE/BoringSSL-FIPS', fips: true } };
const BROKEN: PlatformFacts['envoyBuild'] = { ok: false, error: '/usr/bin/envoy --version: spawn /usr/bin/envoy ENOENT' };

function google(region: string, build: PlatformFacts['envoyBuild'], env: Record<string, string> = {}) {
  const { bootstrap, warnings } = gen({ AWS_REGION: region, APPMESH_RESOURCE_ARN: 'mesh/foo/virtualNode/bar', ...env }, { envoyBuild: build });
  return { grpc: bootstrap.dynamicResources.adsConfig.grpcServices[0]!.googleGrpc, warnings };
}

// docs/reference-agent/bootstrap.md#the-app-mesh-xds-endpoint
describe('App Mesh xDS endpoint: every row of the reference table', () => {
  it.each([
    ['us-west-2', NON_FIPS, {}, 'appmesh-envoy-management.us-west-2.amazonaws.com:443'],
    ['cn-north-1', NON_FIPS, {}, 'appmesh-envoy-management.cn-north-1.amazonaws.com.cn:443'],
    ['us-west-2', NON_FIPS, { APPMESH_PREVIEW: '1' }, 'appmesh-preview-envoy-management.us-west-2.amazonaws.com:443'],
    ['us-west-2', NON_FIPS, { APPMESH_DUALSTACK_ENDPOINT: '1' }, 'appmesh-envoy-management.us-west-2.api.aws:443'],
    ['cn-north-1', NON_FIPS, { APPMESH_DUALSTACK_ENDPOINT: '1' }, 'appmesh-envoy-management.cn-north-1.api.amazonwebservices.com.cn:443'],
    ['us-west-2', NON_FIPS, { APPMESH_DUALSTACK_ENDPOINT: '1', APPMESH_PREVIEW: '1' }, 'appmesh-preview-envoy-management.us-west-2.api.aws:443'],
    ['us-west-2', AWS_LC, {}, 'appmesh-envoy-management.us-west-2.amazonaws.com:443'],
    ['us-west-2', BROKEN, {}, 'appmesh-envoy-management.us-west-2.amazonaws.com:443'],
    ['us-west-2', FIPS, {}, 'appmesh-envoy-management-fips.us-west-2.amazonaws.com:443'],
    ['us-west-2', BORING_FIPS, {}, 'appmesh-envoy-management-fips.us-west-2.amazonaws.com:443'],
    ['us-gov-east-1', FIPS, {}, 'appmesh-envoy-management.us-gov-east-1.amazonaws.com:443'],
    ['us-west-2', FIPS, { APPMESH_DUALSTACK_ENDPOINT: '1' }, 'appmesh-envoy-management-fips.us-west-2.api.aws:443'],
    ['us-gov-west-1', FIPS, { APPMESH_DUALSTACK_ENDPOINT: '1' }, 'appmesh-envoy-management.us-gov-west-1.api.aws:443'],
    ['us-west-2', FIPS, { APPMESH_PREVIEW: '1' }, 'appmesh-preview-envoy-management-fips.us-west-2.amazonaws.com:443'],
    ['us-west-2', FIPS, { APPMESH_PREVIEW: '1', APPMESH_DUALSTACK_ENDPOINT: '1' }, 'appmesh-preview-envoy-management-fips.us-west-2.api.aws:443'],
    ['us-west-2', NON_FIPS, { APPMESH_XDS_ENDPOINT: 'foo' }, 'foo'],
    ['us-gov-west-1', NON_FIPS, { APPMESH_XDS_ENDPOINT: 'foo:443' }, 'foo:443'],
  ])('%s, %j, %j -> %s', (region, build, env, endpoint) => {
    expect(google(region, build, env).grpc.targetUri).toBe(endpoint);
  });

  it.each(['us-gov-west-1', 'us-iso-west-1', 'us-isob-east-1'])('refuses a non-FIPS Envoy in %s, naming AWS_REGION', (region) => {
    const problems = problemsOf(() => google(region, NON_FIPS));
    expect(problems).toHaveLength(1);
    expect(problems[0]![0]).toBe('AWS_REGION');
    expect(problems[0]![1]).toContain('needs a FIPS build of Envoy');
    expect(problems[0]![1]).toContain('BoringSSL');
  });

  it('warns when the Envoy build could not be probed', () => {
    expect(google('us-west-2', BROKEN).warnings[0]).toContain('ENOENT');
    expect(google('us-west-2', undefined).warnings[0]).toContain('not probed');
  });

  it('signs as appmesh, appmesh-preview, or APPMESH_SIGNING_NAME, in the region', () => {
    const iam = (env: Record<string, string>) => google('eu-west-1', NON_FIPS, env).grpc.callCredentials![0]!.fromPlugin.typedConfig;
    expect(iam({})).toMatchObject({ serviceName: 'appmesh', region: 'eu-west-1' });
    expect(iam({ APPMESH_PREVIEW: 'true' })).toMatchObject({ serviceName: 'appmesh-preview' });
    expect(iam({ APPMESH_PREVIEW: 'true', APPMESH_SIGNING_NAME: 'custom' })).toMatchObject({ serviceName: 'custom' });
  });
});
