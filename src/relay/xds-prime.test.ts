import { describe, expect, it } from 'vitest';
import { envelopePlan } from './xds-envelope';
import { XdsEnvelopeCodec } from './xds-envelope-codec';
import { primePerMessagePath } from './xds-prime';

describe('primePerMessagePath', () => {
  it('takes the first-message paths (node, NACK, response) through the real scanner and codec', () => {
    const codec = new XdsEnvelopeCodec();
    const seen = { node: 0, nack: 0, ack: 0, responses: 0 };
    const spy = {
      decodeRequest: (kind: 'sotw', m: Parameters<XdsEnvelopeCodec['decodeRequest']>[1]) => {
        const r = codec.decodeRequest(kind, m);
        if (r?.node?.id === 'prime') seen.node++;
        if (r?.errorDetail?.message === 'bad') seen.nack++;
        else if (r?.responseNonce === 'n1') seen.ack++;
        return r;
      },
      decodeResponse: (kind: 'sotw', m: Parameters<XdsEnvelopeCodec['decodeResponse']>[1]) => {
        const r = codec.decodeResponse(kind, m);
        if (r?.resources === 1 && r.nonce === 'n1') seen.responses++;
        return r;
      },
    } as unknown as XdsEnvelopeCodec;
    primePerMessagePath(spy, (d) => envelopePlan('sotw', d), 3);
    expect(seen).toEqual({ node: 3, nack: 3, ack: 3, responses: 6 });
  });
});
