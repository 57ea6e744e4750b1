/**
 * The parsers behind the settings tables (pure). Each takes the raw text of a non-empty
 * setting and returns its value or throws a ValueError whose message says what is expected,
 * never what was given (the caller adds the setting's name).
 */
import { ValueError } from '../errors';
import { parseDuration } from '../spec';

export type Parse<T> = (text: string) => T;

/** A whole number from `min` to `max`, digits only (no sign, no exponent, no spaces). */
export function intRange(min: number, max: number): Parse<number> {
  return (text) => {
    const n = Number(text);
    if (!/^[0-9]{1,10}$/.test(text) || n < min || n > max) throw new ValueError(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/** `30s`, `5m`, `1h30m` or whole seconds, from `min` to `max` seconds. */
export function durationRange(min: number, max: number): Parse<number> {
  return (text) => {
    const n = /^[0-9]{1,10}$/.test(text) ? Number(text) : text.length <= 32 ? parseDuration(text) : undefined;
    if (n === undefined || n < min || n > max) {
      throw new ValueError(`must be a duration such as 30s, 5m or 1h30m, or whole seconds, from ${formatSeconds(min)} to ${formatSeconds(max)}`);
    }
    return n;
  };
}

/** 90 -> `1m30s`, 2678400 -> `744h`: the spelling the docs and errors use. */
export function formatSeconds(n: number): string {
  const h = Math.floor(n / 3600);
  const m = Math.floor((n % 3600) / 60);
  const s = n % 60;
  const text = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  return text === '' ? '0s' : text;
}

export function oneOf<C extends string>(choices: readonly C[]): Parse<C> {
  return (text) => {
    if (!(choices as readonly string[]).includes(text)) throw new ValueError(`must be one of ${choices.join(', ')}`);
    return text as C;
  };
}

/** The spellings envalid's bool() has always taken, so no existing setting breaks. */
const TRUE = ['true', '1', 't', 'yes', 'on'];
const FALSE = ['false', '0', 'f', 'no', 'off'];

export const boolean: Parse<boolean> = (text) => {
  if (TRUE.includes(text)) return true;
  if (FALSE.includes(text)) return false;
  throw new ValueError('must be true or false');
};

/**
 * A value that must match `pattern` whole (the same pattern the chart's schema uses, so
 * no length cap of its own: the patterns are linear, and the environment is bounded).
 */
export function matching(pattern: string, expected: string): Parse<string> {
  const re = new RegExp(pattern);
  return (text) => {
    if (!re.test(text)) throw new ValueError(`must be ${expected}`);
    return text;
  };
}

/** Loopback hosts as URL parses them; plain http is refused to anything else. */
const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * A Vault address: https, or plain http to a loopback address only (a local dev Vault);
 * no credentials, query or fragment. Trailing slashes are dropped, so parsing the result
 * again gives the same value.
 */
export const vaultAddress: Parse<string> = (text) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValueError('must be a URL such as https://vault.vault.svc:8200');
  }
  const loopback = LOOPBACK.includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ValueError('must use https (plain http only to a loopback address: the pod token and secrets would cross the network in clear)');
  }
  if (url.username || url.password || url.search || url.hash || /[?#@\s]/.test(text)) throw new ValueError('must not carry credentials, a query or a fragment');
  return trimSlashes(text, false);
};

/** Drops trailing (and leading) slashes in one pass; a regex like /\/+$/ is quadratic on a long run of slashes. */
function trimSlashes(text: string, leading: boolean): string {
  let start = 0;
  let end = text.length;
  while (leading && start < end && text[start] === '/') start++;
  while (end > start && text[end - 1] === '/') end--;
  return text.slice(start, end);
}

/** One or more path segments of letters, digits, `_`, `.` and `-`. */
const SEGMENTS = '[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*';

/** The chart's pattern for an auth mount: what vaultAuthPath accepts, less surrounding slashes. */
export const AUTH_PATH_PATTERN = `^(auth/)?${SEGMENTS}$`;

/**
 * A Vault auth mount: `auth/kubernetes`, or vault-k8s's spelling without the prefix
 * (`kubernetes`, `jwt/prod`), which becomes `auth/kubernetes`. Surrounding slashes are dropped.
 */
export const vaultAuthPath: Parse<string> = (text) => {
  const bare = trimSlashes(text, true);
  if (!new RegExp(`^${SEGMENTS}$`).test(bare)) throw new ValueError('must be an auth mount such as auth/kubernetes (or kubernetes)');
  return bare.startsWith('auth/') ? bare : `auth/${bare}`;
};
