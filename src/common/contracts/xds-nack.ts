import { z } from 'zod';

/**
 * The last NACK of one xDS type on one stream, as both the relay's `/status`
 * and appnet-mgmt's `/streams` show it (docs/contracts.md). A request counts
 * as a NACK when it carries error_detail (src/common/xds/vocabulary.ts).
 */
export const NackInfoSchema = z.object({
  /** The response_nonce of the NACK ("" when the client sent none). */
  nonce: z.string(),
  /** The version the client says it still holds (SotW version_info; "" on Delta, which carries none). */
  keptVersion: z.string(),
  /** The version it rejected, when the nonce names the latest response seen; null otherwise. */
  rejectedVersion: z.string().nullable(),
  code: z.number(),
  message: z.string(),
  at: z.string(),
});

export type NackInfo = z.infer<typeof NackInfoSchema>;
