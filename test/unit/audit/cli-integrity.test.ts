/** The CLI over a padded, truncated, mistyped or partial trail: verify breaks, query, report and correlate refuse what verify rejects, and all four take --allow-partial. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { writeFailure } from '../../../src/cli/audit';
import { runCli } from '../../../src/cli/main';
import { RuntimeFailure } from '../../../src/errors';
import { checkpointKeys, podEntries, signing, tempDir, writeLines, writeTrail } from '../../helpers/audit-fixtures';

async function cli(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const code = await runCli(argv, { env: {}, stdout, stderr });
  const text = (s: PassThrough) => (s.read() as Buffer | null)?.toString('utf8') ?? '';
  return { code, out: text(stdout), err: text(stderr) };
}

const entries = () => [...podEntries('shop', 'web-1'), ...podEntries('shop', 'web-2'), ...podEntries('pay', 'api-1', { fail: true })];
const forged = JSON.stringify({ ts: '2026-11-22T10:00:02.500Z', seq: 3, prev: 'forged', source: 'sidecar', event: 'secret.read', outcome: 'success', pod: { namespace: 'shop', name: 'attacker' }, secret: 'db', vault: { path: 'secret/data/app/db', version: 9 } });

describe('a record inserted between two linked records', () => {
  let dir: string;
  let file: string;
  let pub: string;
  beforeAll(async () => {
    dir = tempDir();
    const { privateKey, publicKey } = checkpointKeys();
    pub = join(dir, 'pub.pem');
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    const lines = await writeLines(entries(), await signing(privateKey, 3));
    file = writeTrail(dir, 'audit.log', [...lines.slice(0, 2), forged, ...lines.slice(2)]);
  });

  it('verify --key: a break naming the line, exit 1 (it was a torn-write warning, exit 0)', async () => {
    const r = await cli(['audit', 'verify', '--key', pub, file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FIRST BAD RECORD ${file}:3: not a valid audit record`);
  });

  it.each([
    ['query', ['audit', 'query', '--format', 'json']],
    ['query --group-by pod', ['audit', 'query', '--group-by', 'pod']],
    ['report', ['audit', 'report', '--html']],
  ])('%s: the forged record is not shown, the break is named on stderr, exit 1', async (what, argv) => {
    const html = join(dir, `${what.replace(/\W/g, '')}.html`);
    const r = await cli([...argv, ...(what === 'report' ? [html] : []), file]);
    const shown = what === 'report' ? readFileSync(html, 'utf8') : r.out;
    expect(r.code).toBe(1);
    expect(shown).not.toContain('attacker');
    expect(shown).toContain('web-1');
    expect(r.err).toContain(`the audit chain breaks at ${file}:3`);
    if (what === 'report') expect(shown).toMatch(/<section id="integrity" class="alert"><p>The audit chain breaks at .*audit.log:3/);
  });
});

describe('a record with a number where a string belongs', () => {
  it.each([
    ['query', ['audit', 'query']],
    ['query --group-by secret', ['audit', 'query', '--group-by', 'secret']],
    ['report', ['audit', 'report', '--html', 'REPORT']],
  ])('%s reports it as a bad record (exit 1), never crashes', async (_what, argv) => {
    const dir = tempDir();
    const lines = await writeLines(entries());
    const file = writeTrail(dir, 'audit.log', [...lines.slice(0, 5), lines[5]!.replace('"secret":"db"', '"secret":5'), ...lines.slice(6)]);
    const r = await cli([...argv.map((a) => (a === 'REPORT' ? join(dir, 'r.html') : a)), file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/breaks at .*audit.log:6 seq 6: not a valid audit record: secret has the wrong type/);
    expect(r.err).not.toMatch(/is not a function|cannot write/);
  });
});

describe('verify --key: the unsigned tail', () => {
  it.each([
    { what: 'ends at a checkpoint', cut: 0, argv: [], code: 0, tail: /unsigned tail 0 record\(s\) 0 bytes/ },
    { what: 'ends one record after a checkpoint', cut: 1, argv: [], code: 0, tail: /unsigned tail 1 record\(s\) \d+ bytes/ },
    { what: 'ends one record after a checkpoint, --max-unsigned-tail 0', cut: 1, argv: ['--max-unsigned-tail', '0'], code: 1, tail: /^FAILED: .*unsigned tail 1 record/m },
  ])('$what: exit $code, size reported', async ({ cut, argv, code, tail }) => {
    const dir = tempDir();
    const { privateKey, publicKey } = checkpointKeys();
    const pub = join(dir, 'pub.pem');
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    const lines = await writeLines(entries(), await signing(privateKey, 3));
    const last = lines.map((l) => l.includes('audit.checkpoint')).lastIndexOf(true, lines.length - 2);
    const file = writeTrail(dir, 'audit.log', lines.slice(0, last + 1 + cut));
    const r = await cli(['audit', 'verify', '--key', pub, ...argv, file]);
    expect(r.code).toBe(code);
    expect(r.out).toMatch(tail);
    expect(r.out).toMatch(/signed through seq \d+ \(2026-/);
  });

  it('--max-unsigned-tail without --key is a usage error', async () => {
    const file = writeTrail(tempDir(), 'audit.log', await writeLines(entries()));
    const r = await cli(['audit', 'verify', '--max-unsigned-tail', '0', file]);
    expect(r).toMatchObject({ code: 2, err: expect.stringMatching(/--max-unsigned-tail needs --key/) });
  });
});

describe('report: errors writing the page are reported truthfully', () => {
  const io = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
  const alloc = new RangeError('Invalid string length');
  it.each([
    ['an I/O error names its code', io, /cannot write \(ENOSPC\)/],
    ['anything else (a failed allocation) is passed on as itself', alloc, /^Invalid string length$/],
  ])('%s', (_what, err, message) => {
    const out = writeFailure('r.html', err) as Error;
    expect(out instanceof RuntimeFailure).toBe(err === io);
    expect(out.message).toMatch(message);
  });
});

describe('a trail whose oldest file was rotated away', () => {
  const pod = { namespace: 'shop', name: 'web-1', uid: 'u1', serviceAccount: 'app' };
  const reads = ['r-1', 'r-2', 'r-3', 'r-4'].map((requestId) => ({ event: 'secret.read' as const, outcome: 'success' as const, pod, secret: 'db', vault: { path: 'secret/data/app/db', version: 3, requestId } }));
  /** Vault's request and response entries for the kept records, as its file audit device writes them. */
  const vaultLog = (dir: string): string => {
    const entries = ['r-3', 'r-4'].flatMap((id) => {
      const request = { id, operation: 'read', path: 'secret/data/app/db', remote_address: '10.1.2.3' };
      return [
        { time: '2026-11-22T10:00:01.1Z', type: 'request', request },
        { time: '2026-11-22T10:00:01.2Z', type: 'response', request, response: { data: { metadata: { version: 3 } } } },
      ];
    });
    const path = join(dir, 'vault-audit.log');
    writeFileSync(path, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
    return path;
  };

  it.each([
    ['verify', (_dir: string) => ['audit', 'verify']],
    ['query', (_dir: string) => ['audit', 'query', '--format', 'json']],
    ['report', (dir: string) => ['audit', 'report', '--html', join(dir, 'r.html')]],
    ['correlate', (dir: string) => ['audit', 'correlate', '--format', 'json', '--vault-log', vaultLog(dir)]],
  ])('%s: refused without --allow-partial (exit 1), read whole with it (exit 0)', async (what, argv) => {
    const dir = tempDir();
    const lines = await writeLines(reads);
    const kept = writeTrail(dir, 'audit.log', lines.slice(2));
    const refused = await cli([...argv(dir), kept]);
    expect(refused.code).toBe(1);
    expect(`${refused.out}${refused.err}`).toContain(`${kept}:1`);
    const read = await cli([...argv(dir), '--allow-partial', kept]);
    expect(read.err).toBe('');
    expect(read.code).toBe(0);
    if (what === 'query') expect((JSON.parse(read.out) as Array<{ seq: number }>).map((r) => r.seq)).toEqual([3, 4]);
    if (what === 'correlate') {
      const rows = (JSON.parse(read.out) as { rows: Array<{ seq: number; status: string }> }).rows;
      expect(rows.map((r) => [r.seq, r.status])).toEqual([[3, 'ok'], [4, 'ok']]);
      expect((JSON.parse(refused.out) as { rows: unknown[] }).rows).toEqual([]);
    }
    if (what === 'report') expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('web-1');
  });
});
