import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import { MAX_WINDOW, type UpstreamConfig } from './config';
import { type AddressRotation, hostPort } from './upstream-addresses';
import { connectionWindowFor } from './upstream-buffer-cap';
import { describeConnectError } from './upstream-errors';

/** How the relay sets up one HTTP/2 connection to the management server. */
export interface DialOptions {
  /** HTTP/2 stream window the relay advertises upstream: the per-stream buffer bound. */
  streamWindowBytes: number;
  /** RELAY_UPSTREAM_BUFFER_LIMIT_BYTES: sets the connection window (upstream-buffer-cap.ts). */
  connectionBufferBytes: number;
}

/**
 * A session to the first address that answers, trying each in turn (starting
 * after the last one that failed or was lost); the error names every address
 * tried. `stop()` says the relay is shutting down: no further address is tried.
 */
export async function dialAny(
  cfg: UpstreamConfig,
  o: DialOptions,
  rotation: AddressRotation,
  stop: () => boolean,
): Promise<{ session: http2.ClientHttp2Session; address: string }> {
  let order: string[];
  try {
    order = await rotation.resolve();
  } catch (e) {
    throw new Error((e as Error).message);
  }
  const failures: string[] = [];
  for (const address of order) {
    try {
      return { session: await dial(cfg, o, address), address };
    } catch (e) {
      const target = hostPort(address, cfg.port);
      failures.push(order.length > 1 ? `${target}: ${describeConnectError(e, target)}` : describeConnectError(e, target));
      rotation.passOver(address);
      if (stop()) break;
    }
  }
  throw new Error(failures.join('; '));
}

/** TLS options for a new connection; the CA file is read each time, so a rotated bundle is picked up. */
async function tlsOptions(cfg: UpstreamConfig): Promise<Record<string, unknown>> {
  if (!cfg.tls) return {};
  let ca: Buffer | undefined;
  try {
    ca = cfg.caFile ? await fs.promises.readFile(cfg.caFile) : undefined;
  } catch (e) {
    throw new Error(`cannot read CA file ${cfg.caFile}: ${(e as Error).message}`);
  }
  return { servername: cfg.domain, minVersion: 'TLSv1.2', ...(ca ? { ca } : {}), ...(cfg.ecdhCurve ? { ecdhCurve: cfg.ecdhCurve } : {}) };
}

/**
 * One connection to `address`, resolved once it is set up AND the server's
 * first SETTINGS have arrived: its SETTINGS_MAX_CONCURRENT_STREAMS decides how
 * many streams the pool may give it (before that, Node reports no limit).
 */
async function dial(cfg: UpstreamConfig, o: DialOptions, address: string): Promise<http2.ClientHttp2Session> {
  const tls = await tlsOptions(cfg);
  return new Promise((resolve, reject) => {
    const session = http2.connect(`${cfg.tls ? 'https' : 'http'}://${hostPort(address, cfg.port)}`, {
      ...tls,
      settings: { enablePush: false, initialWindowSize: o.streamWindowBytes },
      // An upstream session must never refuse new streams for memory:
      // per-stream flow-control windows are what bound buffering.
      maxSessionMemory: 1 << 20,
    });
    const timer = setTimeout(() => session.destroy(new Error(`connect timed out after ${cfg.connectTimeoutMs}ms`)), cfg.connectTimeoutMs);
    let connected = false;
    let settings = false;
    const done = (err?: Error): void => {
      clearTimeout(timer);
      session.removeListener('error', onError);
      session.removeListener('close', onEarlyClose);
      if (err) return reject(err);
      resolve(session);
    };
    const onError = (err: Error): void => done(err);
    const onEarlyClose = (): void => done(new Error('connection closed during setup'));
    const ready = (): void => {
      if (!connected || !settings) return;
      try {
        session.setLocalWindowSize(connectionWindowFor(o.connectionBufferBytes, MAX_WINDOW));
      } catch {
        /* the stream windows still apply */
      }
      done();
    };
    session.once('error', onError);
    session.once('close', onEarlyClose);
    session.once('connect', () => {
      connected = true;
      ready();
    });
    session.once('remoteSettings', () => {
      settings = true;
      ready();
    });
  });
}
