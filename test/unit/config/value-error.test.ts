/** A parser's refusal is a ValueError, matched by class: a bug in a parser is not reported as a bad setting. */
import { str } from 'envalid';
import { parseEnv, readFields } from '../../../src/config/env';
import { boolean, intRange, oneOf, vaultAddress } from '../../../src/config/validators';
import { ConfigError, ValueError } from '../../../src/errors';

describe('setting parsers refuse with a ValueError', () => {
  it.each([
    ['intRange', () => intRange(1, 5)('9')],
    ['boolean', () => boolean('maybe')],
    ['oneOf', () => oneOf(['a', 'b'])('c')],
    ['vaultAddress', () => vaultAddress('http://vault.example:8200')],
  ])('%s', (_name, parse) => {
    expect(parse).toThrow(ValueError);
  });
});

describe('readFields', () => {
  it('names the setting of a refused value', () => {
    const r = readFields({ A: '9' }, { A: { parse: intRange(1, 5) } });
    expect(r.problems).toEqual([{ setting: 'A', message: 'must be a whole number from 1 to 5' }]);
  });

  it('passes any other error on as itself, even one whose message reads like a refusal', () => {
    const bug = new TypeError('must be a whole number from 1 to 5');
    const parse = (): never => {
      throw bug;
    };
    expect(() => readFields({ A: '1' }, { A: { parse } })).toThrow(bug);
  });
});

describe('parseEnv', () => {
  it("drops the value from envalid's own messages and keeps ours", () => {
    const err = (() => {
      try {
        parseEnv({ A: 'secret-ish' }, { A: str({ choices: ['x', 'y'] }) });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).lines().join('\n')).not.toContain('secret-ish');
  });
});
