/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

const NAMES = new Map<number, string>(Object.entries(GrpcStatus).map(([k, v]) => [v, k]));
export function grpcStatusName(code: number): string {
  return NAMES.get(code) ?? `CODE_${code}`;
}

/**
 * Percent-encode a grpc-message the way the gRPC HTTP/2 spec says: every byte
 * outside 0x20-0x7E, and '%' itself, as %XX of its UTF-8 encoding.
 */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    if (byte >= 0x20 && byte <= 0x7e && byte !== 0x25) out += String.fromCharCode(byte);
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function decodeGrpcMessage(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/** The header block of a gRPC status, for trailers or a trailers-only response. */
export function grpcStatusHeaders(code: number, message: string): Record<string, string> {
  return { 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message) };
}
