/**
 * Text that is code: a source file by its extension, or minified content (any file whose
 * lines run to hundreds of characters). In code, an unquoted value after `=` or `:` is an
 * expression, not a literal. Documentation (Markdown, reStructuredText) shows sample
 * values: the generic rule stays out of it, the known formats do not. Pure.
 */

const CODE_EXTENSIONS = new Set([
  'js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx', 'map', 'py', 'go', 'java', 'kt', 'rb', 'php', 'cs',
  'c', 'h', 'cc', 'cpp', 'hpp', 'rs', 'swift', 'scala', 'pm', 'pl', 'lua', 'dart',
]);

/** Is `path` a source file (or a source map) by its extension? */
export function isCodePath(path: string): boolean {
  return CODE_EXTENSIONS.has(extension(path));
}

const DOC_EXTENSIONS = new Set(['md', 'markdown', 'rst', 'adoc', 'asciidoc']);

/** How the generic rule reads a text: `code` (an unquoted value may be an expression), `docs` (assignments are samples), or plain `text`. */
export type TextKind = 'text' | 'code' | 'docs';

/** The extension of the last name in `path`, lower case ('' for none or a dot file); read for every window scanned, so no split. */
function extension(path: string): string {
  const base = path.lastIndexOf('/') + 1;
  const dot = path.lastIndexOf('.');
  return dot > base ? path.slice(dot + 1).toLowerCase() : '';
}

/** Documentation by its extension (Markdown, reStructuredText, AsciiDoc): the values it shows are examples. */
export const isDocPath = (path: string): boolean => DOC_EXTENSIONS.has(extension(path));

/** The kind of `text` read from `path`: docs and source files by extension, minified text by its line lengths. */
export function textKind(path: string, text: string): TextKind {
  if (isDocPath(path)) return 'docs';
  return isCodePath(path) || isMinified(text) ? 'code' : 'text';
}

/** Mean line length above which text is minified (or generated) rather than written. */
export const MINIFIED_LINE = 400;

/**
 * Minified text: the mean line is longer than MINIFIED_LINE characters. Counts newlines
 * only until there are enough for a mean at or below it, so text of short lines is read
 * no further than that (at most one newline per MINIFIED_LINE characters).
 */
export function isMinified(text: string): boolean {
  const enough = text.length / MINIFIED_LINE;
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1 && lines < enough; i = text.indexOf('\n', i + 1)) lines++;
  return lines < enough;
}

/** An unquoted value in code that is an expression: an operator (`a+b`, `!x`, `a&&b`) or a member access (`r.C0.ESC`). */
export function isExpression(value: string): boolean {
  return /[+*&!%^~=]/.test(value) || /[\w$#]\.[A-Za-z_$#]/.test(value);
}
