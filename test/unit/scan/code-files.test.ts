/**
 * Minified text is told by its mean line length; the early stop gives the same answer as
 * counting every line, at the boundary too.
 */
import { isCodePath, isDocPath, isMinified, MINIFIED_LINE } from '../../../src/scan/code-files';

const naive = (text: string): boolean => text.length / text.split('\n').length > MINIFIED_LINE;
const lines = (n: number, len: number): string => Array.from({ length: n }, () => 'x'.repeat(len)).join('\n');

describe('isMinified', () => {
  it.each([
    ['empty', ''],
    ['one short line', 'a = 1'],
    ['one line just over the mean', 'x'.repeat(MINIFIED_LINE + 1)],
    ['one line at the mean', 'x'.repeat(MINIFIED_LINE)],
    ['two lines, mean just over', lines(2, MINIFIED_LINE)],
    ['two lines, mean just under', lines(2, MINIFIED_LINE - 1)],
    ['many short lines', lines(5000, 40)],
    ['short lines then one huge line', `${lines(100, 10)}\n${'y'.repeat(100_000)}`],
    ['a huge line then short lines', `${'y'.repeat(100_000)}\n${lines(100, 10)}`],
    ['only newlines', '\n'.repeat(1000)],
  ])('%s: the same as counting every line', (_label, text) => {
    expect(isMinified(text)).toBe(naive(text));
  });
});

describe('source and documentation paths, by the extension of the last name only', () => {
  it.each([
    ['src/app.ts', true, false],
    ['lib/x.min.JS', true, false],
    ['guide/README.md', false, true],
    ['guide/Intro.RST', false, true],
    ['a.md/notes', false, false],
    ['pkg.ts/Makefile', false, false],
    ['.ts', false, false],
    ['dir/.md', false, false],
    ['dir.js/.eslintrc', false, false],
    ['noext', false, false],
    ['trailing.', false, false],
    ['', false, false],
  ])('%s: code %s, docs %s', (path, code, docs) => {
    expect(isCodePath(path)).toBe(code);
    expect(isDocPath(path)).toBe(docs);
  });
});
