import type { Logger } from '../common/logger';
import type { AdminExtension } from './admin-http';
import { APPMESH_PREFIX, appMeshApi } from './appmesh/http-api';
import { ModelFileWatcher, readModelFile } from './appmesh/model-file';
import { AppMeshSource, translationCheck } from './appmesh/source';
import { AppMeshStore } from './appmesh/store';
import type { MgmtCliConfig } from './cli-config';
import { CombinedSource } from './combined-source';
import { FileResourceSource } from './file-source';
import { ResourceCodec } from './resource-codec';
import type { ResourceSource } from './snapshot';

/**
 * What appnet-mgmt serves: the resource file (--resources) and/or the App Mesh
 * model (--appmesh, with its file watcher and the /appmesh admin API), as one
 * resource source (with both, the model's resources are laid over the file's).
 */
export interface Sources {
  source: ResourceSource;
  adminExtensions: AdminExtension[];
  close(): void;
}

/** The resource file and/or the App Mesh model, as one source; throws with every problem. */
export function openSources(config: MgmtCliConfig, env: NodeJS.ProcessEnv, logger: Logger): Sources {
  const codec = new ResourceCodec();
  const problems: string[] = [];
  let file: FileResourceSource | undefined;
  let mesh: { source: AppMeshSource; watcher: ModelFileWatcher } | undefined;
  if (config.resources !== undefined) {
    try {
      file = new FileResourceSource(config.resources, { codec, logger });
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (config.appmesh !== undefined) {
    try {
      const { document, text } = readModelFile(config.appmesh, env);
      const store = new AppMeshStore(document, { check: translationCheck(codec) });
      const watcher = new ModelFileWatcher(config.appmesh, store, { env, logger, initialText: text });
      mesh = { source: new AppMeshSource(store, codec), watcher };
      logger.info({ file: config.appmesh, meshes: store.model.meshes.length, virtualNodes: store.model.nodes.length }, 'App Mesh model loaded');
    } catch (e) {
      problems.push(e instanceof Error ? e.message.replace(/^invalid App Mesh model \(/, `invalid App Mesh model ${config.appmesh} (`) : String(e));
    }
  }
  const close = () => {
    file?.close();
    mesh?.watcher.close();
    mesh?.source.close();
  };
  if (problems.length > 0) {
    close();
    throw new Error(problems.join('\n'));
  }
  const source = file && mesh ? new CombinedSource(file, mesh.source) : (mesh?.source ?? file)!;
  const store = mesh?.source.store;
  const adminExtensions: AdminExtension[] = store ? [{ prefix: APPMESH_PREFIX, handle: (method, pathname, body) => appMeshApi(store, method, pathname, body) }] : [];
  return { source, adminExtensions, close };
}
