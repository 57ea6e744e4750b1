import { backoffDelay, boundedRetry, planCertificate, planLease, planToken, pollDelay, refreshDelay } from '../../../src/vault/lease';

describe('lease timing (pure)', () => {
  it.each([
    { ttl: 3600, rand: 0, expected: 2400 },
    { ttl: 3600, rand: 0.999999, expected: 2160 },
    { ttl: 60, rand: 0.5, expected: 38 },
    { ttl: 0.5, rand: 0, expected: 1 },
  ])('refreshDelay($ttl, $rand) ≈ $expected', ({ ttl, rand, expected }) => {
    expect(refreshDelay(ttl, rand)).toBeCloseTo(expected, 0);
  });

  it.each([
    { t: { ttl: 3600, renewable: true, requested: 3600 }, action: 'renew' },
    { t: { ttl: 3600, renewable: false, requested: 3600 }, action: 'login' },
    { t: { ttl: 600, renewable: true, requested: 3600 }, action: 'login' }, // renewal cut short by max TTL
    { t: { ttl: 3500, renewable: true, requested: 3600 }, action: 'renew' },
    { t: { ttl: 0, renewable: false, requested: 0 }, action: 'none' },
  ])('planToken $t -> $action', ({ t, action }) => {
    const p = planToken(t, 0);
    expect(p.action).toBe(action);
    if (action !== 'none') expect(p.delaySeconds).toBeCloseTo((t.ttl * 2) / 3, 5);
  });

  it.each([
    { l: { leaseDuration: 600, renewable: true, requested: 600 }, action: 'renew', delay: 400 },
    { l: { leaseDuration: 600, renewable: false, requested: 600 }, action: 'refetch', delay: 400 },
    { l: { leaseDuration: 90, renewable: true, requested: 600 }, action: 'refetch', delay: 60 },
  ])('planLease $l -> $action after $delay s', ({ l, action, delay }) => {
    expect(planLease(l, 0)).toEqual({ action, delaySeconds: delay });
  });

  it('re-issues a certificate at 2/3 of what is left of its validity', () => {
    const now = 1_000_000_000_000;
    expect(planCertificate(now / 1000 + 3000, now, 0)).toBeCloseTo(2000, 5);
    expect(planCertificate(now / 1000 - 10, now, 0)).toBe(1);
  });

  it('polls within the interval, never after it', () => {
    for (const r of [0, 0.3, 0.99]) {
      const d = pollDelay(300, r);
      expect(d).toBeLessThanOrEqual(300);
      expect(d).toBeGreaterThanOrEqual(270);
    }
  });

  it('backs off exponentially with equal jitter, capped', () => {
    expect(backoffDelay(0, 0)).toBe(0.5);
    expect(backoffDelay(0, 0.999999)).toBeCloseTo(1, 3);
    expect(backoffDelay(3, 0)).toBe(4);
    expect(backoffDelay(50, 0.999999)).toBeCloseTo(60, 3);
    const spread = new Set([0.1, 0.5, 0.9].map((r) => backoffDelay(4, r)));
    expect(spread.size).toBe(3);
  });

  it('bounds a retry so it lands before the lease ends', () => {
    expect(boundedRetry(60, 20)).toBe(10);
    expect(boundedRetry(5, 0)).toBe(5);
    expect(boundedRetry(60, 0.5)).toBe(1);
  });
});
