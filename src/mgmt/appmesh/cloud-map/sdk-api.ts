import type { CloudMapApi } from './resolver';

export interface CloudMapClientOptions {
  region: string;
  /** Another endpoint (a VPC endpoint, a proxy; the tests' fake Cloud Map). */
  endpoint?: string | undefined;
  /** Bounds each call, so a silent Cloud Map cannot hold a round (and a model change) forever. */
  timeoutMs?: number;
}

/** Instances asked for per call: Cloud Map's largest page (DiscoverInstances has no paging). */
const MAX_RESULTS = 1000;

/**
 * The CloudMapApi on the official AWS SDK client (`@aws-sdk/client-servicediscovery`),
 * loaded only when Cloud Map is configured: credentials from the AWS default chain
 * (environment, profile, container or instance role), signed by the SDK. With an
 * endpoint of its own the SDK's `data-` host prefix is not added (it belongs to
 * the public endpoints only).
 */
export async function sdkCloudMapApi(o: CloudMapClientOptions): Promise<CloudMapApi & { close(): void }> {
  const sd = await import('@aws-sdk/client-servicediscovery');
  const timeoutMs = o.timeoutMs ?? 5000;
  const client = new sd.ServiceDiscoveryClient({
    region: o.region,
    maxAttempts: 2,
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs },
    ...(o.endpoint !== undefined ? { endpoint: o.endpoint, disableHostPrefix: true } : {}),
  });
  return {
    async revision(q) {
      const out = await client.send(new sd.DiscoverInstancesRevisionCommand({ NamespaceName: q.namespaceName, ServiceName: q.serviceName }));
      return out.InstancesRevision;
    },
    async discover(q) {
      const out = await client.send(
        new sd.DiscoverInstancesCommand({
          NamespaceName: q.namespaceName,
          ServiceName: q.serviceName,
          MaxResults: MAX_RESULTS,
          HealthStatus: 'HEALTHY_OR_ELSE_ALL',
          ...(Object.keys(q.attributes).length > 0 ? { QueryParameters: { ...q.attributes } } : {}),
        }),
      );
      return out.Instances ?? [];
    },
    close: () => client.destroy(),
  };
}
