/**
 * Fake credentials built at run time from pieces and a seeded generator, so no file in
 * the repository holds anything that looks like a real credential.
 */

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const BASE32 = UPPER + '234567';

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random string over `alphabet`, guaranteed to mix upper, lower and digits when the alphabet has them. */
export function randomOf(next: () => number, alphabet: string, n: number): string {
  for (;;) {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet.charAt(Math.floor(next() * alphabet.length));
    const classes = [/[a-z]/, /[A-Z]/, /\d/].filter((c) => c.test(alphabet));
    if (n < 6 || classes.every((c) => c.test(s))) return s;
  }
}

/** The header line of an RSA private key, put together at run time. */
export const RSA_KEY_HEADER = `${'-'.repeat(5)}BEGIN RSA PRIV${'ATE KEY'}${'-'.repeat(5)}`;

const b64url = (s: string): string => Buffer.from(s).toString('base64url');

/** The fake token kinds, each with the rule id the scanner must report. */
export type FakeKind =
  | 'aws-access-key-id' | 'aws-secret-access-key' | 'github-token' | 'gitlab-token' | 'slack-token'
  | 'slack-webhook' | 'stripe-live-key' | 'google-api-key' | 'private-key' | 'vault-token'
  | 'npm-token' | 'jwt' | 'docker-config-auth' | 'connection-string-password' | 'generic-secret';

/** A line (or block) of source-like text holding one fake secret of `kind`, and the secret part. */
export interface Planted {
  kind: FakeKind;
  text: string;
  secret: string;
}

/** Builds one fake secret of each kind, embedded in the text a developer would write. */
export function plant(kind: FakeKind, seed = 1): Planted {
  const r = rng(seed * 7919 + kind.length);
  const a = (alpha: string, n: number): string => randomOf(r, alpha, n);
  switch (kind) {
    case 'aws-access-key-id': { const s = 'AK' + 'IA' + a(BASE32, 16); return { kind, text: `aws_access_key_id = ${s}`, secret: s }; }
    case 'aws-secret-access-key': { const s = a(ALNUM + '/+', 40); return { kind, text: `aws_secret_access_key = ${s}`, secret: s }; }
    case 'github-token': { const s = 'gh' + 'p_' + a(ALNUM, 36); return { kind, text: `const gh = "${s}";`, secret: s }; }
    case 'gitlab-token': { const s = 'gl' + 'pat-' + a(ALNUM, 20); return { kind, text: `GL=${s}`, secret: s }; }
    case 'slack-token': { const s = 'xo' + 'xb-' + a(DIGITS, 11) + '-' + a(DIGITS, 12) + '-' + a(ALNUM, 24); return { kind, text: `slack: ${s}`, secret: s }; }
    case 'slack-webhook': { const s = 'https://hooks.' + 'slack.com/services/T' + a(UPPER + DIGITS, 8) + '/B' + a(UPPER + DIGITS, 8) + '/' + a(ALNUM, 24); return { kind, text: `url = "${s}"`, secret: s }; }
    case 'stripe-live-key': { const s = 'sk' + '_live_' + a(ALNUM, 24); return { kind, text: `stripe.key("${s}")`, secret: s }; }
    case 'google-api-key': { const s = 'AI' + 'za' + a(ALNUM + '_-', 35); return { kind, text: `maps: "${s}"`, secret: s }; }
    case 'private-key': {
      const body = Array.from({ length: 6 }, () => a(ALNUM + '+/', 64)).join('\n');
      const label = 'RSA PRIV' + 'ATE KEY';
      const s = `${'-'.repeat(5)}BEGIN ${label}${'-'.repeat(5)}\n${body}\n${'-'.repeat(5)}END ${label}${'-'.repeat(5)}`;
      return { kind, text: s, secret: s };
    }
    case 'vault-token': { const s = 'hv' + 's.' + a(ALNUM, 90); return { kind, text: `VAULT_TOKEN=${s}`, secret: s }; }
    case 'npm-token': { const s = 'np' + 'm_' + a(ALNUM, 36); return { kind, text: `token ${s}`, secret: s }; }
    case 'jwt': {
      const s = b64url('{"alg":"HS256","typ":"JWT"}') + '.' + b64url(`{"sub":"${a(ALNUM, 12)}","iat":1700000000}`) + '.' + a(ALNUM + '_-', 43);
      return { kind, text: `const session = "${s}";`, secret: s };
    }
    case 'docker-config-auth': { const s = Buffer.from(`builder:${a(ALNUM, 20)}`).toString('base64'); return { kind, text: `{"auths":{"r.example.test":{"auth":"${s}"}}}`, secret: s }; }
    case 'connection-string-password': { const s = a(ALNUM, 18); return { kind, text: `DATABASE_URL=postgres://app:${s}@db.internal:5432/app`, secret: s }; }
    case 'generic-secret': { const s = a(ALNUM, 24); return { kind, text: `DB_PASSWORD=${s}`, secret: s }; }
  }
}

/** Every fake kind. */
export const FAKE_KINDS: readonly FakeKind[] = [
  'aws-access-key-id', 'aws-secret-access-key', 'github-token', 'gitlab-token', 'slack-token', 'slack-webhook',
  'stripe-live-key', 'google-api-key', 'private-key', 'vault-token', 'npm-token', 'jwt', 'docker-config-auth',
  'connection-string-password', 'generic-secret',
];
