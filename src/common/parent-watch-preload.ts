/**
 * Preloaded with `node -r <this file> <main>` by a parent that must not be
 * outlived (the local mesh): the child stops gracefully, as on SIGTERM, when
 * its parent pipe closes. Without a parent pipe it does nothing.
 */
import { stopWhenParentGone } from './parent-watch';

stopWhenParentGone();
