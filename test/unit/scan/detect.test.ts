import { detectLiteral } from '../../../src/scan/detect';
import { matchText } from '../../../src/scan/match';
import { FAKE_KINDS, plant, rng, randomOf, type FakeKind, type Planted } from '../../helpers/fake-secrets';

const hex = (n: number) => randomOf(rng(n), '0123456789abcdef', n);

/** Values that must stay quiet, with the name they sit under. */
const QUIET: Array<[string, string | undefined, string]> = [
  ['${DB_PASSWORD}', 'DB_PASSWORD', 'shell reference'],
  ['$DB_PASSWORD', 'DB_PASSWORD', 'bare reference'],
  ['<your-token>', 'API_TOKEN', 'angle placeholder'],
  ['changeme', 'PASSWORD', 'changeme'],
  ['xxxxxxxxxxxxxxxx', 'SECRET', 'xxxx'],
  ['example-token-1234', 'TOKEN', 'example'],
  ['{{ .Values.password }}', 'PASSWORD', 'template'],
  [hex(64), 'CHECKSUM', 'sha256 hex under a neutral name'],
  [hex(64), 'SECRET_KEY', 'sha256 hex under a secret name'],
  [hex(40), 'GIT_TOKEN', 'git SHA'],
  ['3f2b8c1e-9a4d-4e2f-8b7a-1c2d3e4f5a6b', 'API_KEY', 'UUID'],
  ['sha512-' + Buffer.from(hex(64), 'hex').toString('base64'), 'integrity', 'lockfile integrity'],
  ['/var/run/secrets/vault/token', 'TOKEN_FILE', 'file path'],
  ['process.env.DB_PASSWORD', 'password', 'code reference'],
  ['hunter2', 'PASSWORD', 'too short and low entropy'],
  ['kubernetes', 'AUTH_METHOD', 'neutral value'],
  ['Aq9' + 'zT4kLm2Pw8Rx', 'LOG_LEVEL', 'random value under a neutral name'],
  ['AKIA' + 'IOSFODNN7EXAMPLE', undefined, 'documented AWS example key'],
  ['1.27.3-beta2', 'API_VERSION', 'version'],
  ['getKeysOfEnumerableProperties', 'getKeys', 'identifier of letters only'],
  ['!!config.withCredentialsTokenX2', 'withXsrfToken', 'negated expression'],
  ['isPublicKey2(node)', 'isPublicKey', 'call'],
  ['enabled ? tokenA1 : tokenB2', 'TOKEN', 'conditional'],
  ['pki/issue/web9?common_name=web.shop.svc', 'secret-tls', 'Vault path with a query'],
  ['secret/data/app2/db', 'secret-db', 'Vault path'],
  ['secrets-broker.io/vault-addr2:', 'secrets-broker', 'annotation key in prose'],
];

describe('detectLiteral', () => {
  const CONTEXT: Partial<Record<FakeKind, (p: Planted) => [string, string]>> = {
    'aws-secret-access-key': (p) => [p.secret, 'AWS_SECRET_ACCESS_KEY'],
    'docker-config-auth': (p) => [p.text, 'DOCKER_CONFIG_JSON'],
    'connection-string-password': (p) => [p.text.replace('DATABASE_URL=', ''), 'DATABASE_URL'],
  };
  it.each(FAKE_KINDS.filter((k) => k !== 'generic-secret'))('finds a known %s format', (kind) => {
    const p = plant(kind);
    const [value, name] = CONTEXT[kind]?.(p) ?? [p.secret, undefined];
    expect(detectLiteral(value, name)?.ruleId).toBe(kind);
  });

  it.each(['DB_PASSWORD', 'API_KEY', 'apiKey', 'GITHUB_TOKEN', 'client-secret', 'AWS_CREDENTIALS', 'SECRET'])(
    'finds a high-entropy value under %s',
    (name) => {
      const value = randomOf(rng(name.length), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 24);
      expect(detectLiteral(value, name)).toEqual({ ruleId: 'generic-secret', title: expect.any(String), severity: 'medium' });
    },
  );

  // A pod spec's literal under a secret-like name is a credential even when it reads as
  // words: the file scanner's "looks generated" test does not apply here.
  it.each([
    ['a passphrase of words', ['correct', 'horse', 'battery', 'staple', '42'].join('-'), 'DB_PASSWORD'],
    ['camel-case words', ['Summer', 'Holiday', 'Beach', '2026'].join(''), 'API_KEY'],
  ])('finds %s under a secret-like name', (_what, value, name) => {
    expect(detectLiteral(value, name)).toMatchObject({ ruleId: 'generic-secret' });
  });

  it.each(QUIET)('stays quiet on %s under %s (%s)', (value, name) => {
    expect(detectLiteral(value, name)).toBeUndefined();
  });

  it('never returns any part of the value', () => {
    const p = plant('github-token');
    expect(JSON.stringify(detectLiteral(p.secret))).not.toContain(p.secret.slice(4, 12));
  });
});

describe('matchText', () => {
  it.each(FAKE_KINDS)('finds %s in source-like text at the secret offset', (kind) => {
    const p = plant(kind, 3);
    const text = `// config\n${p.text}\nnext = 1\n`;
    const hits = matchText(text);
    expect(hits.map((h) => h.ruleId)).toEqual([kind]);
    expect(text.slice(hits[0]!.index, hits[0]!.index + hits[0]!.secret.length)).toBe(p.secret);
  });

  it.each([
    ['password: ${DB_PASSWORD}'],
    ['token = getTokenFromHeader(req)'],
    ['"integrity": "sha512-' + Buffer.from(hex(64), 'hex').toString('base64') + '"'],
    [`commit: ${hex(40)}`],
    ['api_key = "<your-api-key>"'],
    ['postgres://user:${PGPASSWORD}@db:5432/app'],
    ['secret: changeme'],
    ['export const tokenKey = "authorization";'],
    ['const key = `${prefix}/${name}`;'],
  ])('stays quiet on %s', (line) => {
    expect(matchText(line)).toEqual([]);
  });
});
