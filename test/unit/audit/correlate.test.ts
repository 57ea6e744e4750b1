/** Joining the sidecar's records to Vault's file audit log (a crafted, realistic fixture). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { correlate } from '../../../src/audit/correlate';
import { parseRecord } from '../../../src/audit/read';
import type { AuditEntry } from '../../../src/audit/record';
import { tempDir, writeLines } from '../../helpers/audit-fixtures';

const h = (c: string) => `hmac-sha256:${c.repeat(64)}`;
const ACC = h('a');
const LEASE = h('b');
const pod = { namespace: 'shop', name: 'web-1', uid: 'u1', serviceAccount: 'app' };

/** Vault writes a request and a response entry per request; secrets in both are HMAC'd. */
function vaultPair(id: string, path: string, op: string, extra: { resp?: object; req?: object; error?: string; accessor?: string } = {}) {
  const auth = { client_token: h('c'), accessor: extra.accessor ?? ACC, display_name: 'kubernetes-shop-app', policies: ['app', 'default'], token_type: 'service' };
  const request = { id, operation: op, mount_type: 'kv', client_token: h('c'), client_token_accessor: extra.accessor ?? ACC, namespace: { id: 'root' }, path, remote_address: '10.1.2.3', ...extra.req };
  return [
    { time: '2026-11-22T10:00:01.1Z', type: 'request', auth, request },
    { time: '2026-11-22T10:00:01.2Z', type: 'response', auth, request, response: { mount_type: 'kv', ...extra.resp }, ...(extra.error ? { error: extra.error } : {}) },
  ];
}

function fixture(): string {
  const entries = [
    { time: '2026-11-22T10:00:00.1Z', type: 'request', auth: { token_type: 'default' }, request: { id: 'r-login', operation: 'update', path: 'auth/kubernetes/login', data: { jwt: h('d'), role: h('e') }, remote_address: '10.1.2.3' } },
    { time: '2026-11-22T10:00:00.2Z', type: 'response', auth: { token_type: 'default' }, request: { id: 'r-login', operation: 'update', path: 'auth/kubernetes/login' }, response: { auth: { client_token: h('c'), accessor: ACC, metadata: { role: 'app', service_account_name: 'app', service_account_namespace: 'shop' } } } },
    ...vaultPair('r-read', 'secret/data/app/db', 'read', { resp: { data: { data: { password: h('f') }, metadata: { version: 3 } } } }),
    ...vaultPair('r-creds', 'database/creds/app', 'read', { resp: { secret: { lease_id: LEASE }, data: { username: h('1'), password: h('2') } } }),
    ...vaultPair('r-renew', 'sys/leases/renew', 'update', { req: { data: { lease_id: LEASE } } }),
    ...vaultPair('r-denied', 'secret/data/admin/root', 'read', { error: '1 error occurred:\n\t* permission denied\n\n' }),
    ...vaultPair('r-old', 'secret/data/app/db', 'read', { resp: { data: { metadata: { version: 2 } } } }),
    ...vaultPair('r-sneaky', 'secret/data/app/other', 'read'),
    ...vaultPair('r-someone-else', 'secret/data/app/db', 'read', { accessor: h('9') }),
    'not json',
  ];
  const path = join(tempDir(), 'vault-audit.log');
  writeFileSync(path, entries.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n') + '\n');
  return path;
}

const ours: AuditEntry[] = [
  { event: 'auth.login', outcome: 'success', pod, vault: { path: 'auth/kubernetes/login', role: 'app', requestId: 'r-login', accessorHmac: ACC } },
  { event: 'secret.read', outcome: 'success', pod, secret: 'db', vault: { path: 'secret/data/app/db', version: 3, requestId: 'r-read' } },
  { event: 'secret.read', outcome: 'success', pod, secret: 'pg', vault: { path: 'database/creds/app', requestId: 'r-creds', leaseIdHmac: LEASE } },
  { event: 'secret.renew', outcome: 'success', pod, secret: 'pg', vault: { path: 'sys/leases/renew', requestId: 'r-renew', leaseIdHmac: LEASE } },
  { event: 'secret.error', outcome: 'failure', pod, secret: 'admin', vault: { path: 'secret/data/admin/root', requestId: 'r-denied' }, error: 'permission denied' },
  { event: 'secret.read', outcome: 'success', pod, secret: 'db', vault: { path: 'secret/data/app/db', version: 3, requestId: 'r-old' } },
  { event: 'secret.read', outcome: 'success', pod, secret: 'db', vault: { path: 'secret/data/app/db', requestId: 'r-forged' } },
  { event: 'secret.read', outcome: 'success', pod, secret: 'pg', vault: { path: 'database/creds/app', requestId: 'r-read', leaseIdHmac: h('0') } },
];

describe('audit correlate', () => {
  it.each([
    { seq: 1, requestId: 'r-login', status: 'ok', problems: [] },
    { seq: 2, requestId: 'r-read', status: 'ok', problems: [] },
    { seq: 3, requestId: 'r-creds', status: 'ok', problems: [] },
    { seq: 4, requestId: 'r-renew', status: 'ok', problems: [] },
    { seq: 5, requestId: 'r-denied', status: 'ok', problems: [] },
    { seq: 6, requestId: 'r-old', status: 'mismatch', problems: ['version: Vault returned 2'] },
    { seq: 7, requestId: 'r-forged', status: 'missing', problems: ['not in the Vault audit log'] },
    { seq: 8, requestId: 'r-read', status: 'mismatch', problems: ['path: Vault saw secret/data/app/db'] },
  ])('seq $seq ($requestId): $status', async (expected) => {
    const records = (await writeLines(ours)).map((l) => parseRecord(l)!);
    const j = await correlate(records, fixture());
    expect(j.rows.find((r) => r.seq === expected.seq)).toMatchObject({ ...expected, pod: 'shop/web-1' });
  });

  it("lists Vault requests made with the pod's token that the trail does not show, and never prints Vault's HMACs of values", async () => {
    const records = (await writeLines(ours)).map((l) => parseRecord(l)!);
    const j = await correlate(records, fixture());
    expect(j.vaultEntries).toBe(16);
    expect(j.vaultOnly).toEqual([expect.objectContaining({ requestId: 'r-sneaky', path: 'secret/data/app/other', pod: 'shop/web-1', operation: 'read' })]);
    expect(JSON.stringify(j)).not.toMatch(/hmac-sha256:(f|1|2|c|d)/);
  });
});
