import * as v8 from 'node:v8';
import { relayV8Flags } from './v8-flags';

/**
 * Imported first by the relay's entry point (main.ts), before anything else is
 * loaded; the agent in relay mode loads that entry point, so it applies there
 * too. The flags and why: v8-flags.ts.
 */
const flags = relayV8Flags(process.env);
if (flags) v8.setFlagsFromString(flags);
