/**
 * Splits a gRPC byte stream into its length-prefixed messages as the chunks go
 * by and, inside each uncompressed message, walks the top-level protobuf fields:
 * a few small ones are captured (re-encoded as a message of their own, to be
 * decoded by protobufjs with the envelope types in proto/), the rest are only
 * counted or skipped. Nothing is buffered beyond the captured fields, so a
 * 20 MiB response costs no copy; the forwarded chunks are never touched.
 */

export interface ScanPlan {
  /** Top-level field numbers whose bytes are captured. */
  capture: ReadonlySet<number>;
  /** Top-level field numbers whose occurrences are counted (at most a few). */
  count: readonly number[];
  /** Bytes of captured fields kept per message; larger fields are skipped. */
  maxCaptureBytes: number;
}

export interface ScannedMessage {
  /** Payload bytes (without the 5-byte gRPC frame header). */
  size: number;
  compressed: boolean;
  /** Captured fields as a protobuf message (empty when there is no plan); a view valid during the callback. */
  captured: Buffer;
  /** Occurrences of a counted field (valid during the callback). */
  count(field: number): number;
  /** Why the message could not be fully read, if it could not. */
  incomplete?: string;
}

/** Receives scanned messages; `tag` says which scanner (e.g. the direction). */
export interface ScanSink<T> {
  onScanned(tag: T, m: ScannedMessage): void;
}

import type { CaptureBufferPool } from './capture-pool';

type Phase = 'header' | 'tag' | 'varint' | 'len' | 'bytes' | 'skip';
const EMPTY = Buffer.alloc(0);

function varintLength(value: number): number {
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) n++;
  return n;
}

/** The scanner itself is the ScannedMessage it hands to its sink (no object per message). */
export class GrpcMessageScanner<T> implements ScannedMessage {
  size = 0;
  compressed = false;
  captured: Buffer = EMPTY;
  incomplete: string | undefined = undefined;
  private phase: Phase = 'header';
  private header = 0; // bytes of the 5-byte frame header read so far
  private flags = 0;
  private msgSize = 0;
  private msgRemaining = 0;
  // the varint being read (tag, length or value)
  private varValue = 0;
  private varMul = 1;
  private varLen = 0;
  private fieldNo = 0;
  private fieldRemaining = 0;
  private capturing = false;
  private tagValue = 0;
  /**
   * Captured fields are copied here as they go by (tags and lengths written
   * directly): no array, no Buffer per field, no concat per message. Taken
   * from the pool on the first captured field, given back after the message;
   * a message that needs more grows its own by doubling.
   */
  private cap: Buffer | undefined;
  private capturedBytes = 0;
  private readonly counts: number[];
  /** By field number: 1 if captured (plan.capture as a table: no Set lookup per field). */
  private readonly captureByField: Uint8Array;
  /** By field number: its slot in `counts`, or -1 (plan.count as a table: no indexOf per field). */
  private readonly countSlotByField: Int8Array;
  private problem: string | undefined;

  constructor(
    private readonly plan: ScanPlan | undefined,
    private readonly sink: ScanSink<T>,
    private readonly tag: T,
    private readonly pool: CaptureBufferPool,
  ) {
    this.counts = plan ? plan.count.map(() => 0) : [];
    const fields = plan ? [...plan.capture, ...plan.count] : [];
    const size = Math.max(64, ...fields.map((f) => f + 1)); // every field number an envelope uses, and then some
    this.captureByField = new Uint8Array(size);
    this.countSlotByField = new Int8Array(size).fill(-1);
    for (const f of plan?.capture ?? []) this.captureByField[f] = 1;
    plan?.count.forEach((f, slot) => (this.countSlotByField[f] = slot));
  }

  count(field: number): number {
    return field >= 0 && field < this.countSlotByField.length ? (this.counts[this.countSlotByField[field]!] ?? 0) : 0;
  }

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.phase === 'header') {
        const b = chunk[i++]!;
        if (this.header === 0) {
          this.flags = b;
          this.msgSize = 0;
        } else this.msgSize = this.msgSize * 256 + b;
        if (++this.header === 5) this.startMessage();
        continue;
      }
      const end = i + Math.min(chunk.length - i, this.msgRemaining);
      if (this.phase !== 'skip') this.scan(chunk, i, end);
      this.msgRemaining -= end - i;
      i = end;
      if (this.msgRemaining === 0) this.finishMessage();
    }
  }

  private startMessage(): void {
    this.header = 0;
    this.msgRemaining = this.msgSize;
    this.capturedBytes = 0;
    for (let k = 0; k < this.counts.length; k++) this.counts[k] = 0;
    this.problem = undefined;
    this.varValue = 0;
    this.varMul = 1;
    this.varLen = 0;
    if (!this.plan) this.phase = 'skip';
    else if (this.flags & 1) this.fail('compressed message');
    else this.phase = 'tag';
    if (this.msgSize === 0) this.finishMessage();
  }

  private finishMessage(): void {
    if (this.phase !== 'tag' && this.phase !== 'skip' && this.problem === undefined) this.problem = 'truncated field';
    this.size = this.msgSize;
    this.compressed = (this.flags & 1) === 1;
    this.captured = this.capturedBytes === 0 ? EMPTY : this.cap!.subarray(0, this.capturedBytes);
    this.incomplete = this.problem; // never `delete`: that would turn the object into a slow dictionary
    this.phase = 'header';
    this.sink.onScanned(this.tag, this);
    this.captured = EMPTY;
    this.capturedBytes = 0;
    if (this.cap) {
      this.pool.give(this.cap);
      this.cap = undefined;
    }
  }

  private fail(reason: string): void {
    this.problem ??= reason;
    this.phase = 'skip';
  }

  /** Room for `n` more captured bytes (the caller checked maxCaptureBytes). */
  private room(n: number): Buffer {
    const need = this.capturedBytes + n;
    let cap = this.cap;
    if (!cap || cap.length < need) {
      if (!cap && need <= this.pool.size) return (this.cap = this.pool.take());
      let size = (cap ? cap.length : this.pool.size) * 2;
      while (size < need) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      if (cap) {
        cap.copy(grown, 0, 0, this.capturedBytes);
        this.pool.give(cap);
      }
      this.cap = cap = grown;
    }
    return cap;
  }

  private keepByte(b: number): void {
    this.room(1)[this.capturedBytes++] = b;
  }

  private keepVarint(value: number): void {
    const cap = this.room(varintLength(value));
    let v = value;
    while (v >= 0x80) {
      cap[this.capturedBytes++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    cap[this.capturedBytes++] = v;
  }

  /** Walk the protobuf fields in chunk[start, end). */
  private scan(chunk: Buffer, start: number, end: number): void {
    let j = start;
    while (j < end) {
      if (this.phase === 'skip') return;
      if (this.phase === 'bytes') {
        const n = Math.min(end - j, this.fieldRemaining);
        if (this.capturing) {
          const cap = this.room(n);
          // Most captured fields are short (type URL, version, nonce): a byte loop beats Buffer.copy's native call there.
          if (n <= 64) for (let k = 0, at = this.capturedBytes; k < n; k++) cap[at + k] = chunk[j + k]!;
          else chunk.copy(cap, this.capturedBytes, j, j + n);
          this.capturedBytes += n;
        }
        j += n;
        this.fieldRemaining -= n;
        if (this.fieldRemaining === 0) this.phase = 'tag';
        continue;
      }
      // 'tag' | 'varint' | 'len': one varint byte at a time
      const b = chunk[j++]!;
      if (this.phase === 'varint' && this.capturing) this.keepByte(b);
      this.varValue += (b & 0x7f) * this.varMul;
      this.varMul *= 128;
      if (++this.varLen > 10) return this.fail('malformed varint');
      if (b & 0x80) continue;
      const value = this.varValue;
      this.varValue = 0;
      this.varMul = 1;
      this.varLen = 0;
      this.varintDone(value);
    }
  }

  private varintDone(value: number): void {
    if (this.phase === 'varint') {
      this.phase = 'tag';
      return;
    }
    if (this.phase === 'len') {
      this.fieldRemaining = value;
      if (this.capturing) {
        if (this.capturedBytes + varintLength(this.tagValue) + varintLength(value) + value > this.plan!.maxCaptureBytes) {
          this.capturing = false;
          this.problem ??= `field ${this.fieldNo} too large to inspect (${value} bytes)`;
        } else {
          this.keepVarint(this.tagValue);
          this.keepVarint(value);
        }
      }
      this.phase = value === 0 ? 'tag' : 'bytes';
      return;
    }
    // a tag
    const fieldNo = Math.floor(value / 8);
    const wireType = value % 8;
    if (fieldNo === 0) return this.fail('malformed tag');
    this.fieldNo = fieldNo;
    const known = fieldNo < this.captureByField.length;
    const slot = known ? this.countSlotByField[fieldNo]! : -1;
    if (slot >= 0) this.counts[slot]!++;
    this.capturing = known && this.captureByField[fieldNo] === 1;
    this.tagValue = value;
    switch (wireType) {
      case 0:
        if (this.capturing) this.keepVarint(value);
        this.phase = 'varint';
        return;
      case 1:
      case 5:
        if (this.capturing) this.keepVarint(value);
        this.fieldRemaining = wireType === 1 ? 8 : 4;
        this.phase = 'bytes';
        return;
      case 2:
        this.phase = 'len';
        return;
      default:
        return this.fail(`unsupported wire type ${wireType}`);
    }
  }
}
