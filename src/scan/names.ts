/**
 * Variable names that announce a secret (DB_PASSWORD, apiKey, NPM_TOKEN) versus names
 * that only mention one (PASSWORD_FILE, TOKEN_TTL, SECRETS_DIR).
 */

const SECRET_WORDS = new Set([
  'password', 'passwd', 'pwd', 'pass', 'passphrase', 'secret', 'token', 'key', 'apikey', 'credential',
  'credentials', 'auth', 'pat', 'privatekey', 'accesskey', 'secretkey', 'authtoken',
]);

/** Any secret word, anywhere, any case (literals only: linear). */
const SECRET_SUBSTRING = new RegExp([...SECRET_WORDS].join('|'), 'i');

const NOT_A_VALUE_WORDS = new Set([
  'file', 'path', 'dir', 'url', 'uri', 'name', 'type', 'length', 'len', 'ttl', 'size', 'count', 'id', 'ids',
  'endpoint', 'header', 'field', 'prefix', 'suffix', 'policy', 'mode', 'method', 'format', 'env', 'var',
  'hash', 'expiry', 'expires', 'timeout', 'min', 'max', 'regex', 'pattern', 'algorithm', 'alg', 'version',
  'enabled', 'required', 'rotation', 'interval', 'label', 'ref', 'kind', 'source', 'selector', 'template',
  'audience', 'issuer', 'mount', 'role', 'location', 'host', 'port', 'user', 'username', 'store', 'provider',
  'arn', 'fingerprint', 'number', 'serial', 'used', 'date', 'time', 'at',
]);

/** Words anywhere in a name that say the value is public or derived, not a secret: `PKIXPublicKey`, `AUTH_HASH_AMD64`. */
const PUBLIC_WORDS = new Set(['public', 'pub', 'hash', 'sha', 'sha1', 'sha256', 'sha512', 'digest', 'checksum', 'fingerprint', 'arn']);

/** Qualifiers that make a token a cursor or a counter, not a credential: `NextToken`, `nextPageToken`, `ChangeToken`. */
const CURSOR_WORDS = new Set(['next', 'page', 'continuation', 'pagination', 'cursor', 'change', 'update', 'sync', 'idempotency', 'marker', 'cancel', 'cancellation', 'import', 'export']);

/** How strongly a variable name says that its value is a secret. */
export type NameStrength = 'strong' | 'weak' | 'none';

/** Splits `dbPassword`, `DB_PASSWORD`, `x-api-key`, `auth.token`, `PKIXPublicKey` into lowercase words. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

function isSecretWord(w: string): boolean {
  return SECRET_WORDS.has(w) || (w.endsWith('s') && SECRET_WORDS.has(w.slice(0, -1)));
}

/**
 * `strong`: the last word is a secret word (DB_PASSWORD, API_KEY); `weak`: a secret word
 * appears earlier (TOKEN_AUDIENCE is excluded, SECRET_VALUE is weak); `none` otherwise or
 * when the last word names metadata (PASSWORD_FILE, TOKEN_TTL).
 */
export function secretNameStrength(name: string): NameStrength {
  // Every secret word is a substring of the lowercased name: without one, nothing to split.
  if (!SECRET_SUBSTRING.test(name)) return 'none';
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (last === undefined || NOT_A_VALUE_WORDS.has(last) || words.some((w) => PUBLIC_WORDS.has(w))) return 'none';
  if ((last === 'token' || last === 'tokens') && words.some((w) => CURSOR_WORDS.has(w))) return 'none';
  if (isSecretWord(last)) return 'strong';
  return words.some(isSecretWord) ? 'weak' : 'none';
}
