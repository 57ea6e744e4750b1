/** The Vault calls of a sidecar as policy rules: one row per engine, lifecycle and setting. */
import { mountFor, parseMounts } from '../../../src/policy/mounts';
import { merge, rulesFor } from '../../../src/policy/rules';
import { type PodSecretsSpec, type SecretSpec } from '../../../src/spec';

function spec(paths: string[], lifecycle: PodSecretsSpec['lifecycle'] = 'sidecar'): PodSecretsSpec {
  const secrets: SecretSpec[] = paths.map((path, i) => ({ name: `s${i}`, path, file: `s${i}`, format: 'json', mode: 0o440 }));
  return { version: 1, role: 'web', mountPath: '/secrets', lifecycle, rotateIntervalSeconds: 300, notify: { kind: 'none' }, secrets};
}

const facts = { revokeOnShutdown: true, auditHashDevice: '' };
const lines = (paths: string[], lifecycle?: PodSecretsSpec['lifecycle'], f = facts, mounts: string[] = []) =>
  rulesFor(spec(paths, lifecycle), f, parseMounts(mounts).mounts).rules.map((r) => `${r.path} ${r.capabilities.join(',')}`);

const TOKEN = ['auth/token/lookup-self read', 'auth/token/renew-self update', 'auth/token/revoke-self update'];
const LEASES = ['sys/leases/renew update', 'sys/leases/revoke update'];

describe('rulesFor', () => {
  it.each([
    ['KV v2 with data/: read and the metadata poll, no lease rules', ['secret/data/app/db'], [], [...TOKEN, 'secret/data/app/db read', 'secret/metadata/app/db read']],
    ['KV v2 without data/, declared', ['secret/app/db'], ['secret=kv2'], [...TOKEN, 'secret/data/app/db read', 'secret/metadata/app/db read']],
    ['KV v1, declared', ['kv/app/db'], ['kv=kv1'], [...TOKEN, 'kv/app/db read']],
    ['a multi-segment mount, longest declared prefix wins', ['team/kv/app'], ['team=kv1', 'team/kv=kv2'], [...TOKEN, 'team/kv/data/app read', 'team/kv/metadata/app read']],
    ['database credentials: read, lease renew and revoke', ['database/creds/app'], [], [...TOKEN, 'database/creds/app read', ...LEASES]],
    ['PKI issue with parameters: update', ['pki/issue/web?common_name=a.svc'], [], [...TOKEN, 'pki/issue/web update', ...LEASES]],
  ])('%s', (_name, paths, mounts, expected) => {
    expect(lines(paths, 'sidecar', facts, mounts)).toEqual([...expected].sort());
  });

  it('init-only reads once: no poll, no renewal, no revocation', () => {
    expect(lines(['secret/data/app/db', 'database/creds/app'], 'init-only')).toEqual(['auth/token/lookup-self read', 'database/creds/app read', 'secret/data/app/db read']);
  });

  it('SIDECAR_REVOKE_ON_SHUTDOWN=false: no revoke rules', () => {
    expect(lines(['database/creds/app'], 'sidecar', { ...facts, revokeOnShutdown: false })).toEqual(['auth/token/lookup-self read', 'auth/token/renew-self update', 'database/creds/app read', 'sys/leases/renew update']);
  });

  it.each([
    [['database/creds/app'], true],
    [['secret/data/app/db'], false],
  ])('SIDECAR_AUDIT_HASH_DEVICE: the HMAC rule only when there are leases to hash (%j)', (paths, expected) => {
    expect(lines(paths, 'sidecar', { ...facts, auditHashDevice: 'file' }).includes('sys/audit-hash/file update')).toBe(expected);
  });

  it('an engine policy cannot tell is a problem naming the path, and no rule for it', () => {
    const r = rulesFor(spec(['secret/app/db']), facts, []);
    expect(r.problems).toEqual(['secret/app/db: cannot tell which engine holds it; declare its mount with --mount PATH=kv1|kv2|pki|database|other']);
    expect(r.rules.map((x) => x.path)).toEqual(['auth/token/lookup-self', 'auth/token/renew-self', 'auth/token/revoke-self']);
  });

  it('merge unites capabilities and reasons per path', () => {
    expect(merge([{ path: 'a', capabilities: ['update'], why: ['x'] }, { path: 'a', capabilities: ['read'], why: ['y'] }, { path: 'a', capabilities: ['read'], why: ['x'] }])).toEqual([{ path: 'a', capabilities: ['read', 'update'], why: ['x', 'y'] }]);
  });
});

describe('mounts', () => {
  it.each(['secret', 'secret=kv3', '=kv2', '../x=kv1', 'a//b=kv2'])('a bad --mount %j is a problem', (v) => {
    expect(parseMounts([v]).problems).toHaveLength(1);
  });

  it.each([
    ['secret/data/a', { path: 'secret/', type: 'kv', kvVersion: 2 }],
    ['pki/issue/web', { path: 'pki/', type: 'pki', kvVersion: 0 }],
    ['db/creds/app', { path: 'db/', type: 'database', kvVersion: 0 }],
    ['secret/a', undefined],
    ['aws/sts/role', undefined],
  ])('%s without a declaration: %j', (base, expected) => {
    expect(mountFor(base, [])).toEqual(expected);
  });
});
