import { randomUUID } from 'node:crypto';
import type { Logger } from '../common/logger';
import { TokenBucket } from '../common/token-bucket';
import { credentialList } from '../sigv4/verify';
import type { AdminExtension } from './admin-http';
import { APPMESH_API_PREFIX, AppMeshApi } from './appmesh/api/http-api';
import { CloudMapResolver, type CloudMapQueryStatus } from './appmesh/cloud-map/resolver';
import { sdkCloudMapApi } from './appmesh/cloud-map/sdk-api';
import { readModelFile } from './appmesh/model-file';
import { AppMeshSource, translationCheck } from './appmesh/source';
import { MemoryBackend, StateUnreachableError, type BackendStatus, type StateBackend } from './appmesh/state/backend';
import { EtcdBackend } from './appmesh/state/etcd-backend';
import { FileBackend } from './appmesh/state/file-backend';
import type { ModelStore } from './appmesh/state/model-store';
import { openModelStore, type Clock } from './appmesh/state/open-store';
import type { MgmtCliConfig } from './cli-config';
import { CombinedSource } from './combined-source';
import { FileResourceSource } from './file-source';
import { WebConsole } from './console/console-http';
import type { MgmtMetrics } from './metrics';
import { ResourceCodec } from './resource-codec';
import type { ResourceSource } from './snapshot';
import { errorMessage, type Problem, renderProblems } from '../common/problem';

/**
 * What appnet-mgmt serves: the App Mesh control plane (its store, the App Mesh
 * API on the admin port, the model's xDS) and, with --resources, a resource
 * file laid under it, as one resource source.
 */
export interface Sources {
  source: ResourceSource;
  store: ModelStore;
  /** The web console (/ui); attach it to the server once that exists. */
  console: WebConsole;
  adminExtensions: AdminExtension[];
  /** For /healthz: the store's kind, whether it is reachable, its revision. */
  storeHealth(): BackendStatus & { revision: number; description: string };
  /** Cloud Map discovery's queries (undefined when it is off). */
  cloudMapStatus(): CloudMapQueryStatus[] | undefined;
  close(): Promise<void>;
}

function openBackend(config: MgmtCliConfig): StateBackend {
  if (config.etcd) {
    const e = config.etcd;
    return new EtcdBackend({ hosts: e.hosts, prefix: e.prefix, ...(e.tls ? { tls: e.tls } : {}), ...(e.auth ? { auth: e.auth } : {}) });
  }
  return config.dataDir !== undefined ? FileBackend.open(config.dataDir) : new MemoryBackend();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The partition of a region's ARNs. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The admin page of Cloud Map discovery: each query, its instances and its last failure. */
export const CLOUD_MAP_PATH = '/cloud-map';

function cloudMapDocument(queries: CloudMapQueryStatus[] | undefined): { enabled: boolean; queries: CloudMapQueryStatus[] } {
  return { enabled: queries !== undefined, queries: queries ?? [] };
}

const SYSTEM_CLOCK: Clock = { now: () => Date.now(), uid: () => randomUUID() };

/** Open the store (seeding it when empty), the API and the sources; throws with every problem. */
export async function openSources(config: MgmtCliConfig, env: NodeJS.ProcessEnv, logger: Logger, metrics?: MgmtMetrics, clock: Clock = SYSTEM_CLOCK): Promise<Sources> {
  const codec = new ResourceCodec();
  const problems: string[] = [];
  let file: FileResourceSource | undefined;
  let seed: { document: unknown; source: string } | undefined;
  if (config.resources !== undefined) {
    try {
      file = new FileResourceSource(config.resources, { codec, logger });
    } catch (e) {
      problems.push(errorMessage(e));
    }
  }
  if (config.appmesh !== undefined) {
    try {
      seed = { document: readModelFile(config.appmesh, env).document, source: config.appmesh };
    } catch (e) {
      problems.push(errorMessage(e));
    }
  }
  let backend: StateBackend | undefined;
  if (problems.length === 0) {
    try {
      backend = openBackend(config);
    } catch (e) {
      problems.push(errorMessage(e));
    }
  }
  let store: ModelStore | undefined;
  if (backend && problems.length === 0) {
    try {
      const onRejected = (p: readonly Problem[], token: number) => logger.error({ store: backend!.description, token, problems: renderProblems(p) }, 'a stored model this version cannot serve was ignored; the last model stays in service');
      const open = () => openModelStore({ backend: backend!, ...(seed ? { seed } : {}), check: translationCheck(codec), clock, onRejected });
      let opened: Awaited<ReturnType<typeof open>> | undefined;
      // A replica waits for etcd rather than serve an empty model (which would empty every Envoy).
      for (let wait = 250; !opened; wait = Math.min(wait * 2, 5000)) {
        try {
          opened = await open();
        } catch (e) {
          if (!(e instanceof StateUnreachableError)) throw e;
          logger.warn({ store: backend.description, err: e.message, retryInMs: wait }, 'the store cannot be reached yet; waiting (nothing is served meanwhile)');
          await sleep(wait);
        }
      }
      store = opened.store;
      const counts = { meshes: store.model.meshes.length, virtualNodes: store.model.nodes.length, revision: store.revision };
      if (opened.seed === 'applied') logger.info({ seed: config.appmesh, ...counts }, 'App Mesh model seeded from the file (the store was empty)');
      if (opened.seed === 'not-applied') logger.warn({ seed: config.appmesh, store: backend.description, ...counts }, 'the store already holds a model: the seed file was NOT applied (the stored model wins)');
      if (!backend.durable) logger.warn({ store: backend.description }, 'the App Mesh model lives in memory: changes are lost when this process stops (use --data-dir to keep them)');
      else logger.info({ store: backend.description, ...counts }, 'App Mesh model store open');
    } catch (e) {
      problems.push(errorMessage(e));
    }
  }
  if (problems.length > 0 || !store) {
    file?.close();
    await backend?.close();
    throw new Error(problems.join('\n'));
  }
  let cloudMap: { resolver: CloudMapResolver; close(): void } | undefined;
  if (config.cloudMap) {
    const c = config.cloudMap;
    const api = await sdkCloudMapApi({ region: c.region, endpoint: c.endpoint });
    const resolver = new CloudMapResolver({ api, refreshMs: c.refreshMs, logger });
    // The first answer before the first stream: a Cloud Map node's callers start with its instances.
    await resolver.follow(store.model);
    cloudMap = { resolver, close: () => (resolver.close(), api.close()) };
    logger.info({ region: c.region, ...(c.endpoint ? { endpoint: c.endpoint } : {}), queries: resolver.status().length }, 'AWS Cloud Map discovery on');
  }
  const mesh = new AppMeshSource(store, codec, cloudMap?.resolver);
  const view = { partition: partitionOf(config.arnRegion), region: config.arnRegion, account: config.accountId };
  const api = new AppMeshApi({
    store,
    context: { view, quotas: config.quotas, clock },
    ...(config.sigv4
      ? { auth: { region: config.sigv4.region, credentials: credentialList(config.sigv4.credentials), ...(config.consoleToken ? { consoleToken: config.consoleToken } : {}) } }
      : {}),
    ...(config.apiRateLimit ? { rateLimit: new TokenBucket(config.apiRateLimit.rate, config.apiRateLimit.burst) } : {}),
    logger,
    ...(metrics ? { onRequest: (op: string, code: string) => metrics.apiRequest(op, code) } : {}),
  });
  const openStore = store;
  const webConsole = new WebConsole({ store, view, token: config.consoleToken, apiSigned: config.sigv4 !== undefined, host: config.host, ...(store.backend.replicas ? { board: store.backend.replicas } : {}) });
  return {
    source: file ? new CombinedSource(file, mesh) : mesh,
    store,
    console: webConsole,
    adminExtensions: [
      { prefix: APPMESH_API_PREFIX, handle: (req) => api.handle(req) },
      webConsole,
      { prefix: CLOUD_MAP_PATH, handle: async () => ({ status: 200, body: cloudMapDocument(cloudMap?.resolver.status()) }) },
    ],
    cloudMapStatus: () => cloudMap?.resolver.status(),
    storeHealth: () => ({ ...openStore.backend.status(), revision: openStore.revision, description: openStore.backend.description }),
    close: async () => {
      webConsole.close();
      file?.close();
      mesh.close();
      cloudMap?.close();
      await openStore.close();
    },
  };
}
