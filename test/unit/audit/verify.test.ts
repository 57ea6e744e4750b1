/** docs/threat-model.md T33 (edit, remove, reorder, append by hand) and T34 (torn last line). */
import { createHash } from 'node:crypto';
import { verifierFromKey } from '../../../src/audit/checkpoint';
import { verifyFiles } from '../../../src/audit/verify';
import { checkpointKeys, sampleEntries, signing, tempDir, writeLines, writeTrail } from '../../helpers/audit-fixtures';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
type Tamper = (lines: string[]) => string[];

const edit = (i: number, from: string, to: string): Tamper => (l) => l.map((x, j) => (j === i ? x.replace(from, to) : x));
const handAppend: Tamper = (l) => {
  const last = JSON.parse(l[l.length - 1]!);
  return [...l, JSON.stringify({ ...last, seq: last.seq + 1, secret: 'stolen' })];
};

describe('audit verify: tampering (T33)', () => {
  it.each<{ what: string; tamper: Tamper; line: number; seq: number; message: RegExp }>([
    { what: 'a record edited', tamper: edit(4, '"api-1"', '"api-9"'), line: 5, seq: 5, message: /record edited/ },
    { what: 'an error string edited', tamper: edit(6, 'permission denied', 'ok'), line: 7, seq: 7, message: /record edited/ },
    { what: 'a record removed', tamper: (l) => l.filter((_, j) => j !== 4), line: 5, seq: 6, message: /removed or reordered/ },
    { what: 'the first record removed', tamper: (l) => l.slice(1), line: 1, seq: 2, message: /records removed from the start/ },
    { what: 'two records swapped', tamper: (l) => [...l.slice(0, 4), l[5]!, l[4]!, ...l.slice(6)], line: 5, seq: 6, message: /moved|removed or reordered/ },
    { what: 'a record duplicated', tamper: (l) => [...l.slice(0, 6), l[2]!, ...l.slice(6)], line: 7, seq: 3, message: /inserted, duplicated or moved/ },
    { what: 'a line appended by hand', tamper: handAppend, line: 10, seq: 10, message: /appended by hand/ },
    { what: 'a record made invalid JSON', tamper: edit(3, '"seq":4,', '"seq":4'), line: 4, seq: undefined as unknown as number, message: /not a valid audit record/ },
    { what: 'a recomputed hash without recomputing the rest', tamper: (l) => l.map((x, j) => (j === 5 ? x.replace(/"prev":"[0-9a-f]+"/, `"prev":"${sha('forged')}"`) : x)), line: 5, seq: 5, message: /record edited/ },
  ])('$what: names line $line, exit-worthy break', async ({ tamper, line, seq, message }) => {
    const dir = tempDir();
    const lines = await writeLines(sampleEntries());
    expect(lines).toHaveLength(9);
    const file = writeTrail(dir, 'audit.log', tamper(lines));
    const r = await verifyFiles([file]);
    expect(r.breaks.length).toBeGreaterThan(0);
    expect(r.breaks[0]).toMatchObject({ file, line, message: expect.stringMatching(message) });
    if (seq !== undefined) expect(r.breaks[0]!.seq).toBe(seq);
  });

  it('an intact trail verifies, and so does a rotated set given oldest first', async () => {
    const dir = tempDir();
    const lines = await writeLines(sampleEntries());
    expect((await verifyFiles([writeTrail(dir, 'audit.log', lines)])).breaks).toEqual([]);
    const files = [writeTrail(dir, 'a.2', lines.slice(0, 3)), writeTrail(dir, 'a.1', lines.slice(3, 7)), writeTrail(dir, 'a', lines.slice(7))];
    const r = await verifyFiles(files);
    expect(r).toMatchObject({ breaks: [], records: 9, head: { seq: 9, hash: sha(lines[8]!) } });
    expect((await verifyFiles([files[1]!, files[2]!])).breaks[0]).toMatchObject({ line: 1, seq: 4 });
    expect((await verifyFiles([files[1]!, files[2]!], { allowPartial: true })).breaks).toEqual([]);
    expect((await verifyFiles([files[0]!, files[2]!])).breaks[0]).toMatchObject({ file: files[2], line: 1, seq: 8 });
  });
});

describe('audit verify: torn lines (T34)', () => {
  it.each([
    { what: 'half a record', torn: (l: string) => l.slice(0, 40) },
    { what: 'one byte', torn: () => '{' },
  ])('a torn last line ($what) is reported as torn; the records before it verify', async ({ torn }) => {
    const dir = tempDir();
    const lines = await writeLines(sampleEntries());
    const file = writeTrail(dir, 'audit.log', lines.slice(0, 8), torn(lines[8]!));
    const r = await verifyFiles([file]);
    expect(r.breaks).toEqual([]);
    expect(r.records).toBe(8);
    expect(r.warnings).toEqual([expect.objectContaining({ file, line: 9, message: expect.stringMatching(/torn last line/) })]);
  });

  it('a torn last line of a rotated file, with the chain running on into the next file, is a warning', async () => {
    const dir = tempDir();
    const lines = await writeLines(sampleEntries());
    const files = [writeTrail(dir, 'audit.log.1', lines.slice(0, 4), lines[4]!.slice(0, 30)), writeTrail(dir, 'audit.log', lines.slice(4))];
    const r = await verifyFiles(files);
    expect(r.breaks).toEqual([]);
    expect(r.records).toBe(9);
    expect(r.warnings).toEqual([expect.objectContaining({ file: files[0], line: 5, message: expect.stringMatching(/torn last line/) })]);
  });
});

/** A line an attacker pads the trail with, placed between records 4 and 5. */
const forged = (prev: string, extra: object = {}): string =>
  JSON.stringify({ ts: '2026-11-22T10:00:04.500Z', seq: 5, prev, source: 'sidecar', event: 'secret.read', outcome: 'success', pod: { namespace: 'shop', name: 'attacker' }, secret: 'db', ...extra });

describe('audit verify: padding (a line inserted anywhere but at the very end of a file is a break)', () => {
  it.each<{ what: string; line: (lines: string[]) => string; message: RegExp }>([
    { what: 'a JSON record with a prev that is not a hash', line: () => forged('forged'), message: /not a valid audit record/ },
    { what: 'a JSON record with a wrong prev', line: () => forged(sha('forged')), message: /record inserted, duplicated or moved/ },
    { what: 'a JSON record that copies the next prev but another seq', line: (l) => forged(JSON.parse(l[4]!).prev, { seq: 42 }), message: /record inserted, duplicated or moved/ },
    { what: 'a torn fragment closed by a newline', line: (l) => l[4]!.slice(0, 30), message: /only the last line of a file may be a torn write/ },
    { what: 'an empty line', line: () => '', message: /not a valid audit record/ },
    { what: 'a JSON array', line: () => '[1,2,3]', message: /not a valid audit record/ },
  ])('$what: a break naming line 5; the chain past it still verifies', async ({ line, message }) => {
    const dir = tempDir();
    const lines = await writeLines(sampleEntries());
    const file = writeTrail(dir, 'audit.log', [...lines.slice(0, 4), line(lines), ...lines.slice(4)]);
    const r = await verifyFiles([file]);
    expect(r.breaks).toEqual([expect.objectContaining({ file, line: 5, message: expect.stringMatching(message) })]);
    expect(r.head).toEqual({ seq: 9, hash: sha(lines[8]!) });
  });

  it.each([
    { what: 'a number where a string belongs', edit: (r: any) => ({ ...r, pod: { ...r.pod, name: 12345 } }), message: /pod.name has the wrong type/ },
    { what: 'an unknown event', edit: (r: any) => ({ ...r, event: 'secret.steal' }), message: /event has the wrong type or value/ },
    { what: 'a string version', edit: (r: any) => ({ ...r, vault: { ...r.vault, version: '3' } }), message: /vault.version has the wrong type/ },
    { what: 'a missing outcome', edit: ({ outcome: _o, ...r }: any) => r, message: /outcome is missing/ },
  ])('a chained record with $what is a bad record (a break), even with the chain recomputed', async ({ edit, message }) => {
    const lines = await writeLines(sampleEntries());
    const file = writeTrail(tempDir(), 'audit.log', rechain(lines.map((l, i) => (i === 3 ? JSON.stringify(edit(JSON.parse(l))) : l))));
    const r = await verifyFiles([file]);
    expect(r.breaks).toEqual([expect.objectContaining({ line: 4, seq: 4, message: expect.stringMatching(message) })]);
  });
});

describe('audit verify: signed checkpoints', () => {
  async function signed(every = 3) {
    const { privateKey, publicKey } = checkpointKeys();
    const lines = await writeLines(sampleEntries(), await signing(privateKey, every));
    return { lines, key: await verifierFromKey(publicKey) };
  }

  it('checkpoints follow every N records and at flush, and verify with the public key', async () => {
    const { lines, key } = await signed(4);
    const events = lines.map((l) => JSON.parse(l).event);
    expect(events.filter((e) => e === 'audit.checkpoint')).toHaveLength(3);
    expect(events[4]).toBe('audit.checkpoint');
    expect(events[events.length - 1]).toBe('audit.checkpoint');
    const r = await verifyFiles([writeTrail(tempDir(), 'audit.log', lines)], { key });
    expect(r).toMatchObject({ breaks: [], warnings: [], checkpoints: 3 });
  });

  it.each<{ what: string; tamper: (lines: string[]) => string[]; message: RegExp }>([
    {
      what: 'a chain rewritten end to end by someone without the key',
      tamper: (l) => {
        const out: string[] = [];
        let prev = '0'.repeat(64);
        for (const line of l) {
          const r = JSON.parse(line);
          if (r.pod?.name === 'api-1') r.pod.name = 'api-9';
          r.prev = prev;
          if (r.checkpoint) r.checkpoint.hash = prev;
          out.push(JSON.stringify(r));
          prev = sha(out[out.length - 1]!);
        }
        return out;
      },
      message: /signature does not verify/,
    },
    { what: 'every checkpoint removed and the chain recomputed', tamper: (l) => rechain(l.filter((x) => !x.includes('audit.checkpoint'))), message: /no signed checkpoint/ },
    { what: 'a checkpoint moved', tamper: (l) => [...l.slice(0, 3), l[4]!, l[3]!, ...l.slice(5)], message: /reordered|does not sign/ },
  ])('$what is caught', async ({ tamper, message }) => {
    const { lines, key } = await signed(3);
    const r = await verifyFiles([writeTrail(tempDir(), 'audit.log', tamper(lines))], { key });
    expect(r.breaks.map((b) => b.message).join('\n')).toMatch(message);
  });

  it('a checkpoint signed with another key is named as such', async () => {
    const { lines } = await signed(3);
    const other = await verifierFromKey(checkpointKeys('ec').publicKey);
    const r = await verifyFiles([writeTrail(tempDir(), 'audit.log', lines)], { key: other });
    expect(r.breaks[0]).toMatchObject({ line: 4, seq: 4, message: expect.stringMatching(/not by the given key/) });
  });

  it.each([
    { what: 'cut right after a checkpoint', keep: 10, records: 0, warnings: 0 },
    { what: 'cut one record after a checkpoint', keep: 11, records: 1, warnings: 1 },
  ])('the unsigned tail is reported with its size ($what): a truncation there cannot be proven', async ({ keep, records, warnings }) => {
    const { lines, key } = await signed(4);
    const cut = lines.slice(0, keep);
    const r = await verifyFiles([writeTrail(tempDir(), 'audit.log', cut)], { key });
    const lastCheckpoint = JSON.parse(lines[9]!).checkpoint;
    const bytes = cut.slice(10).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(r.breaks).toEqual([]);
    expect(r.tail).toEqual({ records, bytes, signedSeq: 9, signedTs: lastCheckpoint.ts });
    expect(r.warnings).toHaveLength(warnings);
    if (warnings > 0) expect(r.warnings[0]!.message).toMatch(new RegExp(`${records} record\\(s\\), ${bytes} bytes after the last signed checkpoint \\(seq 9`));
  });

  it('records after the last checkpoint are reported unsigned', async () => {
    const { lines, key } = await signed(100);
    const r = await verifyFiles([writeTrail(tempDir(), 'audit.log', lines.slice(0, -1))], { key });
    expect(r.breaks[0]?.message).toMatch(/no signed checkpoint/);
  });
});

function rechain(lines: string[]): string[] {
  const out: string[] = [];
  let prev = '0'.repeat(64);
  lines.forEach((line, i) => {
    const r = JSON.parse(line);
    r.seq = i + 1;
    r.prev = prev;
    out.push(JSON.stringify(r));
    prev = sha(out[i]!);
  });
  return out;
}

describe('audit verify: the log lines kubectl logs interleaves', () => {
  const log = (msg: string): string => JSON.stringify({ level: 'info', time: '2026-12-01T00:00:00.000Z', name: 'secrets-broker-sidecar', msg });
  it('are passed over and counted; the chain verifies', async () => {
    const lines = await writeLines(sampleEntries());
    const mixed = [log('sidecar started'), ...lines.slice(0, 4), log('all secrets rendered'), ...lines.slice(4), log('shutting down')];
    const r = await verifyFiles([writeTrail(tempDir(), 'kubectl-logs.txt', mixed)]);
    expect(r).toMatchObject({ breaks: [], warnings: [], records: 9, logLines: 3 });
  });

  it.each<[string, Tamper, number]>([
    // The record after it no longer links on.
    ['a record rewritten as a log line', (l) => l.map((x, j) => (j === 4 ? log('nothing to see') : x)), 6],
    // It keeps its chain fields, so it is read as a record, and its hash no longer matches.
    ['a record given a level and a msg', (l) => l.map((x, j) => (j === 4 ? `{"level":"info","msg":"x",${x.slice(1)}` : x)), 5],
  ])('%s: the chain breaks', async (_what, tamper, line) => {
    const lines = await writeLines(sampleEntries());
    const r = await verifyFiles([writeTrail(tempDir(), 'audit.log', tamper(lines))]);
    expect(r.breaks[0]).toMatchObject({ line });
  });
});
