export { generateBootstrap } from './generate';
export { collectPlatformFacts, DEFAULT_TIMEOUTS, type PlatformDeps, type PlatformTimeouts } from './platform';
export { emptyFacts, type PlatformFacts, type InterfaceAddresses, type EnvoyBuild, type Outcome } from './platform-facts';
export { mergeCustomConfig, CUSTOM_FILE_VARS, type CustomDocument, type CustomFileVar } from './custom-files';
export { readCustomDocuments } from './custom-files-reader';
export { prepareBootstrapFile, type PrepareOptions, type PreparedBootstrap } from './bootstrap-file';
export { renderBootstrap, bootstrapYaml, type RenderedBootstrap } from './render';
export type { Bootstrap, FileToWrite, GeneratedBootstrap, Json, JsonObject } from './types';
