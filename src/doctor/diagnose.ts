/**
 * doctor's judgements (pure): Vault's answers and TLS facts in, one line per check out,
 * each saying what to fix. Vault reports login failures only as text, so the login check
 * reads the kubernetes auth method's known phrases; the line printed is always ours, never
 * Vault's text, a token or a JWT.
 */
import type { Rule } from '../policy/rules';

export type Status = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  name: string;
  status: Status;
  detail: string;
}

/** A certificate closer than this to expiry is a warning. */
export const EXPIRY_WARNING_DAYS = 14;

export function check(name: string, status: Status, detail: string): Check {
  return { name, status, detail };
}

/** `sys/health` status codes (Vault's documented defaults). */
export function health(status: number): Check {
  const said: Record<number, [Status, string]> = {
    200: ['ok', 'initialized, unsealed, active'],
    429: ['ok', 'unsealed standby'],
    472: ['ok', 'disaster-recovery secondary'],
    473: ['ok', 'performance standby'],
    501: ['fail', 'not initialized: run vault operator init'],
    503: ['fail', 'sealed: unseal Vault'],
  };
  const [s, d] = said[status] ?? ['fail', `unexpected HTTP ${status} from sys/health: is VAULT_ADDR a Vault server?`];
  return check('vault status', s, d);
}

/** What a node TLS error code means for the operator. */
export function tlsFailure(code: string, host: string): string {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `Vault's certificate is not issued for ${host}: use a host name the certificate names in VAULT_ADDR, or reissue it`;
  if (code === 'CERT_HAS_EXPIRED') return "Vault's certificate has expired: renew it";
  if (code === 'CERT_NOT_YET_VALID') return "Vault's certificate is not valid yet: check the clocks";
  if (/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) return `the CA does not sign Vault's certificate (${code}): point VAULT_CACERT at the CA that issued it`;
  return `TLS handshake failed (${code || 'unknown'})`;
}

/** Expiry of a verified certificate. */
export function expiry(validTo: Date, now: Date): Check {
  const days = Math.floor((validTo.getTime() - now.getTime()) / 86_400_000);
  if (days < EXPIRY_WARNING_DAYS) return check('tls', 'warn', `certificate verified; it expires in ${days} day(s) (${validTo.toISOString()}): renew it soon`);
  return check('tls', 'ok', `certificate verified for the host; expires ${validTo.toISOString()}`);
}

/** The answer to an empty login: a mounted auth method refuses it with 400 (missing role); an unmounted path answers 403 or 404. */
export function authMount(status: number, authPath: string): Check {
  if (status === 400) return check('auth mount', 'ok', `${authPath} answers logins`);
  return check('auth mount', 'fail', `nothing answers logins at ${authPath} (HTTP ${status}): enable the auth method there, or fix VAULT_AUTH_PATH`);
}

const LOGIN_PHRASES: readonly [RegExp, (role: string, authPath: string) => string][] = [
  [/invalid role name/i, (r, a) => `no role ${r} on ${a}: create it (secrets-broker policy prints the command)`],
  [/service account name not authorized/i, (r) => `role ${r} does not bind this service account: add it to bound_service_account_names`],
  [/namespace not authorized/i, (r) => `role ${r} does not bind this namespace: add it to bound_service_account_namespaces`],
  [/audience/i, (r) => `the token's audience is not role ${r}'s: make the role's audience and SIDECAR_TOKEN_AUDIENCE the same`],
  [/expired/i, () => 'the service-account token has expired: use a fresh one'],
  [/missing (jwt|role)/i, () => 'the login was incomplete: an empty token file or role'],
];

/** A refused login, as what to fix. `errors` is Vault's `errors` array, read and never repeated. */
export function loginFailure(status: number, errors: readonly string[], role: string, authPath: string): Check {
  const text = errors.join(' ');
  const known = LOGIN_PHRASES.find(([re]) => re.test(text));
  if (known) return check('login', 'fail', known[1](role, authPath));
  if (status === 403) return check('login', 'fail', `Vault refused the token for role ${role} (HTTP 403): the TokenReview failed (a token of another cluster, revoked or expired), or the role does not bind this service account, namespace or audience`);
  return check('login', 'fail', `login to ${authPath} as role ${role} failed (HTTP ${status})`);
}

/** Each rule the sidecar needs, against `sys/capabilities-self`. `root` grants everything. */
export function capabilityChecks(rules: readonly Rule[], granted: Readonly<Record<string, readonly string[]>>): Check[] {
  return rules.map((r) => {
    const has = granted[r.path] ?? [];
    const missing = has.includes('root') ? [] : r.capabilities.filter((c) => !has.includes(c));
    if (missing.length === 0) return check(`capability ${r.path}`, 'ok', `${r.capabilities.join(', ')} (${r.why.join('; ')})`);
    return check(`capability ${r.path}`, 'fail', `the token lacks ${missing.join(', ')}, needed for ${r.why.join('; ')}: add it to the role's policy`);
  });
}

/** The mount the sidecar will find for a spec path, against the path's shape. */
export function kvVersion(specPath: string, mount: { path: string; type: string; kvVersion: number } | undefined): Check {
  const name = `mount ${specPath}`;
  if (!mount) return check(name, 'warn', 'the token cannot look up the mount: the sidecar will go by the path shape alone');
  const kind = mount.type === 'kv' || mount.type === 'generic' ? `KV v${mount.kvVersion}` : mount.type;
  if (mount.kvVersion === 1 && specPath.startsWith(`${mount.path}data/`)) return check(name, 'fail', `${mount.path} is KV v1, but the path has data/ (KV v2 spelling): drop data/ or use a KV v2 mount`);
  return check(name, 'ok', `${mount.path} is ${kind}`);
}

/** The exit code: 1 when any check failed. */
export function doctorExit(checks: readonly Check[]): 0 | 1 {
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}

export function formatCheck(c: Check): string {
  return `${c.status.toUpperCase().padEnd(4)} ${c.name}: ${c.detail}\n`;
}
