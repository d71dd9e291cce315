import * as grpc from '@grpc/grpc-js';
import * as http from 'node:http';
import { NAME_METHOD } from './name-server';

export interface CallerStats {
  target: string;
  total: Record<string, number>;
  /** Replies of the last `window` calls, by name: the split right now. */
  recent: Record<string, number>;
  errors: number;
  lastError: string | null;
}

const id = (b: Buffer) => b;

/**
 * serviceA: calls `target` (e.g. xds:///serviceb.apps.local:80, resolved by
 * @grpc/grpc-js-xds through the relay) `ratePerSecond` times a second, and
 * counts who answered. Stats as JSON on GET /stats of `statsPort` (if given).
 */
export class Caller {
  private readonly client: grpc.Client;
  private readonly recentNames: string[] = [];
  private readonly total: Record<string, number> = {};
  private errors = 0;
  private lastError: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private server: http.Server | undefined;

  constructor(
    readonly target: string,
    private readonly ratePerSecond: number,
    private readonly window = 200,
  ) {
    this.client = new grpc.Client(target, grpc.credentials.createInsecure());
  }

  start(statsPort?: number): Promise<number | undefined> {
    this.timer = setInterval(() => this.callOnce(), 1000 / this.ratePerSecond);
    if (statsPort === undefined) return Promise.resolve(undefined);
    this.server = http.createServer((req, res) => {
      if (req.url !== '/stats') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(this.stats()));
    });
    return new Promise((resolve) => this.server!.listen(statsPort, '127.0.0.1', () => resolve((this.server!.address() as { port: number }).port)));
  }

  stats(): CallerStats {
    const recent: Record<string, number> = {};
    for (const n of this.recentNames) recent[n] = (recent[n] ?? 0) + 1;
    return { target: this.target, total: { ...this.total }, recent, errors: this.errors, lastError: this.lastError };
  }

  callOnce(): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(NAME_METHOD, id, id, Buffer.alloc(0), new grpc.Metadata(), { deadline: Date.now() + 5000 }, (err, res) => {
        if (err || !res) {
          this.errors++;
          this.lastError = err ? `${grpc.status[err.code] ?? err.code}: ${err.details}` : 'empty reply';
          return resolve(undefined);
        }
        const name = res.toString();
        this.total[name] = (this.total[name] ?? 0) + 1;
        this.recentNames.push(name);
        if (this.recentNames.length > this.window) this.recentNames.shift();
        resolve(name);
      });
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.server?.close();
    this.client.close();
  }
}
