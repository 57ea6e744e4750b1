/**
 * Every regular expression that runs on audit lines or on text the writer puts in them is
 * linear in its input: no nested or alternated quantified groups, and no unanchored
 * pattern whose unbounded run can restart at each of its own characters (the JWT pattern
 * once took 15 s on 120,000 characters). Checked by structure; adversarial inputs run too.
 */
import { DATE_PREFIX, KV_DATA, KV_MOUNT, REL_TIME } from '../../../src/audit/query';
import { HEX64 } from '../../../src/audit/record-shape';
import { HTML_SPECIAL } from '../../../src/audit/report-parts';
import { PATTERNS, REDACTED, redactJwts, scrubText, TOKEN_RUN } from '../../../src/audit/scrub';
import { printable, UNSAFE } from '../../../src/printable';

interface Atom {
  src: string;
  quant: '' | 'opt' | 'bounded' | 'unbounded';
  group?: { quantified: boolean; alternation: boolean };
}

/** Splits a pattern into top-level-ish atoms and finds quantified groups holding quantifiers or `|`. */
function analyse(source: string): { atoms: Atom[]; nested: string[] } {
  const atoms: Atom[] = [];
  const nested: string[] = [];
  const stack: { start: number; inner: boolean; alt: boolean }[] = [];
  let i = 0;
  const quantAt = (j: number): [Atom['quant'], number] => {
    const c = source[j];
    if (c === '*' || c === '+') return ['unbounded', j + 1 + (source[j + 1] === '?' ? 1 : 0)];
    if (c === '?') return ['opt', j + 1];
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(j));
    if (!m) return ['', j];
    return [m[2] !== undefined && m[3] === '' ? 'unbounded' : 'bounded', j + m[0].length];
  };
  while (i < source.length) {
    const c = source[i]!;
    let end = i + 1;
    if (c === '\\') end = i + 2;
    else if (c === '[') {
      end = i + 1;
      while (source[end] !== ']') end += source[end] === '\\' ? 2 : 1;
      end += 1;
    } else if (c === '(') {
      stack.push({ start: i, inner: false, alt: false });
      i += source.startsWith('(?<!', i) || source.startsWith('(?<=', i) ? 4 : source.startsWith('(?', i) ? 3 : 1;
      continue;
    } else if (c === '|') {
      if (stack.length > 0) stack[stack.length - 1]!.alt = true;
      i += 1;
      continue;
    } else if (c === ')') {
      const g = stack.pop()!;
      const [quant, next] = quantAt(i + 1);
      if ((quant === 'unbounded' || quant === 'bounded') && (g.inner || g.alt)) nested.push(source.slice(g.start, next));
      if (stack.length > 0) stack[stack.length - 1]!.inner ||= g.inner || quant === 'unbounded';
      i = next;
      continue;
    }
    const [quant, next] = quantAt(end);
    if (quant === 'unbounded' && stack.length > 0) stack[stack.length - 1]!.inner = true;
    if (stack.length === 0) atoms.push({ src: source.slice(i, end), quant });
    i = next;
  }
  return { atoms, nested };
}

/** Unanchored, starting with a literal that a later unbounded run (followed by more pattern) also matches. */
function restarts(re: RegExp): string | undefined {
  const { atoms } = analyse(re.source);
  const first = atoms[0];
  if (!first || first.src === '^' || first.src === '\\b' || first.quant !== '' || first.src.length !== 1) return undefined;
  const flags = re.flags.replace('g', '');
  const run = atoms.slice(1, -1).find((a) => a.quant === 'unbounded' && new RegExp(`^(?:${a.src})$`, flags).test(first.src));
  return run && `${first.src} ... ${run.src}`;
}

const ALL: [string, RegExp][] = [
  ['HEX64', HEX64],
  ['UNSAFE (printable)', UNSAFE],
  ['HTML_SPECIAL', HTML_SPECIAL],
  ['KV_DATA', KV_DATA],
  ['KV_MOUNT', KV_MOUNT],
  ['REL_TIME', REL_TIME],
  ['DATE_PREFIX', DATE_PREFIX],
  ['TOKEN_RUN', TOKEN_RUN],
  ...PATTERNS.map((p, i): [string, RegExp] => [`scrub PATTERNS[${i}]`, p]),
];

describe('regular expressions over audit text are linear', () => {
  it.each(ALL)('%s: no nested or alternated quantified group, no restarting run', (_name, re) => {
    expect(analyse(re.source).nested).toEqual([]);
    expect(restarts(re)).toBeUndefined();
  });

  it.each([
    ['(a+)+b', true],
    ['(a|aa)*b', true],
    ['(?:x\\d+){2,}', true],
    ['^[0-9a-f]{64}$', false],
  ])('the checker flags nested quantifiers in %s: %s', (src, bad) => {
    expect(analyse(src).nested.length > 0).toBe(bad);
  });

  it.each([
    [/eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g, true],
    [/\bhv[sbr]\.[A-Za-z0-9_-]{20,}/g, false],
  ])('the checker flags a restarting run in %s: %s', (re, bad) => {
    expect(restarts(re) !== undefined).toBe(bad);
  });

  const N = 200_000;
  it.each([
    ['eyJ repeated (no dots)', 'eyJ'.repeat(N / 3)],
    ['eyJ parts with one dot', `${'eyJab'.repeat(N / 10)}.${'x'.repeat(N / 2)}`],
    ['token= repeated', 'token='.repeat(N / 6)],
    ['s. and hvs. runs', `s.${'a'.repeat(N / 2)} hvs.${'-'.repeat(N / 2)}`],
    ['Bearer and spaces', `Bearer${' '.repeat(N)}`],
  ])('scrubText over %s returns (only a credential is redacted)', (_what, input) => {
    const out = scrubText(input);
    expect(out.length).toBeGreaterThan(0);
    expect(out.length).toBeLessThanOrEqual(input.length + REDACTED.length);
  });

  it.each([
    ['a.eyJab.cd.ef.b', `a.${REDACTED}.b`],
    ['xeyJab.cd.ef', `x${REDACTED}`],
    ['eyJa.cd.ef', 'eyJa.cd.ef'],
    ['eyJab.c.ef', 'eyJab.c.ef'],
    ['eyJab.cd', 'eyJab.cd'],
    ['eyJab.cd.', REDACTED],
  ])('redactJwts(%s) matches what the old pattern matched', (run, expected) => {
    expect(redactJwts(run)).toBe(expected);
  });

  it('printable and the record checks handle a long hostile line', () => {
    const line = `${'\u001b['.repeat(N / 2)}${'a'.repeat(N)}`;
    expect(printable(line)).toHaveLength(N / 2 * 5 + N);
    expect(HEX64.test('a'.repeat(N))).toBe(false);
    expect(KV_DATA.test('a'.repeat(N))).toBe(false);
  });
});
