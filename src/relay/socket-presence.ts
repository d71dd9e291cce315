import * as fs from 'node:fs';

/** Where the listening socket's file stands: ours, gone, or something else at its path. */
export type { SocketPresence } from '../common/contracts/relay-status';
import type { SocketPresence } from '../common/contracts/relay-status';

export interface SocketIdentity {
  dev: number;
  ino: number;
}

export function identityOf(socketPath: string): SocketIdentity {
  const st = fs.statSync(socketPath);
  return { dev: st.dev, ino: st.ino };
}

/**
 * Is the file at `socketPath` still the socket we bound? A listening socket
 * keeps accepting through its descriptor after its file is removed, but no
 * new client can find it: only the file system can tell. One lstat: cheap
 * enough to ask whenever the truth is wanted.
 */
export function socketPresence(socketPath: string, bound: SocketIdentity): SocketPresence {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(socketPath);
  } catch {
    return 'MISSING';
  }
  return st.isSocket() && st.dev === bound.dev && st.ino === bound.ino ? 'PRESENT' : 'REPLACED';
}

/** The /status reason for a socket that is not PRESENT. */
export function presenceReason(socketPath: string, p: Exclude<SocketPresence, 'PRESENT'>): string {
  return p === 'MISSING'
    ? `the listening socket ${socketPath} is missing (removed while the relay runs): new clients cannot connect; it is re-created once its directory exists`
    : `the listening socket ${socketPath} was replaced by another file: new clients do not reach this relay`;
}
