/**
 * Every regular expression that runs on pod specs, file contents or image configs is
 * linear in its input (docs/scanner.md, "Linear time on attacker-controlled text"): the
 * regex literals of the scanner's sources and every rule's pattern, held to the shape
 * rule, and the shape rule itself checked against the patterns that froze the scanner.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PEM_FOOTER, PEM_HEADER } from '../../../src/scan/pem';
import { KNOWN_RULES } from '../../../src/scan/rules';
import { regexLiterals } from '../../helpers/regex-literals';
import { linearityProblems } from '../../helpers/regex-shape';

const ROOT = join(__dirname, '../../..');
const FILES = [
  ...readdirSync(join(ROOT, 'src/scan')).filter((f) => f.endsWith('.ts')).map((f) => `src/scan/${f}`),
  'src/cli/scan.ts',
];

/** Reviewed exceptions: the repeated group's branches start with disjoint characters, so each position has one way to match. */
const REVIEWED = new Map([['repeated alternation (?:[^"\\\\]|\\\\.){0,4096}', 'Dockerfile quoted value: a non-backslash, or a backslash and the next character']]);

const literals = FILES.flatMap((f) => regexLiterals(readFileSync(join(ROOT, f), 'utf8')).map((l) => [`${f}:${l.line} ${String(l.re)}`, l.re] as const));

const unreviewed = (re: RegExp): string[] => linearityProblems(re).filter((p) => !REVIEWED.has(p));

describe('regular expressions on attacker-controlled text', () => {
  it('finds the regex literals of the scanner sources', () => {
    expect(literals.length).toBeGreaterThan(60);
  });

  it.each(literals)('%s is linear', (_where, re) => {
    expect(unreviewed(re)).toEqual([]);
  });

  it.each([...KNOWN_RULES.map((r) => [r.id, r.pattern] as const), ['pem header', PEM_HEADER] as const, ['pem footer', PEM_FOOTER] as const])(
    'rule %s has a linear pattern',
    (_id, re) => {
      expect(unreviewed(re)).toEqual([]);
    },
  );
});

describe('linearityProblems', () => {
  it.each([
    ['the old placeholder test', /changeme|<[^>]*>|\{\{/i, 'unbounded quantifier [^>]*'],
    ['the old private-key body', /BEGIN[\s\S]{32,32768}?END/, 'bound 32768'],
    ['the old generic assignment name', /(?:key|token)[A-Za-z0-9_.-]*[ \t]*=/i, 'unbounded quantifier [A-Za-z0-9_.-]*'],
    ['the old history trim', /\s*# buildkit$/, 'unbounded quantifier \\s*'],
    ['the old short-repeat test', /^(.{1,3})\1+$/, 'quantified backreference \\1+'],
    ['the old build-argument list', /^\|\d+\s+((?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)+)(.*)$/, 'nested quantifier'],
    ['a classic nested quantifier', /^(a+)+$/, 'nested quantifier (a+)+'],
    ['a repeated ambiguous alternation', /^(?:a|aa)+$/, 'repeated alternation'],
  ])('flags %s', (_label, re, expected) => {
    expect(linearityProblems(re).join('; ')).toContain(expected);
  });

  it.each([
    ['a bounded unanchored rule', /(npm_(?<![A-Za-z0-9_]npm_)[A-Za-z0-9]{36})(?![A-Za-z0-9])/g],
    ['one quantified class', /\s+/],
    ['an anchored single pass', /^[A-Za-z_$][\w$]*$/],
    ['a short repeated group', /^v?\d+(?:\.\d+){1,3}$/],
  ])('accepts %s', (_label, re) => {
    expect(linearityProblems(re)).toEqual([]);
  });
});
