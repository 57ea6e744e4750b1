import { printable, printableName } from '../../src/printable';

describe('printableName', () => {
  it.each([
    ['short and plain', 'db_password', 64, 'db_password'],
    ['exactly the limit', 'a'.repeat(10), 10, 'a'.repeat(10)],
    ['one over the limit', 'a'.repeat(11), 10, 'aaaaaaa...'],
    ['an escape sequence', 'k\x1b[2Jey', 64, 'k\\x1b[2Jey'],
    ['escapes that push it over the limit', '\x1b'.repeat(5), 10, '\\x1b\\x1...'],
    ['a bidi override', 'a\u202eb', 64, 'a\\u202eb'],
    ['a long hostile name is cut before escaping all of it', '\n'.repeat(100_000), 8, '\\n\\n\\...'],
  ])('%s', (_what, input, max, expected) => {
    const out = printableName(input, max);
    expect(out).toBe(expected);
    expect(out.length).toBeLessThanOrEqual(max);
    expect(out).toBe(printable(out));
  });
});
