/** The fake management server as a library: see server.ts for the entry point. */
export { ManagementServer, startManagementServer, ADS_SERVICE, type ManagementServerOptions, type SigV4Options } from './server';
export type { ManagementEvents, RequestEvent, ResponseEvent, NackEvent } from './stream-session';
export type { StreamRecord, Rejection, NackSummary, SigV4Verdict, StreamKind } from './stream-registry';
export type { TypeStats, NackInfo, RequestKind } from './xds-types';
export {
  TypeUrl,
  WILDCARD_TYPES,
  makeSnapshot,
  typeSnapshot,
  describeSnapshot,
  type ResourceSource,
  type Snapshot,
  type TypeSnapshot,
  type SnapshotResource,
  type EncodedResource,
  type NodeInfo,
  type AnyMessage,
} from './snapshot';
export { StaticResourceSource } from './static-source';
export { FileResourceSource, type FileSourceOptions } from './file-source';
export { ResourceCodec, ResourceError, resourceNameField, type ResourceObject } from './resource-codec';
export { parseResourceDocument, formatForPath, type ResourceDocument } from './resource-document';
export { CombinedSource } from './combined-source';
export type { AdminExtension } from './admin-http';
export { AppMeshStore, AppMeshModelError, type ApplyResult, type AppMeshStoreOptions } from './appmesh/store';
export { AppMeshSource, translationCheck } from './appmesh/source';
export { validateDocument, type ValidationResult } from './appmesh/validate';
export { appMeshApi, APPMESH_PREFIX } from './appmesh/http-api';
export { readModelFile, parseModelText, ModelFileWatcher } from './appmesh/model-file';
export type { Change, ResourceKind, ResourceId } from './appmesh/changes';
export type { AppMeshDocument, AppMeshModel } from './appmesh/types';
