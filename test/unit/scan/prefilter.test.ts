/**
 * The one-pass prefilter: the keyword automaton finds every occurrence a naive search
 * finds; matching only at candidate starts reports exactly what each rule's global
 * pattern reports over the whole text; and text with no anchor tries no pattern.
 */
import { KeywordSet } from '../../../src/scan/keywords';
import { Prefilter } from '../../../src/scan/prefilter';
import { matchKnown, matchText, type MatchSteps } from '../../../src/scan/match';
import { KNOWN_RULES } from '../../../src/scan/rules';
import { FAKE_KINDS, plant, randomOf, rng } from '../../helpers/fake-secrets';
import { sampleOf } from '../../helpers/regex-sample';

/** Every (keyword, start) pair by plain search, in order of where each ends. */
function naive(text: string, words: Array<{ text: string; caseless: boolean }>): number[] {
  const hits: Array<[number, number, number]> = [];
  words.forEach((w, id) => {
    const hay = w.caseless ? text.toLowerCase() : text;
    const needle = w.caseless ? w.text.toLowerCase() : w.text;
    for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + 1)) hits.push([i + needle.length, -needle.length, id]);
  });
  return hits.sort((a, b) => a[0] - b[0] || a[1] - b[1]).flatMap(([end, neg, id]) => [id, end + neg]);
}

describe('KeywordSet', () => {
  const words = [
    { text: 'he', caseless: false }, { text: 'she', caseless: true }, { text: 'hers', caseless: false },
    { text: 'His', caseless: false }, { text: 's.', caseless: false }, { text: 'KEY', caseless: true },
  ];
  it.each([
    ['overlapping and nested words', 'ushers and his hers'],
    ['case: caseless words in any case, the others exactly', 'SHE She sHe HE He he His HIS his'],
    ['words at the very start and end', 'hers.s.key'],
    ['characters outside latin1 and no words', '\u2028\uffff\u0100 plain text 12345'],
    ['repeats', 'hehehehe s.s.s. kEykEy'],
  ])('%s: the same hits as a plain search', (_label, text) => {
    const set = new KeywordSet(words);
    const sorted = (flat: number[]) => flat.reduce<string[]>((a, x, i) => (i % 2 ? [...a.slice(0, -1), `${a[a.length - 1]}@${x}`] : [...a, `${x}`]), []).sort();
    expect(sorted(set.scan(text))).toEqual(sorted(naive(text, words)));
  });

  // A short word with `notAfter` is never reported right after a character of that class (the automaton's guards); a long one is, and the caller drops it.
  it.each([
    ['glued to words', 'this.x os.path a_s.b 9s.c $s.d -s.e'],
    ['after separators and at the start', 's.a (s.b) "s.c" =s.d \ts.e'],
    ['case folding: both cases refused, a long word left as it is', 'Xs.a xs.b XLTAIabc -LTAIdef'],
  ])('notAfter, %s: a plain search less the refused short ones, in JavaScript and WebAssembly', (_label, text) => {
    const guarded = [
      { text: 's.', caseless: false, notAfter: /[A-Za-z0-9_.$-]/ }, { text: 'LTAI', caseless: false, notAfter: /[A-Za-z0-9_]/ }, { text: 'key', caseless: true },
    ];
    const refused = (id: number, start: number) => (guarded[id]?.text.length ?? 0) <= 2 && start > 0 && (guarded[id]?.notAfter?.test(text.charAt(start - 1)) ?? false);
    const pairs = (flat: number[]) => flat.reduce<Array<[number, number]>>((a, x, i) => (i % 2 ? [...a.slice(0, -1), [a[a.length - 1]?.[0] ?? -1, x]] : [...a, [x, -1]]), []);
    const want = pairs(naive(text, guarded)).filter(([id, start]) => !refused(id, start)).sort();
    const set = new KeywordSet(guarded);
    expect(pairs(set.scan(text)).sort()).toEqual(want);
    expect(pairs(set.scanBytes(Buffer.from(text, 'latin1'), text)).sort()).toEqual(want);
    expect(pairs(new KeywordSet(guarded, { wasm: false }).scanBytes(Buffer.from(text, 'latin1'), text)).sort()).toEqual(want);
    expect(naive(text, guarded).length).toBeGreaterThan(0);
  });

  it('two short words with the same text and notAfter: both dropped after a refused character, both reported after a separator', () => {
    const twice = [{ text: 's.', caseless: false, notAfter: /[A-Za-z0-9_.$-]/ }, { text: 's.', caseless: false, notAfter: /[A-Za-z0-9_]/ }, { text: 'ks.', caseless: false }];
    const text = 'os.path ks.x (s.y)';
    expect(new KeywordSet(twice).scanBytes(Buffer.from(text, 'latin1'), text)).toEqual([2, 8, 0, 14, 1, 14]);
    expect(new KeywordSet(twice).scan(text)).toEqual([2, 8, 0, 14, 1, 14]);
  });

  it('rejects a keyword outside ASCII', () => {
    expect(() => new KeywordSet([{ text: 'clé', caseless: false }])).toThrow(RangeError);
  });
});

function globalHits(pattern: RegExp, group: number, text: string) {
  const hits: Array<{ index: number; secret: string; groups: Array<string | undefined> }> = [];
  const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const secret = m[group];
    if (secret !== undefined) hits.push({ index: m.index + m[0].indexOf(secret), secret, groups: [...m] });
  }
  return hits;
}

/** The old way: each rule's pattern run globally over the whole text. */
function reference(text: string): Array<[string, number, string]> {
  const out: Array<[string, number, string]> = [];
  for (const rule of KNOWN_RULES) {
    const hits = rule.find ? rule.find(text).map((h) => ({ ...h, groups: [] as Array<string | undefined> })) : globalHits(rule.pattern, rule.group, text);
    for (const h of hits) if (!rule.accept || rule.accept(h.secret, h.groups)) out.push([rule.id, h.index, h.secret]);
  }
  return out;
}

const r = rng(7);
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Texts that hold planted secrets, back to back, glued together, inside code and after near-misses of every anchor. */
const TEXTS: Array<[string, string]> = [
  ['each fake kind on its own line', FAKE_KINDS.map((k, i) => plant(k, i + 1).text).join('\n')],
  ['fakes glued with no separator', FAKE_KINDS.map((k, i) => plant(k, i + 30).secret).join('')],
  ['fakes inside code', FAKE_KINDS.map((k, i) => `if (x) { call("${plant(k, i + 60).secret}", 's.${randomOf(r, ALNUM, 24)}'); }`).join(' ')],
  ['anchors with random tails', KNOWN_RULES.flatMap((rule) => rule.anchors.map((a) => `${a.marker}${randomOf(r, ALNUM + '_-.:=/', 60)}`)).join(' ')],
  ['a sample drawn from every rule\'s pattern', KNOWN_RULES.map((rule) => ` ${sampleOf(rule.pattern.source, r)} `).join('\n')],
  ['anchors repeated and upper-cased', KNOWN_RULES.flatMap((rule) => rule.anchors.map((a) => `${a.marker.toUpperCase()}${a.marker}${a.marker}`)).join('')],
];

describe('matching at candidate starts', () => {
  it.each(TEXTS)('%s: the same hits as each pattern run over the whole text', (_label, text) => {
    const sort = (xs: Array<[string, number, string]>) => [...xs].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
    const ours = matchKnown(text).map((m): [string, number, string] => [m.ruleId, m.index, m.secret]);
    expect(sort(ours)).toEqual(sort(reference(text)));
    expect(ours.length).toBeGreaterThan(0);
  });

  it('finds every rule in a sample drawn from its own pattern, but those whose content check a random sample fails', () => {
    const text = KNOWN_RULES.map((rule) => ` ${sampleOf(rule.pattern.source, rng(3))} `).join('\n');
    const found = new Set(matchKnown(text).map((m) => m.ruleId));
    // A random body is no decodable JWT header, Docker `user:password`, PEM key body or connection host.
    expect(KNOWN_RULES.filter((rule) => !found.has(rule.id)).map((rule) => rule.id).sort()).toEqual(['connection-string-password', 'docker-config-auth', 'jwt', 'private-key']);
  });

  it.each([1, 4, 16])('text with no anchor and no key word tries no pattern (%i x 64 KB)', (n) => {
    const steps: MatchSteps = { attempts: 0 };
    const text = 'const value = compute(1, 2, 3); // filler\n'.repeat(1560 * n);
    expect(matchText(text, 'code', steps)).toEqual([]);
    expect(steps.attempts).toBe(0);
  });

  // A start that the pattern's own lookbehind refuses (Anchor.notAfter) is no candidate; the hits above stay the same.
  it.each([
    ['the legacy Vault marker inside words', 'this.x = os.path; items.sort()', 0],
    ['the legacy Vault marker after a separator', 'x = s.x; (s.y)', 2],
    ['a provider prefix glued to a word', `xLTAI${'a'.repeat(16)} id_LTAI${'b'.repeat(16)}`, 0],
    ['a provider prefix after a separator', ` LTAI${'a'.repeat(16)} "LTAI${'b'.repeat(16)}"`, 2],
  ])('%s: the number of pattern attempts', (_what, text, attempts) => {
    const steps: MatchSteps = { attempts: 0 };
    matchKnown(text, KNOWN_RULES, steps);
    expect(steps.attempts).toBe(attempts);
  });

  it.each([100, 1000, 10_000])('%i anchors: at most one attempt per anchor and rule', (n) => {
    const steps: MatchSteps = { attempts: 0 };
    matchText('x = ghp_short; '.repeat(n), 'text', steps);
    expect(steps.attempts).toBe(n);
  });
});

describe('Prefilter.candidates: lists only for rules with a candidate', () => {
  // The literal-secret check runs it once per env value: 1000 values with no anchor must not cost 1000 × rules lists.
  const p = new Prefilter(KNOWN_RULES, ['secret']);
  it.each([
    ['no anchor at all', 'plain-value-123', 0],
    ['one Stripe key', `x ${plant('stripe-live-key').secret} y`, 1],
  ])('%s: %i rule list(s)', (_what, text, lists) => {
    const c = p.candidates(text);
    expect(Object.keys(c.byRule)).toHaveLength(lists);
    expect(c.byRule.length <= KNOWN_RULES.length).toBe(true);
  });
});
