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
  /** Top-level field numbers whose occurrences are counted. */
  count: ReadonlySet<number>;
  /** Bytes of captured fields kept per message; larger fields are skipped. */
  maxCaptureBytes: number;
}

export interface ScannedMessage {
  /** Payload bytes (without the 5-byte gRPC frame header). */
  size: number;
  compressed: boolean;
  /** Captured fields as a protobuf message (empty when there is no plan). */
  captured: Buffer;
  /** Occurrences of each counted field. */
  counts: ReadonlyMap<number, number>;
  /** Why the message could not be fully read, if it could not. */
  incomplete?: string;
}

type Phase = 'header' | 'tag' | 'varint' | 'len' | 'bytes' | 'skip';
const EMPTY = Buffer.alloc(0);

export class GrpcMessageScanner {
  private phase: Phase = 'header';
  private readonly header = Buffer.alloc(5);
  private headerFilled = 0;
  private msgSize = 0;
  private msgRemaining = 0;
  private compressed = false;
  // varint being read (tag, length or value), as raw bytes
  private varint: number[] = [];
  private fieldNo = 0;
  private fieldRemaining = 0;
  private capturing = false;
  private tagLength = 0;
  private parts: Buffer[] = [];
  private capturedBytes = 0;
  private counts = new Map<number, number>();
  private incomplete: string | undefined;

  constructor(
    private readonly plan: ScanPlan | undefined,
    private readonly onMessage: (m: ScannedMessage) => void,
  ) {}

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.phase === 'header') {
        const n = Math.min(5 - this.headerFilled, chunk.length - i);
        chunk.copy(this.header, this.headerFilled, i, i + n);
        this.headerFilled += n;
        i += n;
        if (this.headerFilled === 5) this.startMessage();
        continue;
      }
      const end = i + Math.min(chunk.length - i, this.msgRemaining);
      this.scan(chunk, i, end);
      this.msgRemaining -= end - i;
      i = end;
      if (this.msgRemaining === 0) this.finishMessage();
    }
  }

  private startMessage(): void {
    this.headerFilled = 0;
    this.compressed = (this.header[0]! & 1) === 1;
    this.msgSize = this.header.readUInt32BE(1);
    this.msgRemaining = this.msgSize;
    this.parts = [];
    this.capturedBytes = 0;
    this.counts = new Map();
    this.incomplete = undefined;
    this.varint = [];
    if (!this.plan) this.phase = 'skip';
    else if (this.compressed) this.fail('compressed message');
    else this.phase = 'tag';
    if (this.msgSize === 0) this.finishMessage();
  }

  private finishMessage(): void {
    if (this.phase !== 'tag' && this.phase !== 'skip' && this.incomplete === undefined) this.incomplete = 'truncated field';
    const captured = this.parts.length === 0 ? EMPTY : Buffer.concat(this.parts, this.capturedBytes);
    const m: ScannedMessage = { size: this.msgSize, compressed: this.compressed, captured, counts: this.counts };
    if (this.incomplete !== undefined) m.incomplete = this.incomplete;
    this.phase = 'header';
    this.parts = [];
    this.onMessage(m);
  }

  private fail(reason: string): void {
    this.incomplete ??= reason;
    this.phase = 'skip';
  }

  private keep(bytes: Buffer): void {
    this.parts.push(bytes);
    this.capturedBytes += bytes.length;
  }

  /** Walk the protobuf fields in chunk[start, end). */
  private scan(chunk: Buffer, start: number, end: number): void {
    let j = start;
    while (j < end) {
      switch (this.phase) {
        case 'skip':
          return;
        case 'bytes': {
          const n = Math.min(end - j, this.fieldRemaining);
          if (this.capturing) this.keep(Buffer.from(chunk.subarray(j, j + n)));
          j += n;
          this.fieldRemaining -= n;
          if (this.fieldRemaining === 0) this.phase = 'tag';
          break;
        }
        default: {
          // 'tag' | 'varint' | 'len': one varint byte at a time
          const b = chunk[j++]!;
          this.varint.push(b);
          if (b & 0x80) {
            if (this.varint.length >= 10) this.fail('malformed varint');
            break;
          }
          this.varintDone();
        }
      }
    }
  }

  private varintDone(): void {
    const raw = this.varint;
    this.varint = [];
    let value = 0;
    for (let k = raw.length - 1; k >= 0; k--) value = value * 128 + (raw[k]! & 0x7f);
    if (this.phase === 'varint') {
      if (this.capturing) this.keep(Buffer.from(raw));
      this.phase = 'tag';
      return;
    }
    if (this.phase === 'len') {
      this.fieldRemaining = value;
      if (this.capturing) {
        if (this.capturedBytes + raw.length + value > this.plan!.maxCaptureBytes) {
          this.capturing = false;
          this.parts.pop(); // the tag already kept
          this.capturedBytes -= this.tagLength;
          this.incomplete ??= `field ${this.fieldNo} too large to inspect (${value} bytes)`;
        } else this.keep(Buffer.from(raw));
      }
      this.phase = value === 0 ? 'tag' : 'bytes';
      return;
    }
    // a tag
    const fieldNo = Math.floor(value / 8);
    const wireType = value % 8;
    if (fieldNo === 0) return this.fail('malformed tag');
    this.fieldNo = fieldNo;
    const plan = this.plan!;
    if (plan.count.has(fieldNo)) this.counts.set(fieldNo, (this.counts.get(fieldNo) ?? 0) + 1);
    this.capturing = plan.capture.has(fieldNo);
    if (this.capturing) {
      this.keep(Buffer.from(raw));
      this.tagLength = raw.length;
    }
    switch (wireType) {
      case 0:
        this.phase = 'varint';
        return;
      case 1:
      case 5:
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
