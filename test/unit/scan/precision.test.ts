/**
 * Precision: what dependency code, READMEs and test suites hold in secret-like places
 * (identifiers, documentation samples, example hosts) stays quiet, and generated values
 * stay reported. The quiet lines are the shapes found in real installed packages.
 */
import { hasAscendingRun, isEncodedSample, isWordSequence, looksWritten, segments } from '../../../src/scan/generated';
import { analyserFor } from '../../../src/scan/layer';
import { isGeneratedValue } from '../../../src/scan/match';
import { plant, randomOf, rng } from '../../helpers/fake-secrets';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const random = (seed: number, n = 32): string => randomOf(rng(seed), ALNUM, n);
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const ids = (path: string, text: string): string[] => analyserFor(path)(text).map((m) => m.ruleId);

describe('quiet: identifiers, samples and example hosts', () => {
  it.each([
    ['a bundler-renamed identifier', 'axios/lib/core/mergeConfig.js', '  withCredentials: defaultToConfig2,'],
    ['an exported constant name', 'sigstore/x509/ext.js', 'exports.X509_EXT_KEY_USAGE = X509_EXT_KEY_USAGE;'],
    ['an UPPER_CASE constant', 'socks/constants.js', 'exports.SOCKS_INCOMING_PACKET = SOCKS_INCOMING_PACKET;'],
    ['a snake_case string', 'tv4/tv4.js', '\t\tthis.validationErrorsKey = \'tv4_validation_errors_id\';'],
    ['a renamed import', 'axios/dist/esm/axios.js', 'axios.CancelToken = CancelToken$1;'],
    ['a call', 'jose/jwe/encrypt.js', '  jwe.encrypted_key = base64url(encryptedKey);'],
    ['a Perl call', 'perl-base/Cwd.pm', '    $pwd = Win32::GetCwd();'],
    ['a private field path', 'eslint/lib/traverser.js', '  nodeTypeKey: this.#language.nodeTypeKey,'],
    ['a type annotation', 'noble/eskdf.ts', 'function modReduceKey(key: Uint8Array, modulus: bigint): Uint8Array {'],
    ['a minified expression', 'x/assets/xterm-module.js', `case 8:o.key=e.ctrlKey?1:r.C0.DEL,e.altKey&&(o.key=r.C0.ESC+o.key);break;${' x'.repeat(300)}`],
    ['a method name as a key binding', 'playwright/bundle.js', '"Shift+Control+KeyA": "moveToBeginningOfParagraphAndModifySelection:",'],
    ['text in another script', 'ja/messages.json', `"keys_declared_6671": "${'\u00e3\u0082\u00a4'.repeat(6)}",`],
    ['a counting example token', 'pino/doc/transports.md', 'botToken: "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",'],
    ['base64 of "not my real password"', 'arborist/README.md', `  password: '${b64('not my real password')}',`],
    ['base64 of a sample user and password', 'arborist/README.md', `  auth: '${b64('isaacs:not my real password')}',`],
    ['the RFC 6455 sample nonce', 'playwright/bundle.js', `Sec-WebSocket-Key: ${b64('the sample nonce')}`],
    ['a badge token in an image URL', 'cacheable/README.md', `[![codecov](https://codecov.io/gh/o/r/graph/badge.svg?token=${random(5, 10)})](https://codecov.io/gh/o/r)`],
    ['a short written password', 'axios/README.md', "  password: 'rapunz3l'"],
    ['user:pass at localhost', 'keyv/README.md', "new KeyvRedis('redis://user:pass@localhost:6379');"],
    ['user:pass at example.com', 'fast-uri/README.md', "uri.parse('uri://user:pass@example.com:123/one/two.three?q1=a1')"],
    ['abc:xyz at example.com', '@types/node/url.d.ts', " * const myURL = new URL('https://abc:xyz@example.com');"],
    ['guest:guest at localhost', 'pino/doc/transports.md', 'pino-mq -u "amqp://guest:guest@localhost/" -q "pino-logs"'],
    ['a percent-encoded sample password', 'axios/CHANGELOG.md', '(e.g. `https://user:p%40ss@host`), the decoded value'],
    ['a random password at a .test host', 'app/README.md', `postgres://app:${random(6, 18)}@db.example.test/app`],
    ['a sample bearer token', 'redact/multiple-wildcards.js', "  authorization: 'Bearer secret-token'"],
    ['Basic of username:password', 'autocannon/builder.js', `Authorization: Basic ${b64('username:password')}\\r\\n`],
    ['a public key variable', 'validation_test.go', '  PKIXPublicKey: ed25519PubPKIX1,'],
    ['a pagination token', 'examples/list.json', `  "NextToken": "${random(13, 40)}",`],
    ['a nested pagination token', 'examples/list.json', `  "nextPageToken": "${random(14, 40)}",`],
    ['a key ARN', 'examples/keys.json', '  "KeyArn": "arn:aws:kms:us-east-2:111122223333:key/0d990263-018e-4e65-a703-eff731de",'],
    ['a key fingerprint', 'examples/keys.json', `  "KeyFingerprint": "${Array.from({ length: 20 }, (_, i) => (i * 37 + 16).toString(16).slice(-2)).join(':')}",`],
    ['a timestamp', 'examples/users.json', '  "PasswordLastUsed": "2016-09-08T21:47:36Z",'],
    ['an image pinned by tag and digest', 'deploy/pod.yaml', '    image: registry.example/team/secrets-broker:0.1.0@sha256:' + Array.from({ length: 64 }, (_, i) => ((i * 7919 + 13) % 16).toString(16)).join('')],
    ['an image reference split across a string concatenation', 'decide.test.ts', "    ['secrets-broker:0.1.0@sha256:' + 'a'.repeat(64), '0.1.0'],"],
    ['a hash under a secret-ish name', 'configure.sh', `X="\${AUTH_PROVIDER_GCP_HASH_LINUX_AMD64:-${'a3d0'.repeat(32)}}"`],
    ['a sample password that says so', 'examples/users.json', '  "Password": "SomeKindOfPassword123!@#",'],
    ['a typed sample token', 'examples/token.json', '  "token": "abcd1234defg5678"'],
    ['base64 of a word', 'testdata/secret.yaml', `  password: ${b64('value-2\r\n')}`],
    ['a generated value in documentation', 'guide/setup.md', `DB_PASSWORD=${random(15, 24)}`],
    ['a generated value in reStructuredText', 'examples/create.rst', `    "ServicePassword": "${random(16, 40)}",`],
  ])('%s', (_label, path, line) => {
    expect(ids(path, line)).toEqual([]);
  });

  it('a known format in documentation is still reported', () => {
    const p = plant('github-token', 17);
    expect(ids('README.md', p.text)).toEqual(['github-token']);
  });
});

describe('reported: generated values', () => {
  it.each(Array.from({ length: 30 }, (_, i) => [i + 100]))('the planted generic secret of seed %i in a .ts file', (seed) => {
    const p = plant('generic-secret', seed);
    expect(analyserFor('pkg/src/module.ts')(p.text).map((m) => m.secret)).toEqual([p.secret]);
  });

  it.each([
    ['a quoted password in code', 'src/db.js', (s: string) => `const password = "${s}";`, 'generic-secret'],
    ['an .env line', '.env', (s: string) => `API_KEY=${s}`, 'generic-secret'],
    ['a YAML value', 'values.yaml', (s: string) => `  clientSecret: ${s}`, 'generic-secret'],
    ['a password to a real host', 'docker-compose.yml', (s: string) => `DATABASE_URL=postgres://app:${s}@db.internal:5432/app`, 'connection-string-password'],
    ['a generated bearer token', 'deploy.sh', (s: string) => `curl -H "Authorization: Bearer ${s}" https://api.internal/`, 'authorization-header'],
    ['Basic with a generated password', 'deploy.sh', (s: string) => `curl -H "Authorization: Basic ${b64(`ci:${s}`)}" https://api.internal/`, 'authorization-header'],
  ])('%s', (_label, path, line, rule) => {
    expect(ids(path, line(random(7, 24)))).toContain(rule);
  });
});

describe('isWordSequence', () => {
  it.each(['defaultToConfig2', 'X509_EXT_KEY_USAGE', 'SOCKS5_CUSTOM_AUTH_START', 'tv4_validation_id', 'CancelToken$1', 'decodeURIComponentSafe$1', 'HTTP2_HEADER_AUTHORITY', 'this.#language.nodeTypeKey', 'encodeCoseEs256PublicKey'])(
    '%s is a word sequence',
    (v) => {
      expect(isWordSequence(v)).toBe(true);
    },
  );

  it.each(['aB3xK9pQ2mZ7qR8sT1uV4wX', 'k3jd9fhq2ls8x7v', 'AKQ7ZP2LMX9RT4WB', 'a+b/c=d', ''])('%s is not', (v) => {
    expect(isWordSequence(v)).toBe(false);
  });

  it('splits camelCase, acronyms, digits and separators', () => {
    expect(segments('HTTPServer_X509$1')).toEqual(['HTTP', 'Server', 'X', '509', '1']);
  });
});

describe('generated values stay reported', () => {
  it.each([24, 32, 40])('at most 2%% of 1000 random %i-character letters-and-digits values read as written', (n) => {
    const next = rng(n);
    const written = Array.from({ length: 1000 }, () => randomOf(next, ALNUM, n)).filter(looksWritten);
    expect(written.length).toBeLessThanOrEqual(20);
  });

  it.each([
    ['12345', true], ['xabcdey', true], ['abcd1234', true], ['1234', false], ['a1b2c3d4e5', false],
  ])('hasAscendingRun(%s) is %s', (v, expected) => {
    expect(hasAscendingRun(v)).toBe(expected);
  });

  it.each([
    [b64('the sample nonce'), true], [b64('user:changeme'), true], [b64(`ci:${random(8, 20)}`), false], [random(9, 24), false],
  ])('isEncodedSample(%s) is %s', (v, expected) => {
    expect(isEncodedSample(v)).toBe(expected);
  });

  it('a generated value is one the generic rule reports', () => {
    expect(isGeneratedValue(random(10, 24))).toBe(true);
    expect(isGeneratedValue('defaultToConfig2')).toBe(false);
  });
});
