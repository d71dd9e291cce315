import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('queues reservations up to the wait limit, and a refunded token moves the queue forward', () => {
    let now = 0;
    const b = new TokenBucket(1, 1, () => now); // 1/s, burst 1
    expect(b.reserve(2000)).toBe(0);
    expect(b.reserve(2000)).toBe(1000);
    expect(b.reserve(2000)).toBe(2000);
    expect(b.reserve(2000)).toBeUndefined(); // 3 s away: refused, and nothing taken
    b.refund(); // the last reservation was not used
    expect(b.reserve(2000)).toBe(2000);
    now = 10_000;
    b.refund();
    b.refund();
    expect(b.reserve(0)).toBe(0); // refunds never raise the balance past the burst
    expect(b.reserve(0)).toBeUndefined();
  });
});
