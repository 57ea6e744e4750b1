/** The spec's own validators, as the sidecar runs them on the decoded spec (the injector's second opinion). */
import { checkFile, checkMountPath, checkVaultPath, decodeSpec, encodeSpec, isTokenPath, SpecError, type PodSecretsSpec } from '../../src/spec';

const good = (): PodSecretsSpec => ({
  version: 1, role: 'web', mountPath: '/secrets', lifecycle: 'sidecar', rotateIntervalSeconds: 300, notify: { kind: 'none' },
  secrets: [{ name: 'db', path: 'secret/data/app/db', file: 'db', format: 'json', mode: 0o440 }],
});

function problemsOf(spec: unknown): string[] {
  try {
    decodeSpec(JSON.stringify(spec));
    return [];
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    return [...err.problems];
  }
}

describe('decodeSpec is strict on every field type', () => {
  const withNotify = (notify: unknown) => ({ ...good(), notify });
  const withSecret = (over: Record<string, unknown>) => ({ ...good(), secrets: [{ ...good().secrets[0], ...over }] });

  it.each<[string, unknown, string]>([
    ['an array as the http port', withNotify({ kind: 'http', port: [8080], path: '/reload' }), 'notify: port: must be an integer'],
    ['a string as the http port', withNotify({ kind: 'http', port: '8080', path: '/reload' }), 'notify: port: must be an integer'],
    ['an array as the http path', withNotify({ kind: 'http', port: 8080, path: ['/reload'] }), 'notify: path: must be a string'],
    ['an http path without its slash', withNotify({ kind: 'http', port: 8080, path: 'reload' }), 'notify: path: must start with /'],
    ['an array as the signal', withNotify({ kind: 'signal', signal: ['SIGHUP'] }), 'notify: must be a string'],
    ['an extra notify field', withNotify({ kind: 'none', signal: 'SIGHUP' }), 'notify: unknown field "signal"'],
    ['an array as notify', { ...good(), notify: [] }, 'notify: must be an object'],
    ['an array as the role', { ...good(), role: ['web'] }, 'role: must be a string'],
    ['an array as the mount path', { ...good(), mountPath: ['/secrets'] }, 'mountPath: must be a string'],
    ['an array as the lifecycle', { ...good(), lifecycle: ['sidecar'] }, 'lifecycle: must be a string'],
    ['a string as the interval', { ...good(), rotateIntervalSeconds: '300' }, 'rotateIntervalSeconds: must be an integer'],
    ['a string as the version', { ...good(), version: '1' }, 'version: must be 1'],
    ['an unknown top-level field', { ...good(), vaultAddr: 'https://elsewhere' }, 'spec: unknown field "vaultAddr"'],
    ['an array as a secret', { ...good(), secrets: [['db']] }, 'secrets[0].must be an object'],
    ['an array as a secret path', withSecret({ path: ['secret/x'] }), 'secrets[0].path: must be a string'],
    ['a string as the mode', withSecret({ mode: '0440' }), 'secrets[0].mode: must be an integer'],
    ['a fractional mode', withSecret({ mode: 288.5 }), 'secrets[0].mode: must be an integer'],
    ['an array as the key', withSecret({ key: ['k'] }), 'secrets[0].key: must be a string'],
    ['an extra secret field', withSecret({ owner: 0 }), 'secrets[0].unknown field "owner"'],
    ['an array as the spec', [good()], 'spec must be an object'],
  ])('refuses %s', (_label, spec, expected) => {
    expect(problemsOf(spec)).toContain(expected);
  });

  it('accepts what the injector encodes, every notify kind', () => {
    for (const notify of [{ kind: 'none' }, { kind: 'signal', signal: 'SIGHUP' }, { kind: 'http', port: 8080, path: '/-/reload' }] as const) {
      const spec = { ...good(), notify };
      expect(decodeSpec(encodeSpec(spec))).toEqual(spec);
    }
  });

  it('two lone surrogates that encode to the same bytes are refused, and the same bytes count as the same file', () => {
    const a = { ...good().secrets[0]!, name: 'a', file: 'x\ud800' };
    const b = { ...good().secrets[0]!, name: 'b', file: 'x\ud801' };
    expect(Buffer.from(a.file)).toEqual(Buffer.from(b.file));
    expect(problemsOf({ ...good(), secrets: [a, b] })).toEqual(expect.arrayContaining([
      'secrets[0].file: must be valid Unicode (no lone surrogates)',
      'secrets[1].file: two secrets write the same file',
    ]));
  });
});

describe('checkFile: names that read as another', () => {
  it.each([
    ['right-to-left override', 'invoice\u202Etxt.exe', 'invisible'],
    ['left-to-right isolate', 'a\u2066b', 'invisible'],
    ['zero-width space', 'db\u200B', 'invisible'],
    ['zero-width joiner', 'd\u200Db', 'invisible'],
    ['byte-order mark', '\uFEFFdb', 'invisible'],
    ['C1 control', 'a\u0085b', 'control'],
    ['line separator', 'a\u2028b', 'control'],
    ['lone high surrogate', 'a\uD800', 'lone surrogates'],
    ['lone low surrogate', '\uDC00a', 'lone surrogates'],
  ])('%s is refused', (_label, file, word) => {
    expect(checkFile(file).join('; ')).toContain(word);
  });

  it.each(['db', 'conf/db.env', 'clé.json', 'emoji-\u{1F511}'])('%s is accepted', (file) => {
    expect(checkFile(file)).toEqual([]);
  });
});

describe('checkMountPath: nothing of the sidecar own filesystem may be hidden', () => {
  it.each([
    ['/', 'hide'], ['/app', 'hide'], ['/app/dist', 'hide'], ['/var', 'hide'], ['/var/run', 'hide'], ['/run', 'hide'],
    ['/var/run/secrets/secrets-broker', 'hide'], ['/run/secrets/secrets-broker/x', 'hide'],
    ['/proc', 'system'], ['/sys/x', 'system'], ['/dev', 'system'], ['/etc', 'system'], ['/usr/local', 'system'],
    ['/bin', 'system'], ['/sbin', 'system'], ['/lib', 'system'], ['/lib64', 'system'], ['/boot', 'system'],
    ['/var/run/secrets', 'hide'], ['/run/secrets', 'hide'], ['/run/secrets/kubernetes.io', 'system'], ['/var/run/secrets/x', 'system'],
  ])('%s is refused', (path, word) => {
    expect(checkMountPath(path).join('; ')).toContain(word);
  });

  it.each(['/secrets', '/run/creds', '/var/secrets', '/application', '/opt/app/secrets', '/srv/app/config'])('%s is accepted', (path) => {
    expect(checkMountPath(path)).toEqual([]);
  });

  it.each([
    ['/var/run/secrets/secrets-broker', true], ['/run/secrets/secrets-broker', true], ['/run/secrets/secrets-broker/token', true],
    ['/var/run/secrets/secrets-broker-ca', false], ['/var/run/secrets', false],
  ])('isTokenPath(%s) is %s', (path, expected) => {
    expect(isTokenPath(path)).toBe(expected);
  });
});

describe('checkVaultPath', () => {
  it.each([
    ['sys', 'no sys, auth or identity'],
    ['auth', 'no sys, auth or identity'],
    ['identity', 'no sys, auth or identity'],
    ['sys/seal-status', 'no sys, auth or identity'],
    ['team/sys/policy/admin', 'no sys, auth or identity'],
    ['team/eu/auth/token/lookup-self', 'no sys, auth or identity'],
    ['team/identity/entity/id/x', 'no sys, auth or identity'],
    ['team/SYS/policy', 'no sys, auth or identity'],
    ['secret/data/app?version=1', 'only on a PKI issue or sign path'],
    ['database/creds/app?ttl=1h', 'only on a PKI issue or sign path'],
    ['issue/web?common_name=x', 'only on a PKI issue or sign path'],
    ['pki/issue/web?common_name=$(id)', 'simple key=value'],
  ])('%s is refused', (path, expected) => {
    expect(checkVaultPath(path).join('; ')).toContain(expected);
  });

  it.each([
    'secret/data/app/db', 'database/creds/app', 'pki/issue/web?common_name=web.shop.svc&ttl=24h', 'team/pki_int/sign/web?common_name=a.b',
    'secret/data/system/db', 'kv/authority', 'pki/issue/web',
  ])('%s is accepted', (path) => {
    expect(checkVaultPath(path)).toEqual([]);
  });
});
