import { Etcd3, EtcdAuthenticationFailedError, EtcdPermissionDeniedError, GRPCUnauthenticatedError, type IOptions, type Lease, type Watcher } from 'etcd3';
import { gunzipSync, gzipSync } from 'node:zlib';
import { StateBackendError, StateConflictError, StateUnreachableError, type BackendStatus, type ReplicaBoard, type StateBackend, type StoredState } from './backend';
import type { ControlPlaneState } from './state';
import { decodeState, encodeState } from './state-file';
import { errorMessage, renderProblems } from '../../../common/problem';

/**
 * The state in etcd (v3 API), shared by every appnet-mgmt replica: one key,
 * `<prefix>/state`, holding the encoded state (gzip'ed JSON, the same document
 * as the state file). A write is one transaction that puts the new state only
 * if the key's modification revision is still the one the change was computed
 * from, so of two replicas changing the model at once one wins and the other
 * recomputes (model-store.ts). The token of a state is that etcd revision.
 * Every replica watches the key and takes each new state whole: no replica
 * ever serves a partial model.
 *
 * While etcd cannot be reached, reads and writes fail fast (each call has a
 * deadline) and the replica keeps serving the last model it had; the watch
 * reconnects by itself and resumes from the last revision seen.
 */

export interface EtcdBackendOptions {
  /** host:port of each etcd member. */
  hosts: string[];
  /** Key prefix, e.g. "/appnet-mgmt". */
  prefix: string;
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
  auth?: { username: string; password: string };
  /** Deadline of each call (default 3 s). */
  callTimeoutMs?: number;
}

/**
 * How soon the etcd watch is re-established after etcd comes back: doubling from 250 ms to
 * at most 2 s. The client's default reaches 30 s, so a replica could keep serving a model
 * without another replica's writes for that long after an etcd outage.
 */
function watchBackoff(ms = 250): { readonly duration: number; next(): ReturnType<typeof watchBackoff> } {
  return { duration: ms, next: () => watchBackoff(Math.min(ms * 2, 2000)) };
}

export class EtcdBackend implements StateBackend {
  readonly durable = true;
  private readonly client: Etcd3;
  private readonly key: string;
  private lastError: string | undefined;
  private watcher: Watcher | undefined;
  private closed = false;
  /** The newest etcd revision this replica has read or written: the watch starts after it. */
  private seen = 0;
  /** The replicas' notes under <prefix>/replicas/, each on a lease that ends with its replica. */
  readonly replicas: ReplicaBoard;
  private lease: Lease | undefined;

  constructor(private readonly o: EtcdBackendOptions) {
    this.key = `${o.prefix.replace(/\/+$/, '')}/state`;
    const timeout = o.callTimeoutMs ?? 3000;
    const scheme = o.tls ? 'https' : 'http';
    const options: IOptions = {
      hosts: o.hosts.map((h) => `${scheme}://${h}`),
      dialTimeout: timeout,
      faultHandling: { watchBackoff: watchBackoff() },
      defaultCallOptions: () => ({ deadline: Date.now() + timeout }),
      ...(o.tls ? { credentials: { rootCertificate: o.tls.ca, ...(o.tls.cert ? { certChain: o.tls.cert } : {}), ...(o.tls.key ? { privateKey: o.tls.key } : {}) } } : {}),
      ...(o.auth ? { auth: { username: o.auth.username, password: o.auth.password } } : {}),
    };
    this.client = new Etcd3(options);
    this.replicas = this.board(`${o.prefix.replace(/\/+$/, '')}/replicas/`);
  }

  private board(prefix: string): ReplicaBoard {
    return {
      publish: async (name, doc) => {
        if (!this.lease) {
          const lease = this.client.lease(15);
          lease.on('lost', () => {
            if (this.lease === lease) this.lease = undefined;
          });
          this.lease = lease;
        }
        await this.lease.put(`${prefix}${name}`).value(JSON.stringify(doc));
      },
      list: async () => {
        const all = await this.client.getAll().prefix(prefix).strings();
        const out = new Map<string, unknown>();
        for (const [k, v] of Object.entries(all)) {
          try {
            out.set(k.slice(prefix.length), JSON.parse(v));
          } catch {
            // a note that is not JSON is not ours: skip it
          }
        }
        return out;
      },
      watch: (onChange) => {
        let w: Watcher | undefined;
        let stopped = false;
        void this.client
          .watch()
          .prefix(prefix)
          .create()
          .then((watcher) => {
            if (stopped) return void watcher.cancel();
            w = watcher;
            watcher.on('put', onChange);
            watcher.on('delete', onChange);
          })
          .catch(() => undefined);
        return () => {
          stopped = true;
          void w?.cancel().catch(() => undefined);
        };
      },
    };
  }

  get description(): string {
    return `etcd ${this.o.hosts.join(',')}${this.key}`;
  }

  /** Refused credentials or permissions are a configuration error (waiting will not help); anything else may pass. */
  private fail(what: string, e: unknown): never {
    this.lastError = `${what} (${this.description}): ${errorMessage(e)}`;
    if (e instanceof EtcdAuthenticationFailedError || e instanceof EtcdPermissionDeniedError || e instanceof GRPCUnauthenticatedError) {
      throw new StateBackendError(`${this.lastError} (check --etcd-username, --etcd-password-file and the user's role on the prefix)`);
    }
    throw new StateUnreachableError(this.lastError);
  }

  private decode(value: Buffer, revision: string): StoredState {
    let doc: string;
    try {
      doc = gunzipSync(value).toString('utf8');
    } catch (e) {
      throw new StateBackendError(`${this.description} holds something that is not a gzip'ed state document: ${errorMessage(e)}`);
    }
    const decoded = decodeState(doc);
    if (!decoded.ok) throw new StateBackendError(`${this.description} holds a state this server cannot load:\n  ${renderProblems(decoded.problems).join('\n  ')}`);
    return { state: decoded.value, token: Number(revision) };
  }

  async load(): Promise<StoredState | undefined> {
    let kv: { value: Buffer; mod_revision: string } | undefined;
    try {
      const res = await this.client.get(this.key).exec();
      kv = res.kvs[0];
    } catch (e) {
      this.fail('cannot read the state', e);
    }
    this.lastError = undefined;
    const stored = kv ? this.decode(kv.value, kv.mod_revision) : undefined;
    this.seen = Math.max(this.seen, stored?.token ?? 0);
    return stored;
  }

  async save(state: ControlPlaneState, basedOn: number | undefined): Promise<number> {
    const value = gzipSync(encodeState(state));
    let res: Awaited<ReturnType<ReturnType<Etcd3['if']>['commit']>>;
    try {
      const cmp = basedOn === undefined ? this.client.if(this.key, 'Create', '==', 0) : this.client.if(this.key, 'Mod', '==', basedOn);
      res = await cmp.then(this.client.put(this.key).value(value)).commit();
    } catch (e) {
      this.fail('cannot write the state', e);
    }
    this.lastError = undefined;
    if (!res.succeeded) throw new StateConflictError(`${this.description} was changed by another replica`);
    const token = Number(res.header.revision);
    this.seen = Math.max(this.seen, token);
    return token;
  }

  watch(onState: (stored: StoredState) => void): () => void {
    const start = this.client
      .watch()
      .key(this.key)
      .startRevision(String(this.seen + 1))
      .create()
      .then((w) => {
        if (this.closed) return void w.cancel();
        this.watcher = w;
        w.on('put', (kv) => {
          try {
            const stored = this.decode(kv.value, kv.mod_revision);
            this.seen = Math.max(this.seen, stored.token);
            onState(stored);
          } catch (e) {
            this.lastError = errorMessage(e);
          }
        });
        w.on('disconnected', (e) => {
          this.lastError = `the watch of ${this.description} is disconnected: ${errorMessage(e)}`;
        });
        w.on('connected', () => {
          this.lastError = undefined;
        });
        w.on('error', (e) => {
          this.lastError = `the watch of ${this.description} failed: ${errorMessage(e)}`;
        });
      })
      .catch((e: unknown) => {
        this.lastError = `cannot watch ${this.description}: ${errorMessage(e)}`;
      });
    return () => {
      this.closed = true;
      void start.then(() => this.watcher?.cancel()).catch(() => undefined);
    };
  }

  status(): BackendStatus {
    return { kind: 'etcd', reachable: this.lastError === undefined, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.lease?.revoke().catch(() => undefined);
    await this.watcher?.cancel().catch(() => undefined);
    this.client.close();
  }
}
