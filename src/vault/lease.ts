/**
 * Pure timing decisions: when to renew, re-fetch, re-login, poll or retry. Every function
 * takes its randomness as a number in [0, 1) so tests pin it; the agent owns the timers.
 */

/** Share of a TTL after which we act (renew, re-issue, re-fetch). */
export const REFRESH_FRACTION = 2 / 3;
/** At most this share of the delay is taken off at random, so a fleet spreads out. */
export const JITTER_FRACTION = 0.1;
/** Never schedule sooner than this (seconds). */
export const MIN_DELAY_S = 1;

export type TokenAction = 'renew' | 'login' | 'none';
export type LeaseAction = 'renew' | 'refetch';

/** Delay before acting on something that lives `ttl` seconds: about 2/3 of it, jittered downwards. */
export function refreshDelay(ttlSeconds: number, rand: number): number {
  const base = ttlSeconds * REFRESH_FRACTION;
  return Math.max(MIN_DELAY_S, base * (1 - JITTER_FRACTION * clamp01(rand)));
}

/**
 * After a login or a renewal: renew the token at about 2/3 of its TTL, or log in again
 * when it cannot be renewed or a renewal came back shorter than asked (the max TTL is near).
 * `requested` is the TTL we asked for (the login's); 0 when unknown.
 */
export function planToken(
  t: { ttl: number; renewable: boolean; requested: number },
  rand: number,
): { action: TokenAction; delaySeconds: number } {
  if (t.ttl <= 0) return { action: 'none', delaySeconds: 0 };
  const capped = t.requested > 0 && t.ttl < t.requested * 0.9;
  const action: TokenAction = t.renewable && !capped ? 'renew' : 'login';
  return { action, delaySeconds: refreshDelay(t.ttl, rand) };
}

/**
 * After fetching or renewing a leased secret: renew at about 2/3 of the lease, or fetch a
 * new one before it ends when it is not renewable or its max TTL cut the renewal short.
 */
export function planLease(
  l: { leaseDuration: number; renewable: boolean; requested: number },
  rand: number,
): { action: LeaseAction; delaySeconds: number } {
  const capped = l.requested > 0 && l.leaseDuration < l.requested * 0.9;
  const action: LeaseAction = l.renewable && !capped ? 'renew' : 'refetch';
  return { action, delaySeconds: refreshDelay(l.leaseDuration, rand) };
}

/** A certificate valid until `notAfter` (unix seconds): re-issue at about 2/3 of what is left. */
export function planCertificate(notAfterUnix: number, nowMs: number, rand: number): number {
  return refreshDelay(Math.max(0, notAfterUnix - nowMs / 1000), rand);
}

/** Static secrets: poll at the interval, jittered downwards so a change lands within the interval. */
export function pollDelay(intervalSeconds: number, rand: number): number {
  return Math.max(MIN_DELAY_S, intervalSeconds * (1 - JITTER_FRACTION * clamp01(rand)));
}

export interface BackoffOptions {
  baseSeconds: number;
  capSeconds: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseSeconds: 1, capSeconds: 60 };

/** Retry `attempt` (0 for the first retry): exponential, capped, "equal jitter" (half fixed, half random). */
export function backoffDelay(attempt: number, rand: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const exp = Math.min(opts.capSeconds, opts.baseSeconds * 2 ** Math.min(Math.max(0, attempt), 30));
  return exp / 2 + (exp / 2) * clamp01(rand);
}

/** A retry must still land before the thing it protects expires (seconds from now); 0 = no bound. */
export function boundedRetry(delaySeconds: number, expiresInSeconds: number): number {
  if (expiresInSeconds <= 0) return delaySeconds;
  return Math.max(MIN_DELAY_S, Math.min(delaySeconds, expiresInSeconds / 2));
}

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(Math.max(n, 0), 0.999999) : 0;
}
