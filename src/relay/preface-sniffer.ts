import type * as net from 'node:net';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const HTTP1_REQUEST = /^[A-Z]{3,10} \S/;

export type SniffResult = 'h2' | 'http1' | 'garbage' | 'timeout';

/**
 * Read the first bytes of a connection and tell HTTP/2 prior knowledge (the
 * client preface) from HTTP/1 and garbage. On 'h2' the bytes are put back for
 * the HTTP/2 session; otherwise the caller answers or drops the socket. A bad
 * connection never reaches the HTTP/2 server, so it cannot disturb others.
 */
export function sniffPreface(socket: net.Socket, timeoutMs: number, done: (result: SniffResult, head: Buffer) => void): void {
  let head = Buffer.alloc(0);
  const finish = (r: SniffResult) => {
    clearTimeout(timer);
    socket.removeListener('data', onData);
    socket.removeListener('error', onError);
    socket.pause();
    if (r === 'h2') socket.unshift(head);
    done(r, head);
  };
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const n = Math.min(head.length, PREFACE.length);
    if (head.subarray(0, n).equals(PREFACE.subarray(0, n))) {
      if (head.length >= PREFACE.length) finish('h2');
      return;
    }
    finish(HTTP1_REQUEST.test(head.subarray(0, 16).toString('latin1')) ? 'http1' : 'garbage');
  };
  const onError = () => finish('garbage');
  const timer = setTimeout(() => finish('timeout'), timeoutMs);
  timer.unref();
  socket.on('data', onData);
  socket.on('error', onError);
}

const HTTP1_BODY = 'This socket speaks gRPC over HTTP/2 with prior knowledge (h2c), not HTTP/1.x.\n';
export const HTTP1_REPLY =
  'HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Type: text/plain\r\nConnection: close\r\n' +
  `Content-Length: ${Buffer.byteLength(HTTP1_BODY)}\r\n\r\n${HTTP1_BODY}`;
