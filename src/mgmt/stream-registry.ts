import type { NackSummary, Rejection, StreamRecord } from '../common/contracts/mgmt-admin';

/** The records below are the admin documents' shapes (src/common/contracts/mgmt-admin.ts). */
export type { MgmtStreamKind as StreamKind, NackSummary, Rejection, SigV4Verdict, StreamRecord } from '../common/contracts/mgmt-admin';

export interface LiveStream {
  readonly id: number;
  record(): StreamRecord;
}

export interface RegistryLimits {
  closedStreams: number;
  rejections: number;
  nackKeys: number;
}

const DEFAULT_LIMITS: RegistryLimits = { closedStreams: 200, rejections: 200, nackKeys: 1000 };

function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

/** Open streams, a bounded history of closed ones, rejections, and NACK counts per node and type. */
export class StreamRegistry {
  private readonly live = new Map<number, LiveStream>();
  private readonly closed: StreamRecord[] = [];
  private readonly rejected: Rejection[] = [];
  private readonly nackByKey = new Map<string, NackSummary>();
  private nextId = 1;

  constructor(private readonly limits: RegistryLimits = DEFAULT_LIMITS) {}

  allocateId(): number {
    return this.nextId++;
  }

  add(stream: LiveStream): void {
    this.live.set(stream.id, stream);
  }

  /** Move a stream to the closed history (its final record). */
  close(stream: LiveStream): void {
    if (!this.live.delete(stream.id)) return;
    pushBounded(this.closed, stream.record(), this.limits.closedStreams);
  }

  /** Open streams first (oldest first), then recently closed ones unless `openOnly`. */
  list(openOnly = false): StreamRecord[] {
    const open = [...this.live.values()].map((s) => s.record());
    return openOnly ? open : [...open, ...this.closed];
  }

  openCount(): number {
    return this.live.size;
  }

  liveStreams(): LiveStream[] {
    return [...this.live.values()];
  }

  addRejection(r: Rejection): void {
    pushBounded(this.rejected, r, this.limits.rejections);
  }

  rejections(): Rejection[] {
    return [...this.rejected];
  }

  recordNack(nodeId: string, typeUrl: string, message: string, at: string): void {
    const key = `${nodeId}\0${typeUrl}`;
    const cur = this.nackByKey.get(key);
    if (cur) {
      cur.count++;
      cur.lastMessage = message;
      cur.lastAt = at;
      return;
    }
    if (this.nackByKey.size >= this.limits.nackKeys) {
      const oldest = this.nackByKey.keys().next().value;
      if (oldest !== undefined) this.nackByKey.delete(oldest);
    }
    this.nackByKey.set(key, { nodeId, typeUrl, count: 1, lastMessage: message, lastAt: at });
  }

  nacks(): NackSummary[] {
    return [...this.nackByKey.values()].map((n) => ({ ...n }));
  }
}
