import { connectionPasswordOk, headerCredentialOk, isExampleHost } from '../../../src/scan/doc-values';
import { forPath, isFixturePath, lowered } from '../../../src/scan/fixture-paths';
import { randomOf, rng } from '../../helpers/fake-secrets';

const generated = randomOf(rng(3), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 20);

describe('isExampleHost', () => {
  it.each([
    ['localhost:6379', true], ['127.0.0.1', true], ['127.8.9.1:80', true], ['[::1]:5432', true], ['example.com:123', true],
    ['api.example.org', true], ['db.test', true], ['x.invalid', true], ['host', true],
    ['db.internal:5432', false], ['prod-db.corp.net', false], ['examples.io', false], ['10.0.0.5', false],
  ])('%s: %s', (host, expected) => {
    expect(isExampleHost(host)).toBe(expected);
  });
});

describe('connectionPasswordOk', () => {
  it.each([
    ['pass', 'db.internal', false], ['p%40ss', 'db.internal', false], ['${DB_PASSWORD}', 'db.internal', false],
    [generated, 'localhost:5432', false], [generated, 'db.internal:5432', true], [generated, undefined, true],
  ])('%s at %s: %s', (password, host, expected) => {
    expect(connectionPasswordOk(password, host)).toBe(expected);
  });
});

describe('headerCredentialOk', () => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  it.each([
    ['Bearer', 'secret-token', false], ['Bearer', 'another-token', false], ['Bearer', generated, true],
    ['Basic', b64('username:password'), false], ['Basic', b64('user:pass'), false], ['Basic', b64(`ci:${generated}`), true],
    ['Basic', b64('no-colon-here'), false], ['token', '<your-token>', false],
  ])('%s %s: %s', (scheme, credential, expected) => {
    expect(headerCredentialOk(scheme, credential)).toBe(expected);
  });
});

describe('test fixtures', () => {
  it.each([
    ['test/key.pem', true], ['pkg/__tests__/a.js', true], ['src/a.test.ts', true], ['src/a.spec.js', true],
    ['x/fixtures/creds.env', true], ['pkg/testdata/key', true], ['cmd/main_test.go', true], ['tests/test_auth.py', true],
    ['src/config.ts', false], ['src/testing-utils.ts', false], ['attest/key.pem', false], ['contest.js', false],
  ])('%s is a fixture: %s', (path, expected) => {
    expect(isFixturePath(path)).toBe(expected);
  });

  it.each([['critical', 'high'], ['high', 'medium'], ['medium', 'low'], ['low', 'low']] as const)('%s is lowered to %s', (from, to) => {
    expect(lowered(from)).toBe(to);
  });

  it('lowers a match in a fixture and leaves one elsewhere', () => {
    const m = { ruleId: 'private-key', title: 't', severity: 'critical' as const, index: 0, secret: 's' };
    expect(forPath(m, 'test/key.pem').severity).toBe('high');
    expect(forPath(m, 'src/key.pem').severity).toBe('critical');
  });
});
