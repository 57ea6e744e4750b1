/**
 * Our audit records joined to the real Vault's file audit log: real logins and reads,
 * request ids from Vault's responses, accessor and lease HMACs from sys/audit-hash/file.
 */
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main';
import type { AuditEntry } from '../../src/audit/record';
import { AuditWriter } from '../../src/audit/writer';
import { tempDir } from '../helpers/audit-fixtures';
import { kubectl, stack, uniqueName, vault } from './helpers';

jest.setTimeout(90_000); // each test's limit, not a wait: real logins and reads against the stack

const ns = uniqueName('audit');
const DEVICE = 'file';

async function auditHash(input: string): Promise<string> {
  const r = await vault('POST', `sys/audit-hash/${DEVICE}`, { input });
  expect(r.status).toBe(200);
  return r.body.data.hash as string;
}

beforeAll(async () => {
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['-n', ns, 'create', 'serviceaccount', 'app']);
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
});

describe('audit correlate against the real Vault audit log', () => {
  it('joins login, KV read, database creds and a denied read by request id and HMACs; a forged record is flagged', async () => {
    const pod = { namespace: ns, name: 'web-1', serviceAccount: 'app' };
    const jwt = (await kubectl(['-n', ns, 'create', 'token', 'app', '--duration', '10m', '--audience', 'vault'])).trim();
    const login = await vault('POST', 'auth/kubernetes/login', { role: 'app', jwt }, null);
    expect(login.status).toBe(200);
    const token = login.body.auth.client_token as string;
    const accessorHmac = await auditHash(login.body.auth.accessor);
    const kv = await vault('GET', 'secret/data/app/config', undefined, token);
    const creds = await vault('GET', 'database/creds/app', undefined, token);
    const denied = await vault('GET', 'secret/data/admin/root', undefined, token);
    expect([kv.status, creds.status, denied.status]).toEqual([200, 200, 403]);
    const leaseIdHmac = await auditHash(creds.body.lease_id);
    const entries: AuditEntry[] = [
      { event: 'auth.login', outcome: 'success', pod, vault: { path: 'auth/kubernetes/login', role: 'app', requestId: login.body.request_id, accessorHmac } },
      { event: 'secret.read', outcome: 'success', pod, secret: 'config', vault: { path: 'secret/data/app/config', version: kv.body.data.metadata.version, requestId: kv.body.request_id, accessorHmac } },
      { event: 'secret.read', outcome: 'success', pod, secret: 'db', vault: { path: 'database/creds/app', requestId: creds.body.request_id, leaseIdHmac, accessorHmac } },
      { event: 'secret.error', outcome: 'failure', pod, secret: 'admin', vault: { path: 'secret/data/admin/root', accessorHmac, ...(denied.body?.request_id ? { requestId: denied.body.request_id } : {}) }, error: 'permission denied' },
    ];
    const dir = tempDir();
    const file = join(dir, 'audit.log');
    const w = new AuditWriter({ source: 'sidecar', stdout: new PassThrough(), file: { path: file } });
    entries.forEach((e) => w.record(e));
    await w.close();

    const run = async (argv: string[]) => {
      const stdout = new PassThrough();
      const code = await runCli(argv, { env: {}, stdout, stderr: new PassThrough() });
      return { code, out: ((stdout.read() as Buffer | null) ?? Buffer.alloc(0)).toString() };
    };
    const ok = await run(['audit', 'correlate', '--vault-log', stack().VAULT_AUDIT_LOG, '--format', 'json', file]);
    const j = JSON.parse(ok.out);
    const statuses = j.rows.map((r: any) => `${r.event}:${r.status}`);
    expect(statuses.slice(0, 3)).toEqual(['auth.login:ok', 'secret.read:ok', 'secret.read:ok']);
    if (denied.body?.request_id) expect(statuses[3]).toBe('secret.error:ok');
    expect(ok.out).not.toContain(token);
    expect(ok.out).not.toContain(creds.body.lease_id);

    // A record the sidecar never wrote: Vault has no such request.
    const w2 = new AuditWriter({ source: 'sidecar', stdout: new PassThrough(), file: { path: file } });
    w2.record({ event: 'secret.read', outcome: 'success', pod, secret: 'config', vault: { path: 'secret/data/app/config', requestId: '00000000-0000-0000-0000-000000000000' } });
    await w2.close();
    const bad = await run(['audit', 'correlate', '--vault-log', stack().VAULT_AUDIT_LOG, file]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/missing\s+not in the Vault audit log/);
    await expect(run(['audit', 'verify', file])).resolves.toMatchObject({ code: 0 });
  });
});
