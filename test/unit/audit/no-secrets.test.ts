/** docs/threat-model.md T26: no value, token, JWT or plain lease id in anything the audit writer writes. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { AuditEntry } from '../../../src/audit/record';
import { AuditWriter } from '../../../src/audit/writer';
import { checkpointKeys, clock, signing, tempDir } from '../../helpers/audit-fixtures';

const VALUE = 'pa55-VALUE-do-not-leak';
const TOKEN = `hvs.${'CAESIJ3x9Vq7'.repeat(8)}`;
const LEGACY = `s.${'AbCdEf123456'.repeat(2)}`;
const JWT = `eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDphcHAifQ.${'sig_'.repeat(20)}`;
const LEASE = 'database/creds/app/7xQbU4ZrLkKc0pXo2AjHdE9s';
const pod = { namespace: 'shop', name: 'web-1' };

const hostile: { what: string; entry: AuditEntry }[] = [
  { what: 'Vault error body with a token', entry: { event: 'secret.error', outcome: 'failure', pod, error: `403 permission denied; X-Vault-Token: ${TOKEN}` } },
  { what: 'error quoting a JSON body', entry: { event: 'secret.error', outcome: 'failure', pod, error: `bad response {"lease_id":"${LEASE}","client_token":"${LEGACY}","password":"${VALUE}"}` } },
  { what: 'login failure echoing the JWT', entry: { event: 'auth.login', outcome: 'failure', pod, error: `invalid jwt=${JWT}`, vault: { role: 'app' } } },
  { what: 'bearer header in detail', entry: { event: 'admission.deny', outcome: 'success', pod, detail: { headers: [`Bearer ${JWT}`], note: `token=${TOKEN}` } } },
  { what: 'plain lease id passed as its HMAC', entry: { event: 'secret.renew', outcome: 'success', pod, vault: { path: 'database/creds/app', leaseIdHmac: LEASE, accessorHmac: TOKEN } } },
  { what: 'actor with a token', entry: { event: 'admission.inject', outcome: 'success', pod, actor: { username: `system:serviceaccount:x ${JWT}` } } },
];

describe('audit records carry no credentials (T26)', () => {
  it('grep of stdout and the audit file finds no value, token, JWT or lease id', async () => {
    const dir = tempDir();
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const { privateKey } = checkpointKeys();
    const w = new AuditWriter({ source: 'sidecar', stdout: out, now: clock(), file: { path: join(dir, 'audit.log'), maxBytes: 800 }, ...(await signing(privateKey, 2)) });
    for (const { entry } of hostile) w.record(entry);
    await w.close();
    const written = [Buffer.concat(chunks).toString('utf8'), ...readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'))].join('\n');
    expect(written).toContain('audit.checkpoint');
    for (const needle of [VALUE, TOKEN, LEGACY, JWT, LEASE, 'eyJhbGciOiJSUzI1NiIs', 'hvs.']) expect(written).not.toContain(needle);
    expect(written).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(written.match(/\[redacted\]/g)!.length).toBeGreaterThanOrEqual(hostile.length * 2);
  });

  it.each(hostile)('$what: the record stays useful after redaction', ({ entry }) => {
    const out = new PassThrough();
    const w = new AuditWriter({ source: 'sidecar', stdout: out, now: clock() });
    w.record(entry);
    const rec = JSON.parse((out.read() as Buffer).toString('utf8'));
    expect(rec).toMatchObject({ event: entry.event, outcome: entry.outcome, pod });
  });
});
