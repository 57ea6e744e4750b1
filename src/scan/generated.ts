/**
 * Does a value look generated (a key, a token) rather than written by a person (an
 * identifier, a word sequence, a documentation sample)? Pure, one pass per test, no
 * backtracking regex: the value comes from attacker-controlled text.
 */
import { isPlaceholder } from './values';

const VOWELS = new Set('aeiouyAEIOUY');

type CharClass = 'upper' | 'lower' | 'digit' | 'other';

function classOf(code: number): CharClass {
  if (code >= 65 && code <= 90) return 'upper';
  if (code >= 97 && code <= 122) return 'lower';
  if (code >= 48 && code <= 57) return 'digit';
  return 'other';
}

/**
 * Splits `defaultToConfig2`, `X509_EXT_KEY_USAGE`, `HTTPServer`, `CancelToken$1` into
 * segments: a run of one class, a new segment at lower-to-upper, and `HTTPServer` cut
 * before the `S` that starts a capitalised word. Separators end a segment and are dropped.
 */
export function segments(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let prev: CharClass = 'other';
  for (let i = 0; i < value.length; i++) {
    const c = classOf(value.charCodeAt(i));
    if (cur !== '' && startsSegment(prev, c, classOf(value.charCodeAt(i + 1)))) {
      out.push(cur);
      cur = '';
    }
    if (c !== 'other') cur += value.charAt(i);
    prev = c;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/** A class change (except a capital starting a word), `HTTPServer` before the `S`, or a separator. */
function startsSegment(prev: CharClass, c: CharClass, next: CharClass): boolean {
  if (c === 'other') return true;
  if (prev === 'upper') return c === 'digit' || (c === 'upper' && next === 'lower');
  return c !== prev;
}

const isLetters = (s: string): boolean => classOf(s.charCodeAt(0)) !== 'digit';

/** Longest run of consonants (`y` counts as a vowel). */
function consonantRun(s: string): number {
  let run = 0;
  let longest = 0;
  for (const ch of s) {
    run = VOWELS.has(ch) ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  return longest;
}

/** A segment that reads as a word: 3+ letters, a vowel, no 4 consonants in a row (`Config`, `SOCKS`; not `HTTP`, `Rldi`-like noise is cut by the mean-length test). */
const isWordy = (s: string): boolean => s.length >= 3 && consonantRun(s) < 4 && consonantRun(s) < s.length;

/** Identifier characters plus the punctuation that joins identifiers in code: `_ $ # . : -`. */
function identifierChars(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    if (classOf(value.charCodeAt(i)) === 'other' && !'_$#.:-'.includes(ch)) return false;
  }
  return true;
}

/** Share of letters in word-like segments at which a value reads as words. */
export const WORDY_SHARE = 0.6;
/** Share of vowels among the letters of words (about 0.4 in English identifiers; 0.23 in random letters). */
export const VOWEL_SHARE = 0.25;
/** Mean letters per letter segment at or above which a value reads as words (random mixed case breaks into 1-2 letter pieces). */
export const MEAN_SEGMENT = 2.5;
/** Most digits an identifier carries (`X509`, `Es256`, `$1`); random text over letters and digits has more. */
export const MAX_DIGITS = 4;

/**
 * A camelCase, snake_case, UPPER_CASE or dotted word sequence: `defaultToConfig2`,
 * `SOCKS5_CUSTOM_AUTH_START`, `tv4_validation_id`, `this.#language.nodeTypeKey`. Random
 * strings break into short segments (`aB3xK9pQ` is a, B, 3, x, K, 9, p, Q), carry more
 * digits, or have runs of consonants no word has; words do not.
 */
export function isWordSequence(value: string): boolean {
  if (!identifierChars(value)) return false;
  const parts = segments(value);
  const letters = parts.filter(isLetters);
  const digits = parts.filter((s) => !isLetters(s));
  const total = letters.reduce((n, s) => n + s.length, 0);
  if (total === 0 || digits.length > 2 || digits.reduce((n, s) => n + s.length, 0) > MAX_DIGITS) return false;
  if (total / letters.length < MEAN_SEGMENT) return false;
  const wordy = letters.filter(isWordy).reduce((n, s) => n + s.length, 0);
  const vowels = [...value].filter((ch) => VOWELS.has(ch)).length;
  return wordy / total >= WORDY_SHARE && vowels / total >= VOWEL_SHARE;
}

/** Five characters in a row counting up (`12345`, `abcde`), or two runs of four (`abcd1234`): a value typed for an example, not drawn at random. */
export function hasAscendingRun(value: string, run = 5): boolean {
  let len = 1;
  let fours = 0;
  for (let i = 1; i < value.length; i++) {
    const a = value.charCodeAt(i - 1);
    const b = value.charCodeAt(i);
    len = b === a + 1 && classOf(a) === classOf(b) && classOf(a) !== 'other' ? len + 1 : 1;
    if (len === 4) fours++;
    if (len >= run || fours >= 2) return true;
  }
  return false;
}

/** `%XX` escapes decoded (best effort: an invalid escape leaves the value as it is). */
export function percentDecoded(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Base64 that decodes to printable text which is a placeholder or prose: `dGhlIHNhbXBsZSBub25jZQ==` ("the sample nonce"). */
export function isEncodedSample(value: string): boolean {
  if (value.length < 8 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]{6,16384}={0,2}$/.test(value)) return false;
  const text = Buffer.from(value, 'base64').toString('latin1').trim();
  if (!/^[\x20-\x7e]{4,12288}$/.test(text)) return false;
  const prose = /[a-z] [a-z]{1,64} [a-z]/i.test(text) || isWordSequence(text);
  return prose || isPlaceholder(text) || isPlaceholder(text.slice(text.indexOf(':') + 1));
}

/** Any character outside printable ASCII: text in another script, or bytes read as latin1. */
export const hasNonAscii = (value: string): boolean => /[^\x21-\x7e]/.test(value);

/**
 * The value reads as written by a person or a compiler, not generated: non-ASCII text,
 * a word sequence, a counting run, or an encoded sample.
 */
export function looksWritten(value: string): boolean {
  const v = percentDecoded(value);
  return hasNonAscii(v) || isWordSequence(v.replace(/[:.,]$/, '')) || hasAscendingRun(v) || isEncodedSample(v);
}
