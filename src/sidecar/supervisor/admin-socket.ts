import * as fs from 'node:fs';
import * as net from 'node:net';
import { listenUnix } from '../../common/unix-socket';

/**
 * Before Envoy starts with a Unix-socket admin
 * (docs/reference-agent/status-and-admin.md#admin-socket-pre-creation): make sure the
 * socket file exists with mode 0600, so nothing that probes Envoy early finds the path
 * missing, and nobody else can use it. Envoy binds the same path later (mode 384). Node
 * removes a listening socket's file when it closes, so the file is created under a
 * temporary name and hard-linked into place first.
 */
export async function precreateAdminSocket(socketPath: string): Promise<void> {
  const st = fs.lstatSync(socketPath, { throwIfNoEntry: false });
  if (st) {
    if (!st.isSocket()) throw new Error(`Envoy admin socket path ${socketPath} exists and is not a socket`);
    if ((st.mode & 0o777) !== 0o600) fs.chmodSync(socketPath, 0o600);
    return;
  }
  const tmp = `${socketPath}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  const server = net.createServer();
  await listenUnix(server, tmp, 0o600);
  try {
    fs.linkSync(tmp, socketPath);
  } finally {
    await new Promise<void>((r) => server.close(() => r())); // removes `tmp`, not the link
  }
}
