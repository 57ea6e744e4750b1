/**
 * Attacker-influenced text shown on a terminal or in a message (scanned file and tar
 * member paths, layer digests, audit record fields, secret keys, annotation names):
 * control characters, bidi overrides, zero-width marks and line breaks are written as
 * escapes, so a name cannot move the cursor, recolour the screen, reorder text or start a
 * line that looks like a finding. Machine formats (JSON, SARIF) keep the exact data. The
 * project's one definition of terminal-safe text.
 */

// C0 and C1 controls (newline, ESC, DEL included), soft hyphen, Arabic letter mark,
// Mongolian vowel separator, zero-width and direction marks, line and paragraph
// separators, bidi embeddings, overrides and isolates, invisible operators, BOM, and
// interlinear annotation marks.
// eslint-disable-next-line no-control-regex -- matching control characters is this module's job
export const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** `s` with every character that could alter a terminal's display replaced by a visible escape. */
export function printable(s: string): string {
  return s.replace(UNSAFE, escape);
}

/** `printable(s)`, cut to `max` characters with `...` when longer (names in error messages). */
export function printableName(s: string, max: number): string {
  const p = printable(s.slice(0, max + 1)); // escaping is per character: a prefix stays a prefix
  return p.length > max ? `${p.slice(0, max - 3)}...` : p;
}
