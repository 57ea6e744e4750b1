/**
 * Every regular-expression literal in a TypeScript source, found with a small lexer
 * (comments, strings and template literals skipped), so a test can hold each one to
 * the linearity rule without a list that drifts from the code.
 */

/** One literal: its line and the compiled pattern. */
export interface RegexLiteral {
  line: number;
  re: RegExp;
}

const BEFORE_REGEX = /[(,=:[!&|?{};+\-*%<>~^]$/;
const KEYWORD_BEFORE = /(?:^|[^\w$])(?:return|typeof|case|in|of|void|yield|await)$/;

function skipString(src: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < src.length && src[j] !== quote) j += src[j] === '\\' ? 2 : 1;
  return j + 1;
}

function readRegex(src: string, i: number): number {
  let j = i + 1;
  let inClass = false;
  while (j < src.length) {
    const c = src[j];
    if (c === '/' && !inClass) break;
    if (c === '\n') return -1;
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    j += c === '\\' ? 2 : 1;
  }
  return j;
}

/** The regex literals in `src`, in order. Template literals are skipped whole (the scanner's sources keep regexes out of them). */
export function regexLiterals(src: string): RegexLiteral[] {
  const out: RegexLiteral[] = [];
  let prev = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    const next = src[i + 1];
    if (c === '/' && next === '/') i = src.indexOf('\n', i) === -1 ? src.length : src.indexOf('\n', i);
    else if (c === '/' && next === '*') i = src.indexOf('*/', i + 2) + 2;
    else if (c === '"' || c === "'" || c === '`') {
      i = skipString(src, i, c);
      prev = 'x';
    } else if (c === '/' && (prev.trim() === '' || BEFORE_REGEX.test(prev.trimEnd()) || KEYWORD_BEFORE.test(prev.trimEnd()))) {
      const end = readRegex(src, i);
      if (end === -1) {
        i++;
        continue;
      }
      const flags = /^[dgimsuvy]*/.exec(src.slice(end + 1))?.[0] ?? '';
      out.push({ line: src.slice(0, i).split('\n').length, re: new RegExp(src.slice(i + 1, end), flags) });
      i = end + 1 + flags.length;
      prev = 'x';
    } else {
      prev = (/\s/.test(c) ? (prev.endsWith(' ') ? prev : `${prev} `) : prev + c).slice(-12);
      i++;
    }
  }
  return out;
}
