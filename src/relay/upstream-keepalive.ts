import type * as http2 from 'node:http2';

/**
 * PINGs an upstream connection every `every` ms; a connection whose PING is not
 * acknowledged within `wait` ms is dead: `onDead(why)`, then it is destroyed.
 * But the acknowledgement queues behind whatever DATA the server already sent
 * on that connection (a 1 MiB update pushed to 1,000 streams is a gigabyte
 * ahead of it): while bytes keep arriving the connection is alive, and the wait
 * starts again (docs/relay-performance.md). Returns the function that stops it.
 */
export function startKeepalive(session: http2.ClientHttp2Session, every: number, wait: number, onDead: (why: string) => void): () => void {
  if (every <= 0) return () => undefined;
  let outstanding: NodeJS.Timeout | undefined;
  const bytesRead = (): number => (session.socket as { bytesRead?: number } | null)?.bytesRead ?? 0;
  const arm = (readAtStart: number): void => {
    outstanding = setTimeout(() => {
      const now = bytesRead();
      if (now > readAtStart && !session.destroyed) return arm(now);
      const why = `keepalive: no PING acknowledgement within ${wait}ms`;
      onDead(why);
      session.destroy(new Error(why));
    }, wait);
  };
  const interval = setInterval(() => {
    if (outstanding || session.destroyed || session.closed) return;
    arm(bytesRead());
    try {
      session.ping(() => {
        if (outstanding) clearTimeout(outstanding);
        outstanding = undefined;
      });
    } catch {
      clearTimeout(outstanding);
      outstanding = undefined;
    }
  }, every);
  interval.unref();
  return () => {
    clearInterval(interval);
    if (outstanding) clearTimeout(outstanding);
  };
}
