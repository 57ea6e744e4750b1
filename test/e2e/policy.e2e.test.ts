/**
 * `secrets-broker policy` against the real stack: the policy and kubernetes-auth role it
 * generates for a pod (KV v2, database credentials on PostgreSQL, PKI, the file audit
 * device) are written to the real Vault, with no default policy; a sidecar logged in with
 * a real pod-bound token renders every secret, renews its token and lease and revokes
 * both. Then each rule is taken out in turn and the operation it is named for fails.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runPolicy } from '../../src/cli/policy';
import { explainTemplate } from '../../src/explain/explain';
import { explainConfig } from '../../src/explain/settings';
import { podTemplates } from '../../src/explain/templates';
import { sidecarLaunch } from '../../src/sidecar-env';
import { kubectl, podBoundToken, type RunningProcess, stack, startProcess, uniqueName, vault, waitFor } from './helpers';

jest.setTimeout(120_000); // each test's limit, not a wait: token and lease TTLs run out for real

const ns = uniqueName('policy');
const id = ns.replace(/[^a-z0-9]/g, '');
const role = `policy-${id}`;
const bin = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'bin.js');
const tokenFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'sb-policy-token-')), 'token');
/** Token and lease TTLs short enough that the sidecar renews both within a test. */
const TOKEN_TTL_S = 15;
const LEASE_TTL_S = 15;

interface Generated {
  role: string;
  policy: { name: string; payload: { policy: string }; rules: { path: string; capabilities: string[]; why: string[] }[] };
  authRole: { path: string; payload: Record<string, unknown> };
}

let generated: Generated;
let specEnv: string;
let mount: string;

const launch = () => sidecarLaunch(stack().VAULT_CACERT);

function manifest(): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      namespace: ns,
      annotations: {
        'secrets-broker.io/inject': 'true',
        'secrets-broker.io/role': role,
        'secrets-broker.io/mount-path': mount,
        'secrets-broker.io/rotate-interval': '10s',
        'secrets-broker.io/secret-kv': `secret/data/policy/${id}`,
        'secrets-broker.io/secret-db': `database/creds/${id}`,
        'secrets-broker.io/secret-tls': `pki/issue/web?common_name=${id}.shop.svc&ttl=60s`,
        'secrets-broker.io/format-tls': 'pem',
      },
    },
    spec: { serviceAccountName: 'app', containers: [{ name: 'web', image: 'registry.invalid/web:1' }] },
  });
}

const operatorEnv = () => ({ VAULT_ADDR: stack().VAULT_ADDR, SIDECAR_IMAGE: 'registry.example.com/secrets-broker:0.1.0', SIDECAR_AUDIT_HASH_DEVICE: 'file' });

/** Writes the generated policy (less the rules for `drop`) and role, the role with short TTLs. */
async function writePolicy(drop?: string): Promise<void> {
  const rules = generated.policy.rules.filter((r) => r.path !== drop);
  const hcl = rules.map((r) => `path "${r.path}" { capabilities = [${r.capabilities.map((c) => `"${c}"`).join(', ')}] }`).join('\n');
  expect((await vault('PUT', `sys/policies/acl/${generated.policy.name}`, { policy: drop ? hcl : generated.policy.payload.policy })).status).toBe(204);
}

function startSidecar(): RunningProcess {
  mount = mkdtempSync(path.join(os.tmpdir(), 'sb-policy-'));
  const env = {
    PATH: process.env.PATH ?? '',
    SECRETS_BROKER_SPEC: specEnv.replace(/"mountPath":"[^"]*"/, `"mountPath":${JSON.stringify(mount)}`),
    VAULT_ADDR: stack().VAULT_ADDR,
    VAULT_CACERT: stack().VAULT_CACERT,
    SIDECAR_TOKEN_FILE: tokenFile,
    SIDECAR_HEALTH_PORT: '0',
    SIDECAR_AUDIT_HASH_DEVICE: 'file',
    POD_NAME: 'web',
    POD_NAMESPACE: ns,
    ...launch().env,
  };
  return startProcess(process.execPath, [...launch().nodeFlags, bin, 'sidecar'], { env });
}

type Record_ = { event: string; outcome: string; secret?: string; vault?: { path?: string; leaseIdHmac?: string } };
const audit = (p: RunningProcess): Record_[] => p.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record_);
const until = (p: RunningProcess, what: string, cond: (a: Record_[]) => boolean, timeoutMs: number) =>
  waitFor(what, () => cond(audit(p)), { timeoutMs, intervalMs: 250, detail: () => p.stderr().slice(-2000) });
const has = (event: string, outcome: string, extra: (r: Record_) => boolean = () => true) => (a: Record_[]) => a.some((r) => r.event === event && r.outcome === outcome && extra(r));

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} missing: run npm run build first`);
  mount = mkdtempSync(path.join(os.tmpdir(), 'sb-policy-'));
  writeFileSync(tokenFile, await podBoundToken(ns, 'web'));
  const dbRole = (await vault('GET', 'database/roles/app')).body.data;
  await vault('POST', `database/roles/${id}`, { ...dbRole, db_name: 'app', default_ttl: `${LEASE_TTL_S}s`, max_ttl: '300s' });
  await vault('POST', `secret/data/policy/${id}`, { data: { password: 'first' } });
  const out = new PassThrough();
  const err = new PassThrough();
  const code = await runPolicy(['-'], { format: 'json', set: [], mount: [], namespace: 'default' }, { env: operatorEnv(), stdout: out, stderr: err }, Readable.from([manifest()]));
  expect({ code, err: (err.read() as Buffer | null)?.toString() ?? '' }).toEqual({ code: 0, err: '' });
  const roles = JSON.parse((out.read() as Buffer).toString()) as Generated[];
  expect(roles).toHaveLength(1);
  generated = roles[0]!;
  const [t] = podTemplates(manifest(), '-').templates;
  const e = explainTemplate(t!, explainConfig(operatorEnv(), {}));
  if (e.outcome !== 'inject') throw new Error('the pod is not injected');
  specEnv = e.mutated.spec.initContainers?.[0]?.env?.find((v) => v.name === 'SECRETS_BROKER_SPEC')?.value ?? '';
  await writePolicy();
  const status = (await vault('POST', generated.authRole.path, { ...generated.authRole.payload, token_ttl: `${TOKEN_TTL_S}s`, token_max_ttl: '300s' })).status;
  expect(status).toBe(204);
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
});

describe('policy on the real stack', () => {
  it('generates exactly the calls of the sidecar: one rule per path, with the role bound to the pod', () => {
    expect(generated.authRole).toEqual({
      path: `auth/kubernetes/role/${role}`,
      payload: { bound_service_account_names: ['app'], bound_service_account_namespaces: [ns], audience: 'vault', token_policies: [`secrets-broker-${role}`], token_no_default_policy: true },
    });
    expect(generated.policy.rules.map((r) => `${r.path} ${r.capabilities.join(',')}`)).toEqual([
      'auth/token/lookup-self read',
      'auth/token/renew-self update',
      'auth/token/revoke-self update',
      `database/creds/${id} read`,
      'pki/issue/web update',
      `secret/data/policy/${id} read`,
      `secret/metadata/policy/${id} read`,
      'sys/audit-hash/file update',
      'sys/leases/renew update',
      'sys/leases/revoke update',
    ]);
  });

  it('with exactly that policy, a sidecar renders every secret, renews token and lease, and revokes both', async () => {
    await writePolicy();
    const p = startSidecar();
    try {
      await until(p, 'every secret read', (a) => ['kv', 'db', 'tls'].every((s) => has('secret.read', 'success', (r) => r.secret === s)(a)), 30_000);
      await until(p, 'token and lease renewed', (a) => has('auth.renew', 'success')(a) && has('secret.renew', 'success', (r) => r.secret === 'db')(a), TOKEN_TTL_S * 1000 + 10_000);
      expect(audit(p).find((r) => r.event === 'secret.read' && r.secret === 'db')?.vault?.leaseIdHmac).toMatch(/^hmac-sha256:/);
      await p.stop('SIGTERM', 20_000);
      const a = audit(p);
      expect(a.filter((r) => r.event === 'auth.revoke').map((r) => `${r.outcome} ${r.secret ?? r.vault?.path}`).sort()).toEqual(['success auth/token/revoke-self', 'success db']);
      expect(a.filter((r) => r.outcome !== 'success')).toEqual([]);
      // The KV v2 metadata poll saw the version unchanged: kv was read once.
      expect(a.filter((r) => r.event === 'secret.read' && r.secret === 'kv')).toHaveLength(1);
    } finally {
      await p.stop('SIGKILL');
    }
  });

  const leaseRead = (r: Record_) => r.secret === 'db';
  it.each([
    ['secret/data/policy/ID', 'reading kv', has('secret.read', 'failure', (r) => r.secret === 'kv'), false],
    // Without the metadata read the sidecar falls back to reading the data every interval.
    ['secret/metadata/policy/ID', 'the cheap poll of kv', (a: Record_[]) => a.filter((r) => r.event === 'secret.read' && r.secret === 'kv').length >= 2, false],
    ['database/creds/ID', 'reading db', has('secret.read', 'failure', leaseRead), false],
    ['pki/issue/web', 'issuing tls', has('secret.read', 'failure', (r) => r.secret === 'tls'), false],
    ['auth/token/renew-self', 'renewing the token', has('auth.renew', 'failure'), false],
    ['sys/leases/renew', 'renewing the db lease', has('secret.renew', 'failure', leaseRead), false],
    ['auth/token/revoke-self', 'revoking the token', has('auth.revoke', 'failure', (r) => r.vault?.path === 'auth/token/revoke-self'), true],
    ['sys/leases/revoke', 'revoking the db lease', has('auth.revoke', 'failure', leaseRead), true],
    ['sys/audit-hash/file', 'the HMAC of the lease id', (a: Record_[]) => a.some((r) => r.event === 'secret.read' && r.secret === 'db' && r.vault?.leaseIdHmac === undefined), false],
  ])('without %s, %s fails', async (rule, _operation, failed, atShutdown) => {
    await writePolicy(rule.replace('ID', id));
    const p = startSidecar();
    try {
      if (atShutdown) {
        await until(p, 'every secret read', (a) => ['kv', 'db', 'tls'].every((s) => has('secret.read', 'success', (r) => r.secret === s)(a)), 30_000);
        await p.stop('SIGTERM', 20_000);
      }
      await until(p, 'the named failure', failed, TOKEN_TTL_S * 1000 + 15_000);
    } finally {
      await p.stop('SIGKILL');
    }
  });
});
