/**
 * Building blocks of the provider rules: a token is a fixed prefix (or an inner marker)
 * and a body of known alphabet and length, not glued to other token characters. Every
 * pattern built here has bounded quantifiers only and no nesting (docs/scanner.md).
 */
import type { Anchor, Rule } from './rule';
import type { Severity } from './severity';
import { isPlaceholder } from './values';

const notPlaceholder = (s: string): boolean => !isPlaceholder(s);

/** A character a token is glued to, so that no token starts right after one. */
const TOKEN_CHAR = /[A-Za-z0-9_]/;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A rule from a whole pattern (the secret is group 1) and where it starts. */
export function rule(id: string, title: string, severity: Severity, pattern: RegExp, ...anchors: Anchor[]): Rule {
  return { id, title, severity, pattern, group: 1, accept: notPlaceholder, anchors };
}

/**
 * A rule for `prefix` then `body` (regex source, bounded): not preceded by a token
 * character, and not followed by one.
 */
export function prefixed(id: string, title: string, severity: Severity, prefix: string, body: string): Rule {
  return anyOf(id, title, severity, [prefix], body);
}

/** As `prefixed`, for a token that starts with any of `prefixes`. */
export function anyOf(id: string, title: string, severity: Severity, prefixes: readonly string[], body: string): Rule {
  const p = prefixes.map(escape).join('|');
  return rule(id, title, severity, new RegExp(`(?<!${TOKEN_CHAR.source})((?:${p})${body})(?![A-Za-z0-9_-])`, 'g'), ...prefixes.map((marker) => ({ marker, notAfter: TOKEN_CHAR })));
}
