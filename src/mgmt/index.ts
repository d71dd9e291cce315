/** The App Mesh control plane (appnet-mgmt) as a library: see server.ts for the xDS server and appmesh/ for the model, API and store. */
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
export { AppMeshSource, translationCheck, type ModelFeed } from './appmesh/source';
export { validateDocument, type ValidationResult, type ValidModel } from './appmesh/validate';
export { AppMeshApi, APPMESH_API_PREFIX, type AppMeshApiOptions, type ApiRequest, type ApiResponse } from './appmesh/api/http-api';
export { OPERATIONS, matchOperation, type Operation } from './appmesh/api/operations';
export { DEFAULT_QUOTAS, type Quotas } from './appmesh/api/quotas';
export { ModelStore, type Mutation, type MutationOutcome } from './appmesh/state/model-store';
export { openModelStore, seedState, ModelLoadError, type Clock } from './appmesh/state/open-store';
export { MemoryBackend, StateBackendError, type StateBackend } from './appmesh/state/backend';
export { FileBackend } from './appmesh/state/file-backend';
export { readModelFile, parseModelText } from './appmesh/model-file';
export type { ResourceKind, ResourceId } from './appmesh/resource-kinds';
export type { AppMeshDocument, AppMeshModel } from './appmesh/types';
