/** `secrets-broker audit verify|query`: exit codes, messages, and the security team's questions. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../../src/cli/main';
import type { AuditEntry } from '../../../src/audit/record';
import { checkpointKeys, podEntries, signing, tempDir, writeLines, writeTrail } from '../../helpers/audit-fixtures';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = (s: PassThrough) => (s.read() as Buffer | null)?.toString('utf8') ?? '';
  return { io: { env: {}, stdout, stderr }, out: () => text(stdout), err: () => text(stderr) };
}

async function cli(argv: string[]) {
  const t = io();
  const code = await runCli(argv, t.io);
  return { code, out: t.out(), err: t.err() };
}

/** Two days of activity: shop and pay namespaces, role app and payments, one failure, a rotation. */
function history(): AuditEntry[] {
  const hostile = { namespace: 'shop', name: '<script>\u001b[31m' };
  return [
    ...podEntries('shop', 'web-1', { version: 3 }),
    ...podEntries('pay', 'api-1', { role: 'payments', fail: true }),
    ...podEntries('shop', 'web-2', { version: 3 }),
    { event: 'secret.rotate', outcome: 'success', pod: { namespace: 'shop', name: 'web-1' }, secret: 'db', vault: { path: 'secret/data/app/db', version: 4 } },
    { event: 'secret.error', outcome: 'failure', pod: hostile, secret: 'db', error: 'permission denied' },
  ];
}

describe('audit verify (CLI)', () => {
  it('exit 0 on an intact trail, 1 naming the first bad record, 2 on unreadable input', async () => {
    const dir = tempDir();
    const lines = await writeLines(history());
    const good = writeTrail(dir, 'good.log', lines);
    await expect(cli(['audit', 'verify', good])).resolves.toMatchObject({ code: 0, out: expect.stringMatching(/^OK: 9 records/m) });
    const bad = writeTrail(dir, 'bad.log', lines.map((l, i) => (i === 6 ? l.replace('web-2', 'web-3') : l)));
    const r = await cli(['audit', 'verify', bad]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FIRST BAD RECORD ${bad}:7 seq 7: record edited`);
    const missing = await cli(['audit', 'verify', join(dir, 'nope.log'), dir]);
    expect(missing.code).toBe(2);
    expect(missing.err.trim().split('\n')).toEqual([`secrets-broker: ${join(dir, 'nope.log')}: cannot read (ENOENT)`, `secrets-broker: ${dir}: not a regular file`]);
  });

  it('--key checks checkpoints; a bad key file is a usage error', async () => {
    const dir = tempDir();
    const { privateKey, publicKey } = checkpointKeys('ec');
    const file = writeTrail(dir, 'audit.log', await writeLines(history(), await signing(privateKey, 5)));
    const pub = join(dir, 'pub.pem');
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    await expect(cli(['audit', 'verify', '--key', pub, file])).resolves.toMatchObject({ code: 0, out: expect.stringMatching(/2 checkpoint\(s\), signatures checked/) });
    writeFileSync(join(dir, 'junk.pem'), 'not a key');
    const r = await cli(['audit', 'verify', '--key', join(dir, 'junk.pem'), file]);
    expect(r).toMatchObject({ code: 2, err: expect.stringMatching(/--key: checkpoint key .*junk.pem: not a public key/) });
  });
});

describe('audit query (CLI): the questions a security team asks', () => {
  let file: string;
  beforeAll(async () => {
    file = writeTrail(tempDir(), 'audit.log', await writeLines(history()));
  });

  it('who read secret path P since T (KV v2 path with or without data/)', async () => {
    const r = await cli(['audit', 'query', '--path', 'secret/app/db', '--event', 'secret.read', '--since', '2026-11-22T10:00:03Z', '--format', 'json', file]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out);
    expect(rows.map((x: any) => `${x.pod.namespace}/${x.pod.name}`)).toEqual(['pay/api-1', 'shop/web-2']);
  });

  it('which pods read with role R', async () => {
    const r = await cli(['audit', 'query', '--role', 'payments', '--event', 'secret.read', '--group-by', 'pod', '--format', 'json', file]);
    expect(JSON.parse(r.out)).toEqual([expect.objectContaining({ group: 'pay/api-1', records: 1, failures: 0 })]);
  });

  it('every failure by namespace', async () => {
    const r = await cli(['audit', 'query', '--outcome', 'failure', '--group-by', 'namespace', file]);
    expect(r.out.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 3))).toEqual([['GROUP', 'RECORDS', 'FAILURES'], ['pay', '1', '1'], ['shop', '1', '1']]);
  });

  it('which version of a secret each pod holds now', async () => {
    const r = await cli(['audit', 'query', '--current-versions', '--format', 'json', file]);
    expect(JSON.parse(r.out).map((v: any) => `${v.namespace}/${v.pod}/${v.secret}@${v.version}`)).toEqual(['pay/api-1/db@3', 'shop/web-1/db@4', 'shop/web-2/db@3']);
  });

  it('a table shows hostile pod names escaped for the terminal', async () => {
    const r = await cli(['audit', 'query', '--outcome', 'failure', file]);
    expect(r.out).toMatch(/^TIME\s+EVENT\s+OUTCOME\s+NAMESPACE\s+POD/);
    expect(r.out).toContain('<script>\\x1b[31m');
    expect(r.out).not.toContain('\u001b');
  });

  it.each([
    { argv: ['--since', 'yesterday'], message: /--since: not an RFC 3339 time/ },
    { argv: ['--event', 'secret.steal', '--outcome', 'maybe'], message: /--event: unknown event secret.steal[\s\S]*--outcome: success or failure/ },
    { argv: ['--group-by', 'colour'], message: /invalid/ },
  ])('bad filters $argv exit 2 with one line per problem', async ({ argv, message }) => {
    const r = await cli(['audit', 'query', ...argv, file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
