/**
 * Capture buffers shared by every scanner of a relay (grpc-scanner.ts). A
 * scanner takes one when a message's first captured field goes by and gives it
 * back once its sink has seen the message, so an idle stream holds none (a
 * buffer each way per stream was ~1 KiB of an idle stream's memory, most of it
 * the 8 KiB allocation pools its small buffers kept alive) and a busy one
 * allocates none per message. Buffers are all `size` bytes; a message that
 * needs more grows its own, which is not given back.
 */
export class CaptureBufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size = 4096,
    private readonly keep = 64,
  ) {}

  /** A buffer of `size` bytes (contents undefined). */
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Back to the pool; a buffer of another size, or one beyond `keep`, is dropped. */
  give(buf: Buffer): void {
    if (buf.length === this.size && this.free.length < this.keep) this.free.push(buf);
  }

  /** Buffers waiting to be taken. */
  get available(): number {
    return this.free.length;
  }
}
