/**
 * The generic rule's pre-check (assignmentMayFollow) keeps every start at which its
 * pattern matches, and drops starts where it cannot: prose key words, names too long,
 * too many blanks. Checked against the pattern itself, anchored, over generated text.
 */
import { assignmentMayFollow, GENERIC, GENERIC_WORDS } from '../../../src/scan/match';
import { rng } from '../../helpers/fake-secrets';

const sticky = new RegExp(GENERIC.source, 'iy');
/** A generated-looking value, joined here so this file holds no assignment of one. */
const VALUE = ['Zx81qPw0', 'Lm2vR7tYk3'].join('');
const matchesAt = (text: string, at: number): boolean => {
  sticky.lastIndex = at;
  return sticky.test(text);
};

/** Text of key words, name characters, quotes, blanks, assignment signs and values, mixed at random. */
function soup(n: number, seed: number): string {
  const next = rng(seed);
  const parts = [...GENERIC_WORDS, 'PASSWORD', 'Api_Key', 'x', 'Name', '_id', '.', '-', '"', "'", ' ', '\t', ' '.repeat(64), ' '.repeat(65), 'n'.repeat(64), 'n'.repeat(70),
    ':', '=', ':=', '=>', ' of ', '\n', VALUE, '(', '${VAR}'];
  let s = '';
  while (s.length < n) s += parts[Math.floor(next() * parts.length)] as string;
  return s;
}

describe('assignmentMayFollow', () => {
  it.each([
    ['an assignment', `token = "${VALUE}"`, 0, true],
    ['a quoted key in JSON', `"apiKey": "${VALUE}"`, 1, true],
    ['a longer name', 'passwordForTheAdminUser := x', 0, true],
    ['prose', 'the key of the tag', 4, false],
    ['a name past the longest the pattern reads', `key${'n'.repeat(72)}=value`, 0, false],
    ['65 blanks before the sign', `key${' '.repeat(65)}= value`, 0, false],
    ['64 blanks before the sign', `key${' '.repeat(64)}= ${VALUE}`, 0, true],
  ])('%s', (_what, text, at, expected) => {
    expect(assignmentMayFollow(text, at)).toBe(expected);
  });

  it.each([1, 2, 3])('never drops a start the pattern matches at (generated text, seed %i)', (seed) => {
    const text = soup(200_000, seed);
    const lower = text.toLowerCase();
    let matched = 0;
    let dropped = 0;
    for (const word of GENERIC_WORDS) {
      for (let at = lower.indexOf(word); at !== -1; at = lower.indexOf(word, at + 1)) {
        const keeps = assignmentMayFollow(text, at);
        if (matchesAt(text, at)) {
          matched++;
          expect(keeps).toBe(true);
        } else if (!keeps) dropped++;
      }
    }
    expect(matched).toBeGreaterThan(100);
    expect(dropped).toBeGreaterThan(100);
  });
});
