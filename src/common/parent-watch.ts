import type { StdioNull, StdioPipe } from 'node:child_process';
import * as net from 'node:net';

/**
 * "Stop when your parent is gone", for children that must not outlive the
 * process that started them, however it ended (SIGKILL included): the parent
 * hands the child one end of a pipe as an extra descriptor and names it in
 * APPNET_PARENT_PIPE_FD; the parent never writes to it, and when the parent
 * exits the kernel closes its end, so the child reads end-of-file.
 */
export const PARENT_PIPE_ENV = 'APPNET_PARENT_PIPE_FD';

/** After a graceful stop was asked for, exit anyway once this much time has passed. */
const HARD_EXIT_AFTER_MS = 30_000;

type StdioEntry = StdioNull | StdioPipe | number;

/**
 * For a parent: the spawn `stdio` and `env` that give the child its parent
 * pipe (as the descriptor after the three standard ones).
 */
export function withParentPipe<E extends Record<string, string | undefined>>(
  stdio: readonly [StdioEntry, StdioEntry, StdioEntry],
  env: E,
): { stdio: [StdioEntry, StdioEntry, StdioEntry, StdioPipe]; env: E & Record<typeof PARENT_PIPE_ENV, string> } {
  return { stdio: [...stdio, 'pipe'], env: { ...env, [PARENT_PIPE_ENV]: '3' } };
}

/**
 * For a child: when started with a parent pipe, call `onParentGone` once it
 * closes. The variable is removed from `env` (process.env by default) so the
 * child's own children do not look for a descriptor that was meant for it.
 * Returns whether a parent pipe was found. Never keeps the process alive.
 */
export function watchParent(onParentGone: () => void, env: NodeJS.ProcessEnv = process.env): boolean {
  const text = env[PARENT_PIPE_ENV];
  delete env[PARENT_PIPE_ENV];
  const fd = Number(text);
  if (text === undefined || !Number.isInteger(fd) || fd < 3) return false;
  let pipe: net.Socket;
  try {
    pipe = new net.Socket({ fd, readable: true, writable: false });
  } catch {
    return false; // no such descriptor: nothing to watch
  }
  let fired = false;
  const gone = (): void => {
    if (fired) return;
    fired = true;
    pipe.destroy();
    onParentGone();
  };
  pipe.on('data', () => undefined); // the parent has nothing to say; only the end matters
  pipe.once('end', gone);
  pipe.once('close', gone);
  pipe.on('error', gone);
  pipe.unref();
  return true;
}

/**
 * The usual reaction: do what SIGTERM does (every appnet process and the Envoy
 * stand-in treat it as "stop gracefully"), and exit regardless if that has not
 * happened after a bound.
 */
export function stopWhenParentGone(): boolean {
  return watchParent(() => {
    setTimeout(() => process.exit(1), HARD_EXIT_AFTER_MS).unref();
    process.kill(process.pid, 'SIGTERM');
  });
}
