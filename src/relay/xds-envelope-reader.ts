/**
 * Reads the captured top-level fields of an xDS envelope (the scanner's
 * `captured` bytes) without protobufjs: the strings every message carries
 * (version, type URL, nonce) are decoded straight from the bytes, and the two
 * nested messages that are rare on a stream (the node, on its first request;
 * the error detail, on a NACK) are only located, for protobufjs to decode.
 * protobufjs's own decode would build a reader and a message object per
 * message and read the same strings; this does the strings and nothing else.
 */

/** Where each top-level field of one message type goes (field number -> slot). */
export interface EnvelopeLayout {
  version: number;
  typeUrl: number;
  nonce: number;
  /** A nested Node message, or 0 if the message type has none. */
  node: number;
  /** A nested google.rpc.Status, or 0 if the message type has none. */
  error: number;
}

/** The fields read from one message; reused by the reader that filled it (valid until its next read). */
export interface EnvelopeFields {
  version: string;
  typeUrl: string;
  nonce: string;
  /** Bytes of the nested node message (start, end) within the captured buffer; end < 0 when absent. */
  nodeStart: number;
  nodeEnd: number;
  errorStart: number;
  errorEnd: number;
}

export const LAYOUTS = {
  sotwRequest: { version: 1, node: 2, typeUrl: 4, nonce: 5, error: 6 },
  sotwResponse: { version: 1, typeUrl: 4, nonce: 5, node: 0, error: 0 },
  deltaRequest: { version: 0, node: 1, typeUrl: 2, nonce: 6, error: 7 },
  deltaResponse: { version: 1, typeUrl: 4, nonce: 5, node: 0, error: 0 },
} as const satisfies Record<string, EnvelopeLayout>;

/**
 * Reads `buf[0, length)` into `out`; false if the bytes are not a well-formed
 * message (a truncated field, a bad varint or wire type, a known field with the
 * wrong wire type). Absent strings read as '' (proto3 defaults), as protobufjs
 * reads them; a repeated field keeps its last occurrence, as protobufjs does.
 */
export function readEnvelope(buf: Buffer, length: number, layout: EnvelopeLayout, out: EnvelopeFields): boolean {
  out.version = '';
  out.typeUrl = '';
  out.nonce = '';
  out.nodeStart = out.nodeEnd = out.errorStart = out.errorEnd = -1;
  let i = 0;
  while (i < length) {
    // tag
    let tag = 0;
    let mul = 1;
    for (let n = 0; ; n++) {
      if (i >= length || n >= 5) return false;
      const b = buf[i++]!;
      tag += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) return false;
    if (wire !== 2) {
      if (field === layout.version || field === layout.typeUrl || field === layout.nonce || field === layout.node || field === layout.error) return false;
      const skipped = skipScalar(buf, i, length, wire);
      if (skipped < 0) return false;
      i = skipped;
      continue;
    }
    // length-delimited: the length, then the bytes
    let len = 0;
    mul = 1;
    for (let n = 0; ; n++) {
      if (i >= length || n >= 5) return false;
      const b = buf[i++]!;
      len += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    const end = i + len;
    if (end > length) return false;
    if (field === layout.typeUrl) out.typeUrl = buf.toString('utf8', i, end);
    else if (field === layout.nonce) out.nonce = buf.toString('utf8', i, end);
    else if (field === layout.version) out.version = buf.toString('utf8', i, end);
    else if (field === layout.node) {
      out.nodeStart = i;
      out.nodeEnd = end;
    } else if (field === layout.error) {
      out.errorStart = i;
      out.errorEnd = end;
    }
    i = end;
  }
  return true;
}

/** The index after a varint (wire 0) or fixed (1, 5) field's value starting at `i`, or -1. */
function skipScalar(buf: Buffer, i: number, length: number, wire: number): number {
  if (wire === 1) return i + 8 <= length ? i + 8 : -1;
  if (wire === 5) return i + 4 <= length ? i + 4 : -1;
  if (wire !== 0) return -1;
  for (let n = 0; n < 10; n++) {
    if (i >= length) return -1;
    if (buf[i++]! < 0x80) return i;
  }
  return -1;
}

export function emptyFields(): EnvelopeFields {
  return { version: '', typeUrl: '', nonce: '', nodeStart: -1, nodeEnd: -1, errorStart: -1, errorEnd: -1 };
}
