/** The audit tools at scale: no stack overflow, aggregates capped (asserted by the entries they retain). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DistinctCount } from '../../../src/audit/distinct';
import { CurrentVersions, GroupCounter, MAX_GROUPS, OTHER_GROUPS } from '../../../src/audit/query-aggregate';
import { runQuery } from '../../../src/audit/query-run';
import type { AuditRecord } from '../../../src/audit/record';
import { FAILURE_ROWS, ReportBuilder, TIMELINE_ROWS, TIMELINES } from '../../../src/audit/report';
import { Timelines } from '../../../src/audit/report-parts';
import { formatTable } from '../../../src/audit/table';
import { runCli } from '../../../src/cli/main';
import { chainedLines, readOfPod, tempDir, writeTrail } from '../../helpers/audit-fixtures';

const record = (i: number): AuditRecord => ({ ts: new Date(Date.UTC(2026, 10, 22) + i * 1000).toISOString(), seq: i, prev: '0'.repeat(64), source: 'sidecar', ...readOfPod(i) }) as AuditRecord;

describe('query at scale', () => {
  it('formatTable fits 200,000 rows without spreading them onto the stack', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [`ns/pod-${i}`, String(i)]);
    const out = formatTable(['GROUP', 'RECORDS'], rows);
    const lines = out.split('\n');
    expect(lines).toHaveLength(200_002);
    expect(lines[200_000]).toBe('ns/pod-199999  199999');
  });

  // 130,000 chained lines through the whole reader: a few seconds alone, more beside other suites on two cores.
  it('--group-by pod over 130,000 pods (past the ~125,000 rows that overflowed the stack) answers every pod', async () => {
    const small = (i: number) => ({ event: 'secret.read', outcome: 'success', pod: { namespace: 'ns', name: `p${i}` } });
    const file = writeTrail(tempDir(), 'audit.log', chainedLines(130_000, small));
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const stats = await runQuery([file], { filter: {}, format: 'table', groupBy: 'pod' }, out);
    const lines = Buffer.concat(chunks).toString().trimEnd().split('\n');
    expect(stats).toMatchObject({ records: 130_000, matched: 130_000, overflow: 0 });
    expect(lines).toHaveLength(130_001);
    expect(lines[0]).toMatch(/^GROUP\s+RECORDS\s+FAILURES/);
  }, 20_000);

  it.each([
    ['GroupCounter', (cap?: number) => new GroupCounter('pod', cap)],
    ['CurrentVersions', (cap?: number) => new CurrentVersions(cap)],
  ])('%s keeps at most its cap of rows (MAX_GROUPS by default) and counts the rest', (_name, make) => {
    expect(MAX_GROUPS).toBeGreaterThanOrEqual(200_000);
    const agg = make(100);
    const success = (i: number): AuditRecord => ({ ...record(i), outcome: 'success' });
    for (let i = 1; i <= 110; i++) agg.add(success(i), undefined);
    for (let i = 1; i <= 5; i++) agg.add(success(i), undefined);
    expect(agg.size).toBeLessThanOrEqual(101);
    expect(agg.overflow).toBe(10);
    if (agg instanceof GroupCounter) expect(agg.result().find((r) => r.group === OTHER_GROUPS)?.records).toBe(10);
  });
});

describe('report at scale', () => {
  it('keeps TIMELINES timelines of TIMELINE_ROWS rows and FAILURE_ROWS failures, and says how many it shows', () => {
    const b = new ReportBuilder();
    for (let i = 1; i <= 30_000; i++) b.add(record(i));
    for (let i = 1; i <= 200; i++) b.add(record(7));
    expect(b.byPod.kept.size).toBe(TIMELINES);
    expect(b.bySecret.kept.size).toBe(1);
    expect(b.bySecret.kept.get('secret/data/app/db')!.rows.items).toHaveLength(TIMELINE_ROWS);
    expect(b.byPod.kept.get('ns-0/pod-7')!.rows.items).toHaveLength(TIMELINE_ROWS);
    const page = [...b.render('t', new Date(0))].join('');
    expect(page).toContain(`Showing 1,000 of 30,000 pods`);
    expect(page).toContain(`Showing the newest ${FAILURE_ROWS.toLocaleString('en-US')}`);
    expect(page.match(/<tr class="fail">/g)!.length).toBeLessThanOrEqual(FAILURE_ROWS + TIMELINES * TIMELINE_ROWS * 2);
  });

  it('past its exact limit a count is an estimate and holds no key; the page says "about"', () => {
    const t = new Timelines(10, 5, 1000);
    for (let i = 1; i <= 50_000; i++) t.add(`ns/pod-${i}`, record(i));
    expect(t.distinct).toMatchObject({ estimated: true, held: 0 });
    expect(t.kept.size).toBe(10);
    expect(Math.abs(t.distinct.value - 50_000) / 50_000).toBeLessThan(0.05);
    expect([...t.render('pod', 'pods')].join('')).toMatch(/Showing 10 of about \d\d,\d\d\d pods/);
  });

  it.each([
    ['a directory', (dir: string) => dir, /cannot write \(EISDIR\)/],
    ['a missing directory', (dir: string) => join(dir, 'no', 'r.html'), /cannot write \(ENOENT\)/],
  ])('--html into %s names the I/O error and exits 3 (runtime failure)', async (_what, target, message) => {
    const dir = tempDir();
    const file = writeTrail(dir, 'audit.log', chainedLines(3, readOfPod));
    const stderr = new PassThrough();
    const code = await runCli(['audit', 'report', '--html', target(dir), file], { env: {}, stdout: new PassThrough(), stderr });
    expect(code).toBe(3);
    expect(String(stderr.read())).toMatch(message);
    expect(readFileSync(file, 'utf8')).toContain('pod-1');
  });
});

describe('DistinctCount', () => {
  it.each([0, 1, 3, 99_999])('counts %i keys exactly', (n) => {
    const d = new DistinctCount();
    for (let i = 0; i < n; i++) d.add(`k${i % Math.max(n, 1)}`);
    for (let i = 0; i < n; i++) d.add(`k${i}`);
    expect(d).toMatchObject({ value: n, estimated: false });
  });
});
