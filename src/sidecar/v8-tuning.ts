import * as v8 from 'node:v8';

/**
 * Imported first by the agent's entry point, before anything else is loaded:
 * the sidecar agent supervises Envoy and answers a few admin requests, so it
 * asks V8 to favour memory over speed. `--optimize-for-size` shrinks the heap
 * and code (about 3 MiB of RSS); `--no-opt` turns off the optimising compiler
 * (TurboFan), whose compiled code and compile-time zones the agent never
 * repays: nothing it runs is hot (about 6 MiB of RSS, docs/agent-performance.md).
 * Code still runs through V8's interpreter and its baseline compiler.
 * `--semi-space-growth-factor=1` keeps the young generation at its first size
 * instead of letting each busy moment double it: about 2.6 MiB of RSS once up,
 * for a few more scavenges during a large /stats/prometheus answer.
 * Not in relay mode: there the same binary is the relay, whose throughput
 * this would cost; the relay's own flags (src/relay/v8-tuning.ts) apply when
 * its entry point is loaded.
 */
const relay = (process.env.APPNET_ENABLE_RELAY_MODE_FOR_XDS ?? '').trim().toLowerCase();
if (!['1', 't', 'true', 'yes', 'on'].includes(relay)) v8.setFlagsFromString('--optimize-for-size --no-opt --semi-space-growth-factor=1');
