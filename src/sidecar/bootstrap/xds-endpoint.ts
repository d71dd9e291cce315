import { fail, ok, problem, type Result } from '../../common/problem';

/**
 * The App Mesh xDS endpoint derived from the region and the Envoy build
 * (docs/reference-agent/bootstrap.md#the-app-mesh-xds-endpoint).
 * Pure: the caller supplies whether the Envoy build is FIPS.
 */
export interface EndpointInputs {
  region: string;
  preview: boolean;
  dualstack: boolean;
  fipsBuild: boolean;
}

/** The endpoint (`host:443`), or why none fits (the problem's `where` left to the caller). */
export type EndpointResult = Result<string>;

/** GovCloud and ISO regions accept FIPS Envoy builds only. */
export function requiresFips(region: string): boolean {
  return region.startsWith('us-gov-') || region.startsWith('us-iso');
}

export function appMeshEndpoint(i: EndpointInputs): EndpointResult {
  if (requiresFips(i.region) && !i.fipsBuild) {
    return fail(problem('', `region ${i.region} needs a FIPS build of Envoy`));
  }
  const china = i.region.startsWith('cn-');
  const domain = i.dualstack ? (china ? 'api.amazonwebservices.com.cn' : 'api.aws') : china ? 'amazonaws.com.cn' : 'amazonaws.com';
  // GovCloud's endpoint is FIPS already and has no -fips suffix.
  const useFips = i.fipsBuild && !i.region.startsWith('us-gov-');
  const prefix = `appmesh${i.preview ? '-preview' : ''}-envoy-management${useFips ? '-fips' : ''}`;
  return ok(`${prefix}.${i.region}.${domain}:443`);
}

/** SigV4 service name for the xDS stream. */
export function signingName(explicit: string | undefined, preview: boolean): string {
  return explicit ?? (preview ? 'appmesh-preview' : 'appmesh');
}
