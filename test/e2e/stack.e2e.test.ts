/**
 * The test stack is real: kube-apiserver issues pod-bound tokens, Vault's kubernetes auth
 * checks them with a real TokenReview, the database engine creates real PostgreSQL roles,
 * and Vault's audit device records it all.
 */
import { kubectl, psql, stack, uniqueName, vault, vaultAuditEntries } from './helpers';

jest.setTimeout(60_000); // each test's limit, not a wait: calls to the real stack

const ns = uniqueName('stack');

async function tokenFor(sa: string, opts: { audience?: string; pod?: string } = {}): Promise<string> {
  const args = ['-n', ns, 'create', 'token', sa, '--duration', '10m', '--audience', opts.audience ?? 'vault'];
  if (opts.pod) args.push('--bound-object-kind', 'Pod', '--bound-object-name', opts.pod);
  return (await kubectl(args)).trim();
}

beforeAll(async () => {
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['-n', ns, 'create', 'serviceaccount', 'app']);
  await kubectl(['-n', ns, 'create', 'serviceaccount', 'other']);
  await kubectl(['-n', ns, 'apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: ns },
    spec: { serviceAccountName: 'app', automountServiceAccountToken: false, containers: [{ name: 'web', image: 'registry.invalid/web:1' }] },
  }));
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
});

describe('test stack', () => {
  it('kube-apiserver stores the pod created with kubectl', async () => {
    const pod = JSON.parse(await kubectl(['-n', ns, 'get', 'pod', 'web', '-o', 'json']));
    expect(pod.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(pod.spec.serviceAccountName).toBe('app');
  });

  it('a pod-bound token logs in through kubernetes auth (real TokenReview) and reads a KV v2 secret', async () => {
    const jwt = await tokenFor('app', { pod: 'web' });
    const login = await vault('POST', 'auth/kubernetes/login', { role: 'app', jwt }, null);
    expect(login.status).toBe(200);
    expect(login.body.auth.metadata).toMatchObject({ service_account_name: 'app', service_account_namespace: ns });
    expect(login.body.auth.metadata.service_account_uid).toMatch(/^[0-9a-f-]{36}$/);
    const read = await vault('GET', 'secret/data/app/config', undefined, login.body.auth.client_token);
    expect(read.status).toBe(200);
    expect(read.body.data.data.username).toBe('app-user');
    expect(read.body.data.metadata.version).toBeGreaterThanOrEqual(1);
  });

  it.each([
    { what: 'a token with the wrong audience', sa: 'app', audience: 'not-vault' },
    { what: 'a service account the role does not bind', sa: 'other', audience: 'vault' },
  ])('refuses $what', async ({ sa, audience }) => {
    const jwt = await tokenFor(sa, { audience });
    const login = await vault('POST', 'auth/kubernetes/login', { role: 'app', jwt }, null);
    expect(login.status).toBe(403);
    expect(login.body.auth ?? null).toBeNull();
  });

  it('the same token logs in through JWT auth against the cluster signing key', async () => {
    const jwt = await tokenFor('app');
    const login = await vault('POST', 'auth/jwt/login', { role: 'app', jwt }, null);
    expect(login.status).toBe(200);
    expect(login.body.auth.policies).toContain('app');
  });

  it('database credentials from Vault log in to PostgreSQL, and revocation drops the role', async () => {
    const jwt = await tokenFor('app');
    const login = await vault('POST', 'auth/kubernetes/login', { role: 'app', jwt }, null);
    const creds = await vault('GET', 'database/creds/app', undefined, login.body.auth.client_token);
    expect(creds.status).toBe(200);
    expect(creds.body.lease_duration).toBeGreaterThan(0);
    const { username, password } = creds.body.data;
    await expect(psql(username, password, 'SELECT current_user')).resolves.toBe(username);
    const revoke = await vault('PUT', 'sys/leases/revoke', { lease_id: creds.body.lease_id });
    expect(revoke.status).toBe(204);
    await expect(psql(username, password, 'SELECT 1')).rejects.toThrow(/authentication failed|does not exist/);
  });

  it('PKI issues a certificate for the web role', async () => {
    const jwt = await tokenFor('app');
    const login = await vault('POST', 'auth/kubernetes/login', { role: 'app', jwt }, null);
    const cert = await vault('POST', 'pki/issue/web', { common_name: 'web.shop.svc', ttl: '1h' }, login.body.auth.client_token);
    expect(cert.status).toBe(200);
    expect(cert.body.data.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it("Vault's audit log shows the logins and reads, with HMAC'd tokens", async () => {
    const jwt = await tokenFor('app');
    const login = await vault('POST', 'auth/kubernetes/login', { role: 'app', jwt }, null);
    const read = await vault('GET', 'secret/data/app/config', undefined, login.body.auth.client_token);
    const entries = vaultAuditEntries();
    const byId = entries.filter((e) => e.request?.id === read.body.request_id);
    expect(byId.map((e) => e.type).sort()).toEqual(['request', 'response']);
    expect(byId[0].request.path).toBe('secret/data/app/config');
    expect(entries.some((e) => e.type === 'response' && e.request?.path === 'auth/kubernetes/login' && e.auth?.metadata?.service_account_namespace === ns)).toBe(true);
    const raw = JSON.stringify(entries);
    expect(raw).not.toContain(login.body.auth.client_token);
    expect(raw).not.toContain(stack().VAULT_TOKEN);
  });
});
