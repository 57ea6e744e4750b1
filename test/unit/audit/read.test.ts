/** The shared reader of query, report and correlate: it never passes on a record `verify` rejects. */
import { readRecords } from '../../../src/audit/read';
import type { AuditRecord } from '../../../src/audit/record';
import { verifyFiles } from '../../../src/audit/verify';
import { chainedLines, readOfPod, sampleEntries, tempDir, writeLines, writeTrail } from '../../helpers/audit-fixtures';

const forged = (prev: string, extra: object = {}): string =>
  JSON.stringify({ ts: '2026-11-22T10:00:04.500Z', seq: 5, prev, source: 'sidecar', event: 'secret.read', outcome: 'success', pod: { namespace: 'shop', name: 'attacker' }, secret: 'db', ...extra });
const insertAt5 = (line: (l: string[]) => string) => (l: string[]) => [...l.slice(0, 4), line(l), ...l.slice(4)];

async function read(lines: string[], torn?: string) {
  const file = writeTrail(tempDir(), 'audit.log', lines, torn);
  const seen: AuditRecord[] = [];
  const stats = await readRecords([file], (r) => seen.push(r));
  return { file, seen, stats, verified: await verifyFiles([file]) };
}

describe('readRecords', () => {
  it.each<{ what: string; tamper: (l: string[]) => string[]; breakAt: number; passed: number }>([
    { what: 'a record with a prev that is not a hash', tamper: insertAt5(() => forged('forged')), breakAt: 5, passed: 4 },
    { what: 'a record with a wrong prev', tamper: insertAt5(() => forged('ab'.repeat(32))), breakAt: 5, passed: 3 },
    { what: 'a torn fragment closed by a newline', tamper: insertAt5((l) => l[4]!.slice(0, 40)), breakAt: 5, passed: 4 },
    { what: 'a record edited in place', tamper: (l) => l.map((x, i) => (i === 4 ? x.replace('api-1', 'api-9') : x)), breakAt: 5, passed: 4 },
    { what: 'a record edited in place, a fragment put after it', tamper: (l) => [...l.slice(0, 4), l[4]!.replace('api-1', 'api-9'), '{"ts":', ...l.slice(5)], breakAt: 5, passed: 4 },
    { what: 'a number where a string belongs', tamper: (l) => l.map((x, i) => (i === 4 ? x.replace('"name":"api-1"', '"name":5') : x)), breakAt: 5, passed: 4 },
  ])('$what: not passed on, the break named at line $breakAt, everything after it left out', async ({ tamper, breakAt, passed }) => {
    const lines = tamper(await writeLines(sampleEntries()));
    const { file, seen, stats, verified } = await read(lines);
    expect(verified.breaks[0]).toMatchObject({ file, line: breakAt });
    expect(stats.firstBreak).toMatchObject({ file, line: breakAt });
    expect(seen.map((r) => r.pod?.name)).not.toContain('attacker');
    expect(seen.map((r) => r.pod?.name)).not.toContain('api-9');
    expect(seen).toHaveLength(passed);
    expect(stats.records + stats.unverified + stats.badLines).toBe(lines.length);
    expect(seen.every((r) => r.seq < breakAt)).toBe(true);
  });

  it('an intact trail passes every record; a torn last line is counted, not a break', async () => {
    const lines = await writeLines(sampleEntries());
    const { seen, stats } = await read(lines.slice(0, 8), lines[8]!.slice(0, 20));
    expect(seen.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(stats).toEqual({ records: 8, unverified: 0, badLines: 1 });
  });

  it('a record whose full parse is skipped is still checked for the chain', async () => {
    const lines = chainedLines(6, readOfPod).map((l, i) => (i === 2 ? l.replace('pod-3', 'pod-x') : l));
    const file = writeTrail(tempDir(), 'audit.log', lines);
    const seen: number[] = [];
    const stats = await readRecords([file], (r) => seen.push(r.seq), { skip: (line) => line.includes('pod-3') || line.includes('pod-x') });
    expect(stats.firstBreak).toMatchObject({ line: 3, message: expect.stringMatching(/record edited/) });
    expect(seen).toEqual([1, 2]);
  });
});
