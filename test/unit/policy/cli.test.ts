/** `secrets-broker policy` as a command: the script and JSON outputs, roles united across pods, exit codes. */
import { PassThrough, Readable } from 'node:stream';
import { runPolicy, type PolicyFlags } from '../../../src/cli/policy';
import { runCli } from '../../../src/cli/main';

const ENV = { VAULT_ADDR: 'https://vault.example:8200', SIDECAR_IMAGE: 'registry.example.com/secrets-broker:0.1.0' };

function pod(name: string, namespace: string, sa: string, annotations: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, annotations: { 'secrets-broker.io/inject': 'true', ...annotations } }, spec: { serviceAccountName: sa, containers: [{ name: 'app', image: 'a' }] } };
}

async function policy(docs: unknown[], flags: Partial<PolicyFlags> = {}, env: Record<string, string> = ENV) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = (s: PassThrough): string => (s.read() as Buffer | null)?.toString('utf8') ?? '';
  const input = Readable.from([docs.map((d) => JSON.stringify(d)).join('\n---\n')]);
  const code = await runPolicy(['-'], { format: 'hcl', set: [], mount: [], namespace: 'default', ...flags }, { env, stdout, stderr }, input);
  return { code, out: text(stdout), err: text(stderr) };
}

const shop = pod('web', 'shop', 'web', { 'secrets-broker.io/role': 'shop', 'secrets-broker.io/secret-db': 'secret/data/shop/db' });
const shop2 = pod('worker', 'shop-jobs', 'worker', { 'secrets-broker.io/role': 'shop', 'secrets-broker.io/secret-pg': 'database/creds/shop' });

describe('policy (CLI)', () => {
  it('the vault script: one policy and one auth role per Vault role, the pods of a role united', async () => {
    const r = await policy([shop, shop2, pod('idle', 'shop', 'web', { 'secrets-broker.io/inject': 'false' })]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatchSnapshot();
  });

  it('--format json: API payloads; the jwt method binds each namespace:service-account subject exactly', async () => {
    const r = await policy([shop, shop2], { format: 'json', set: ['VAULT_AUTH_METHOD=jwt', 'VAULT_AUTH_PATH=auth/jwt', 'SIDECAR_TOKEN_AUDIENCE=https://vault.example'] });
    const [role] = JSON.parse(r.out) as { role: string; policy: { path: string; payload: { policy: string } }; authRole: { path: string; payload: Record<string, unknown> } }[];
    expect(role?.policy.path).toBe('sys/policies/acl/secrets-broker-shop');
    expect(role?.policy.payload.policy).toContain('path "database/creds/shop" {\n  capabilities = ["read"]\n}');
    expect(role?.authRole).toEqual({
      path: 'auth/jwt/role/shop',
      payload: {
        role_type: 'jwt',
        user_claim: 'sub',
        bound_audiences: ['https://vault.example'],
        bound_claims: { sub: ['system:serviceaccount:shop:web', 'system:serviceaccount:shop-jobs:worker'] },
        token_policies: ['secrets-broker-shop'],
        token_no_default_policy: true,
      },
    });
  });

  it('exit 1 when a pod would be denied: no policy for it, said on stderr', async () => {
    const r = await policy([shop, pod('bad', 'shop', 'bad', { 'secrets-broker.io/secret-x': 'sys/policy/root' })]);
    expect(r.code).toBe(1);
    expect(r.err).toBe('secrets-broker: -: Pod/bad: the webhook would deny this pod; no policy for it (see secrets-broker explain)\n');
    expect(r.out).not.toContain('role/bad');
  });

  it('exit 2 for a path whose engine is unknown; --mount settles it', async () => {
    const kv = pod('web', 'shop', 'web', { 'secrets-broker.io/secret-db': 'secret/shop/db' });
    const r = await policy([kv]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^secrets-broker: -: Pod\/web: secret\/shop\/db: cannot tell which engine holds it/);
    const declared = await policy([kv], { mount: ['secret=kv1'] });
    expect(declared.code).toBe(0);
    expect(declared.out).toContain('path "secret/shop/db" {');
  });

  it.each([
    [['policy', '--mount', 'secret=kv9', '-'], /--mount must be PATH=/],
    [['policy', '--format', 'yaml', '-'], /argument 'yaml' is invalid/],
  ])('exit 2 on bad usage: %j', async (argv, expected) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    await expect(runCli(argv, { env: ENV, stdout, stderr })).resolves.toBe(2);
    expect((stderr.read() as Buffer).toString()).toMatch(expected);
  });
});
