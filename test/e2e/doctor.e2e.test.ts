/**
 * `secrets-broker doctor` against the real stack, with configurations broken for real:
 * the wrong CA, nothing listening, an auth path with nothing mounted, a role that does not
 * exist, a service account, namespace or audience the role does not bind, a policy
 * without the KV v2 metadata read. Each says what to fix; no token or JWT is printed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main';
import { makeCert } from '../helpers/tls';
import { freePort, kubectl, stack, uniqueName, vault } from './helpers';

jest.setTimeout(60_000); // each test's limit, not a wait

const ns = uniqueName('doctor');
const id = ns.replace(/[^a-z0-9]/g, '');
const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-doctor-e2e-'));
const secret = `secret/data/doctor/${id}`;
const tokens: Record<string, string> = {};

async function token(name: string, audience: string): Promise<string> {
  const file = path.join(dir, `${name}.token`);
  tokens[name] = (await kubectl(['-n', ns, 'create', 'token', 'app', '--duration', '1h', '--audience', audience])).trim();
  writeFileSync(file, tokens[name]);
  return file;
}

async function doctor(args: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const s = stack();
  const code = await runCli(['doctor', '--timeout', '5', ...args], { env: { VAULT_ADDR: s.VAULT_ADDR, VAULT_CACERT: s.VAULT_CACERT, ...env }, stdout, stderr });
  const out = (stdout.read() as Buffer | null)?.toString('utf8') ?? '';
  for (const t of Object.values(tokens)) expect(out).not.toContain(t);
  return { code, out, err: (stderr.read() as Buffer | null)?.toString('utf8') ?? '' };
}

let vaultToken: string;
let otherAudience: string;

beforeAll(async () => {
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['-n', ns, 'create', 'serviceaccount', 'app']);
  vaultToken = await token('vault', 'vault');
  otherAudience = await token('other', 'not-vault');
  await vault('POST', secret, { data: { password: 'p' } });
  const policy = (metadata: boolean) => `path "${secret}" { capabilities = ["read"] }\n${metadata ? `path "secret/metadata/doctor/${id}" { capabilities = ["read"] }` : ''}`;
  await vault('PUT', `sys/policies/acl/doctor-${id}`, { policy: policy(true) });
  await vault('PUT', `sys/policies/acl/doctor-nometa-${id}`, { policy: policy(false) });
  const role = (name: string, extra: Record<string, unknown>) =>
    vault('POST', `auth/kubernetes/role/${name}`, { bound_service_account_names: 'app', bound_service_account_namespaces: ns, audience: 'vault', token_policies: `doctor-${id}`, token_ttl: '60s', ...extra });
  await role(`doctor-${id}`, {});
  await role(`doctor-nometa-${id}`, { token_policies: `doctor-nometa-${id}` });
  await role(`doctor-othersa-${id}`, { bound_service_account_names: 'someone-else' });
  await role(`doctor-otherns-${id}`, { bound_service_account_namespaces: 'elsewhere' });
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
});

describe('doctor on the real stack', () => {
  it('a working setup: every check ok, exit 0', async () => {
    const r = await doctor(['--token-file', vaultToken, '--role', `doctor-${id}`, '--secret', secret]);
    expect(r.out).not.toMatch(/^FAIL/m);
    expect(r.out).toMatch(/^OK {3}login: logged in to auth\/kubernetes as role doctor-/m);
    expect(r.out).toMatch(/^OK {3}mount secret\/data\/doctor\/\S+: secret\/ is KV v2$/m);
    expect(r.out).toMatch(/^OK {3}capability secret\/metadata\/doctor\/\S+: read/m);
    expect(r.code).toBe(0);
  });

  it.each([
    ['a role that does not exist', () => ['--role', `nope-${id}`], {}, /^FAIL login: no role nope-\S+ on auth\/kubernetes: create it/m],
    ['a service account the role does not bind', () => ['--role', `doctor-othersa-${id}`], {}, /^FAIL login: role \S+ does not bind this service account/m],
    ['a namespace the role does not bind', () => ['--role', `doctor-otherns-${id}`], {}, /^FAIL login: role \S+ does not bind this namespace/m],
    ['a token of another audience', () => ['--role', `doctor-${id}`, '--token-file', otherAudience], {}, /^FAIL login: the token's audience is not role \S+'s/m],
    ['an auth path with nothing mounted', () => ['--role', `doctor-${id}`], { VAULT_AUTH_PATH: 'auth/nothing-here' }, /^FAIL auth mount: nothing answers logins at auth\/nothing-here/m],
    ['a policy without the metadata read', () => ['--role', `doctor-nometa-${id}`], {}, /^FAIL capability secret\/metadata\/doctor\/\S+: the token lacks read, needed for poll secret1/m],
  ])('%s: exit 1 naming what to fix', async (_name, args, env, expected) => {
    const r = await doctor(['--token-file', vaultToken, '--secret', secret, ...args()], env);
    expect(r.out).toMatch(expected);
    expect(r.code).toBe(1);
  });

  it('the wrong CA: TLS fails and says which setting to fix', async () => {
    const r = await doctor(['--token-file', vaultToken, '--role', `doctor-${id}`], { VAULT_CACERT: makeCert(dir, 'wrong-ca').certFile });
    expect(r.out).toMatch(/^FAIL tls: the CA does not sign Vault's certificate .*VAULT_CACERT/m);
    expect(r.code).toBe(1);
  });

  it('nothing listening: reachability fails', async () => {
    const r = await doctor(['--token-file', vaultToken, '--role', `doctor-${id}`], { VAULT_ADDR: `https://127.0.0.1:${await freePort()}` });
    expect(r.out).toMatch(/^FAIL reachability: cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(r.code).toBe(1);
  });
});
