import { main } from './main';

/**
 * The Envoy stand-in as a process (dist/tools/envoy-stand-in/bin.js): see
 * test/fixtures/envoy-stand-in.ts for how tests start it (fakeEnvoyBin) and what it does.
 */
void main(process.argv.slice(2), process.env);
