/**
 * scrubText's pre-check (MAY_CARRY): a string without a dot, colon, equals sign or white
 * space is returned as it is, so no credential the patterns redact may lack all four.
 */
import { MAY_CARRY, PATTERNS, REDACTED, scrubText } from '../../../src/audit/scrub';
import { plant, rng } from '../../helpers/fake-secrets';
import { sampleOf } from '../../helpers/regex-sample';

describe('MAY_CARRY', () => {
  it.each(PATTERNS.map((p, i) => [i, p] as const))('every match of pattern %i (%s) carries one of its characters and is still redacted', (_i, pattern) => {
    const next = rng(7);
    for (let k = 0; k < 50; k++) {
      const sample = sampleOf(pattern.source, next);
      expect(MAY_CARRY.test(sample)).toBe(true);
      expect(scrubText(`x ${sample} y`)).toContain(REDACTED);
    }
  });

  it('a JWT carries its dots and is still redacted', () => {
    const jwt = plant('jwt').secret;
    expect(MAY_CARRY.test(jwt)).toBe(true);
    expect(scrubText(jwt)).toBe(REDACTED);
  });

  it('no pattern matches anywhere in strings without those characters', () => {
    const next = rng(11);
    const alphabet = 'abcshvrBXeyJ0123456789_-/"\',}{@Tt';
    for (let k = 0; k < 2000; k++) {
      const s = Array.from({ length: 1 + Math.floor(next() * 60) }, () => alphabet.charAt(Math.floor(next() * alphabet.length))).join('');
      expect(MAY_CARRY.test(s)).toBe(false);
      expect(PATTERNS.some((p) => new RegExp(p.source, p.flags.replace('g', '')).test(s))).toBe(false);
      expect(scrubText(s)).toBe(s);
    }
  });
});
