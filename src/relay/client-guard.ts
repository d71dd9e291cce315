import * as http2 from 'node:http2';

/**
 * How long a client may take to send the HTTP/2 preface after connecting, and
 * then to acknowledge the relay's SETTINGS (RFC 9113 §6.5.3 SETTINGS_TIMEOUT).
 * A local HTTP/2 client does each within milliseconds.
 */
export const HANDSHAKE_TIMEOUT_MS = 5000;

export type GuardVerdict = 'handshake_timeout' | 'keepalive_timeout';

export interface ClientGuardOptions {
  /** How long after the session starts the client has to acknowledge the relay's SETTINGS. */
  handshakeTimeoutMs: number;
  /** PING every this often once the handshake is done; 0 = no keepalive. */
  keepaliveIntervalMs: number;
  keepaliveTimeoutMs: number;
  /** The connection is being closed for this reason (called once). */
  onClose(verdict: GuardVerdict, detail: string): void;
}

/**
 * Run `check` after the event loop has read what is waiting on the sockets: a
 * timer that fires late on a busy relay must not condemn a client whose
 * answer is sitting, unread, in the socket buffer.
 */
function afterPendingReads(check: () => void): void {
  setImmediate(check);
}

/**
 * Keeps one client connection honest. node:http2 answers a protocol error with
 * GOAWAY but then neither closes the socket nor tells JavaScript: it just stops
 * reading (and a client blocked writing a huge header block never reads the
 * GOAWAY either), so such a connection would stay open until the client gives
 * up, and a client that vanished afterwards would never be noticed. What the
 * relay can see is the peer's answers: the ACK of its SETTINGS and of PINGs.
 * No ACK by the handshake deadline, or no PING answer within the keepalive
 * timeout, and the connection is closed (GOAWAY, then the socket).
 * Returns a function that stops the guard.
 */
export function guardClientSession(session: http2.ServerHttp2Session, o: ClientGuardOptions): () => void {
  let stopped = false;
  let handshakeTimer: NodeJS.Timeout | undefined;
  let keepaliveTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  let acked = false;

  const stop = (): void => {
    stopped = true;
    clearTimeout(handshakeTimer);
    clearInterval(keepaliveTimer);
    clearTimeout(pingTimer);
  };
  const close = (verdict: GuardVerdict, detail: string, code: number): void => {
    if (stopped || session.destroyed) return stop();
    stop();
    o.onClose(verdict, detail);
    try {
      session.goaway(code);
    } catch {
      /* the session may already be past sending anything */
    }
    session.destroy(); // closes the socket too
  };

  const startKeepalive = (): void => {
    if (o.keepaliveIntervalMs <= 0) return;
    keepaliveTimer = setInterval(() => {
      if (pingTimer || session.destroyed) return;
      let answered = false;
      pingTimer = setTimeout(
        () =>
          afterPendingReads(() => {
            if (!answered) close('keepalive_timeout', `no PING acknowledgement within ${o.keepaliveTimeoutMs} ms`, http2.constants.NGHTTP2_NO_ERROR);
          }),
        o.keepaliveTimeoutMs,
      );
      pingTimer.unref();
      try {
        session.ping(() => {
          answered = true;
          clearTimeout(pingTimer);
          pingTimer = undefined;
        });
      } catch {
        clearTimeout(pingTimer);
        pingTimer = undefined;
      }
    }, o.keepaliveIntervalMs);
    keepaliveTimer.unref();
  };

  session.once('localSettings', () => {
    acked = true;
    clearTimeout(handshakeTimer);
    if (!stopped) startKeepalive();
  });
  handshakeTimer = setTimeout(
    () =>
      afterPendingReads(() => {
        if (!acked) close('handshake_timeout', `no acknowledgement of the relay's SETTINGS within ${o.handshakeTimeoutMs} ms`, http2.constants.NGHTTP2_SETTINGS_TIMEOUT);
      }),
    o.handshakeTimeoutMs,
  );
  handshakeTimer.unref();
  session.once('close', stop);
  return stop;
}
