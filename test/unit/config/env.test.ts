import { num, port, str } from 'envalid';
import { parseEnv } from '../../../src/config/env';
import { ConfigError } from '../../../src/errors';

const schema = { PORT: port({ default: 8443 }), ADDR: str(), RETRIES: num({ default: 3 }) };

describe('parseEnv', () => {
  it('returns typed, defaulted settings', () => {
    const env = parseEnv({ ADDR: 'https://vault:8200' }, schema);
    expect(env).toMatchObject({ PORT: 8443, ADDR: 'https://vault:8200', RETRIES: 3 });
  });

  it('names every bad setting at once and never echoes a value', () => {
    let caught: unknown;
    try {
      parseEnv({ PORT: 'not-a-port-sentinel', RETRIES: 'many-sentinel' }, schema);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems.map((p) => p.setting)).toEqual(['ADDR', 'PORT', 'RETRIES']);
    expect((caught as ConfigError).message).not.toContain('sentinel');
  });
});
