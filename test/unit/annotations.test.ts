import { ANNOTATIONS, parseSpec, PREFIX, type PodDefaults } from '../../src/annotations';
import type { ResourcePolicy } from '../../src/pod-resources';
import { decodeSpec, encodeSpec } from '../../src/spec';

const pod: PodDefaults = { serviceAccountName: 'web', containerNames: ['app', 'worker'], initContainerNames: ['migrate'] };
const base = { [ANNOTATIONS.inject]: 'true', [`${PREFIX}secret-db`]: 'secret/data/app/db' };
const policy: ResourcePolicy = { defaults: { requests: { cpu: '25m', memory: '48Mi' }, limits: { memory: '128Mi' } }, max: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } } };
const a = (extra: Record<string, string>): Record<string, string> => ({ ...base, ...extra });

function errorsOf(annotations: Record<string, string>): string[] {
  const r = parseSpec(annotations, pod, policy);
  return r.ok ? [] : r.errors;
}

describe('parseSpec: valid annotations', () => {
  it('applies every default', () => {
    const r = parseSpec(base, pod, policy);
    expect(r).toEqual({
      ok: true,
      containers: ['app', 'worker'],
      resources: {},
      spec: {
        version: 1,
        role: 'web',
        mountPath: '/secrets',
        lifecycle: 'sidecar',
        rotateIntervalSeconds: 300,
        notify: { kind: 'none' },
        secrets: [{ name: 'db', path: 'secret/data/app/db', file: 'db', format: 'json', mode: 0o440 }],
      },
    });
  });

  it('maps every annotation of the contract', () => {
    const r = parseSpec(
      a({
        [ANNOTATIONS.role]: 'shop-web',
        [ANNOTATIONS.containers]: 'app, migrate',
        [ANNOTATIONS.mountPath]: '/run/creds',
        [ANNOTATIONS.lifecycle]: 'init-only',
        [ANNOTATIONS.rotateInterval]: '1h30m',
        [ANNOTATIONS.notify]: 'signal:SIGHUP',
        [ANNOTATIONS.status]: 'anything the user wrote',
        [`${PREFIX}file-db`]: 'conf/db.env',
        [`${PREFIX}format-db`]: 'env',
        [`${PREFIX}mode-db`]: '0400',
        [`${PREFIX}secret-cert`]: 'pki/issue/web?common_name=web.shop.svc&ttl=24h',
        [`${PREFIX}format-cert`]: 'pem',
        [`${PREFIX}secret-api`]: 'secret/app/api',
        [`${PREFIX}key-api`]: 'token',
        [`${PREFIX}secret-cfg`]: 'secret/data/app/cfg',
        [`${PREFIX}template-cfg`]: 'url={{ .host }}:{{ .port }} ${HOME} $(id) `x` "q" \'s\' \n{}',
      }),
      pod,
      policy,
    );
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.containers).toEqual(['app', 'migrate']);
    expect(r.spec).toMatchObject({ role: 'shop-web', mountPath: '/run/creds', lifecycle: 'init-only', rotateIntervalSeconds: 5400, notify: { kind: 'signal', signal: 'SIGHUP' } });
    expect(r.spec.secrets.map((s) => s.name)).toEqual(['api', 'cert', 'cfg', 'db']);
    expect(r.spec.secrets[3]).toEqual({ name: 'db', path: 'secret/data/app/db', file: 'conf/db.env', format: 'env', mode: 0o400 });
    // T11: quotes, braces, newlines, {{ and ${ are data, carried through the spec unchanged.
    expect(decodeSpec(encodeSpec(r.spec)).secrets[2]?.template).toContain('${HOME} $(id)');
  });

  it.each(['false', undefined])('does not require inject=true to parse (inject=%s is the caller\'s decision)', (inject) => {
    const ann: Record<string, string> = { [`${PREFIX}secret-db`]: 'secret/x' };
    if (inject) ann[ANNOTATIONS.inject] = inject;
    expect(parseSpec(ann, pod, policy).ok).toBe(true);
  });
});

describe('parseSpec: every bad annotation named at once', () => {
  it.each([
    // T10: operator-only settings and unknown keys
    ['vault address', { [`${PREFIX}vault-addr`]: 'https://evil.example:8200' }, `${PREFIX}vault-addr: is an operator setting; a pod cannot set it`],
    ['image', { [`${PREFIX}image`]: 'evil/sidecar' }, `${PREFIX}image: is an operator setting`],
    ['security context', { [`${PREFIX}security-context`]: '{"privileged":true}' }, `${PREFIX}security-context: is an operator setting`],
    ['unknown key', { [`${PREFIX}agent-inject-secret-x`]: 'x' }, `${PREFIX}agent-inject-secret-x: unknown annotation`],
    ['a key with an escape sequence and a bidi override, shown escaped', { [`${PREFIX}x\u001b[2J\u202e`]: 'x' }, `${PREFIX}x\\x1b[2J\\u202e: unknown annotation`],
    ['a key longer than a message shows', { [`${PREFIX}${'k'.repeat(300)}`]: 'x' }, `${PREFIX}${'k'.repeat(117 - PREFIX.length)}...: unknown annotation`],
    ['bad inject value', { [ANNOTATIONS.inject]: 'yes' }, `${ANNOTATIONS.inject}: must be "true" or "false"`],
    // T12: file names
    ['traversal', { [`${PREFIX}file-db`]: '../x' }, `${PREFIX}file-db: must not contain "." or ".." components`],
    ['absolute', { [`${PREFIX}file-db`]: '/etc/x' }, `${PREFIX}file-db: must be relative to the mount path`],
    ['..data', { [`${PREFIX}file-db`]: '..data' }, `${PREFIX}file-db: components must not start with ".."`],
    ['empty', { [`${PREFIX}file-db`]: '' }, `${PREFIX}file-db: must not be empty`],
    ['NUL', { [`${PREFIX}file-db`]: 'a\u0000b' }, `${PREFIX}file-db: must not contain NUL or control characters`],
    ['control', { [`${PREFIX}file-db`]: 'a\nb' }, `${PREFIX}file-db: must not contain NUL or control characters`],
    ['long component', { [`${PREFIX}file-db`]: 'x'.repeat(256) }, `${PREFIX}file-db: a path component is longer than 255 bytes`],
    ['long path', { [`${PREFIX}file-db`]: 'abcdefgh/'.repeat(460) + 'x' }, `${PREFIX}file-db: path is longer than 4096 characters`],
    // T13: modes, durations, formats
    ['mode 0777', { [`${PREFIX}mode-db`]: '0777' }, `${PREFIX}mode-db: must not be world-accessible`],
    ['mode 999', { [`${PREFIX}mode-db`]: '999' }, `${PREFIX}mode-db: must be an octal file mode such as 0440`],
    ['mode 0444', { [`${PREFIX}mode-db`]: '0444' }, `${PREFIX}mode-db: must not be world-accessible`],
    ['mode 0550', { [`${PREFIX}mode-db`]: '0550' }, `${PREFIX}mode-db: must not be executable`],
    ['duration', { [ANNOTATIONS.rotateInterval]: '5 minutes' }, `${ANNOTATIONS.rotateInterval}: must be a duration such as 30s, 5m or 1h`],
    ['too short', { [ANNOTATIONS.rotateInterval]: '5s' }, `${ANNOTATIONS.rotateInterval}: must be at least 10s`],
    ['format', { [`${PREFIX}format-db`]: 'xml' }, `${PREFIX}format-db: must be one of json, yaml, env, properties, raw, pem`],
    ['lifecycle', { [ANNOTATIONS.lifecycle]: 'forever' }, `${ANNOTATIONS.lifecycle}: must be one of sidecar, init-only`],
    ['notify', { [ANNOTATIONS.notify]: 'signal:SIGKILL' }, `${ANNOTATIONS.notify}: signal must be one of`],
    ['notify elsewhere', { [ANNOTATIONS.notify]: 'http://10.0.0.1:80/hook' }, `${ANNOTATIONS.notify}: must be none`],
    ['mount path', { [ANNOTATIONS.mountPath]: '/etc' }, `${ANNOTATIONS.mountPath}: must not be a system directory`],
    ['relative mount', { [ANNOTATIONS.mountPath]: 'secrets' }, `${ANNOTATIONS.mountPath}: must be an absolute path`],
    ['role', { [ANNOTATIONS.role]: 'a role; rm -rf /' }, `${ANNOTATIONS.role}: must be a Vault role name`],
    ['vault path', { [`${PREFIX}secret-db`]: 'sys/seal' }, `${PREFIX}secret-db: must name a secrets engine path`],
    ['vault path traversal', { [`${PREFIX}secret-db`]: 'secret/../sys/seal' }, `${PREFIX}secret-db: must not contain`],
    ['query injection', { [`${PREFIX}secret-db`]: 'pki/issue/web?common_name=$(id)' }, `${PREFIX}secret-db: query parameters must be simple`],
    ['unknown container', { [ANNOTATIONS.containers]: 'app,nope' }, `${ANNOTATIONS.containers}: no container named "nope" in the pod`],
    ['empty containers', { [ANNOTATIONS.containers]: ' , ' }, `${ANNOTATIONS.containers}: must name at least one container`],
    ['bad name', { [`${PREFIX}secret-DB`]: 'secret/x' }, `${PREFIX}secret-DB: <name> must be a lowercase DNS label`],
    ['orphan file', { [`${PREFIX}file-other`]: 'x' }, `${PREFIX}file-other: no ${PREFIX}secret-other annotation`],
    ['same file', { [`${PREFIX}secret-b`]: 'secret/b', [`${PREFIX}file-b`]: 'db' }, `${PREFIX}file-db: writes the same file as secret "b"`],
    ['key and template', { [`${PREFIX}key-db`]: 'k', [`${PREFIX}template-db`]: 't' }, `${PREFIX}key-db: cannot be combined with`],
    // hardening: mount paths that hide the sidecar's own files, /run spelled for /var/run
    ['mount over the program', { [ANNOTATIONS.mountPath]: '/app' }, `${ANNOTATIONS.mountPath}: must not hide the sidecar's program or token directory`],
    ['mount inside the program', { [ANNOTATIONS.mountPath]: '/app/dist' }, `${ANNOTATIONS.mountPath}: must not hide the sidecar's program`],
    ['mount at /run/secrets/...', { [ANNOTATIONS.mountPath]: '/run/secrets/db' }, `${ANNOTATIONS.mountPath}: must not be a system directory`],
    ['mount at the token dir via /run', { [ANNOTATIONS.mountPath]: '/run/secrets/secrets-broker' }, `${ANNOTATIONS.mountPath}: must not hide the sidecar's program or token directory`],
    // hardening: Vault paths that write or reach Vault's own API
    ['query on a KV path', { [`${PREFIX}secret-db`]: 'secret/data/app/db?version=1' }, `${PREFIX}secret-db: a query string is allowed only on a PKI issue or sign path`],
    ['bare sys', { [`${PREFIX}secret-db`]: 'sys' }, `${PREFIX}secret-db: must name a secrets engine path`],
    ['bare auth', { [`${PREFIX}secret-db`]: 'auth' }, `${PREFIX}secret-db: must name a secrets engine path`],
    ['bare identity', { [`${PREFIX}secret-db`]: 'identity' }, `${PREFIX}secret-db: must name a secrets engine path`],
    ['namespaced sys', { [`${PREFIX}secret-db`]: 'team/sys/policy/admin' }, `${PREFIX}secret-db: must name a secrets engine path`],
    ['namespaced token lookup', { [`${PREFIX}secret-db`]: 'team/auth/token/lookup-self' }, `${PREFIX}secret-db: must name a secrets engine path`],
    // hardening: file names that read as another
    ['bidi override', { [`${PREFIX}file-db`]: 'db\u202Etxt' }, `${PREFIX}file-db: must not contain bidirectional, zero-width`],
    ['zero-width space', { [`${PREFIX}file-db`]: 'd\u200Bb' }, `${PREFIX}file-db: must not contain bidirectional, zero-width`],
    ['lone surrogate', { [`${PREFIX}file-db`]: 'db\uD800' }, `${PREFIX}file-db: must be valid Unicode`],
    ['two lone surrogates, same bytes', { [`${PREFIX}file-db`]: 'x\uD800', [`${PREFIX}secret-b`]: 'secret/b', [`${PREFIX}file-b`]: 'x\uD801' }, `${PREFIX}file-db: writes the same file as secret "b"`],
    ['huge template', { [`${PREFIX}template-db`]: 'x'.repeat(70000) }, `${PREFIX}template-db: must be at most 64 KiB`],
  ])('%s', (_label, extra, expected) => {
    const errors = errorsOf(a(extra));
    expect(errors.join('\n')).toContain(expected);
  });

  it('requires at least one secret', () => {
    expect(errorsOf({ [ANNOTATIONS.inject]: 'true' })).toEqual([`${PREFIX}secret-<name>: at least one secret is required`]);
  });

  it('reports every problem in one list and never echoes a value', () => {
    const errors = errorsOf(
      a({
        [`${PREFIX}vault-addr`]: 'https://s3cr3t.example',
        [`${PREFIX}mode-db`]: '0777',
        [`${PREFIX}file-db`]: '../s3cr3t',
        [ANNOTATIONS.rotateInterval]: 's3cr3t',
        [ANNOTATIONS.containers]: 'S3CR3T;x',
      }),
    );
    const named = new Set(errors.map((e) => e.split(': ')[0]));
    expect([...named].sort()).toEqual([ANNOTATIONS.containers, `${PREFIX}file-db`, `${PREFIX}mode-db`, ANNOTATIONS.rotateInterval, `${PREFIX}vault-addr`].sort());
    expect(errors.join('\n')).not.toMatch(/s3cr3t/i);
  });
});
