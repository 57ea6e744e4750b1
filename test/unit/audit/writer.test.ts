/** The audit writer's file sink: rotation keeps the chain continuous; docs/threat-model.md T31 (sink unwritable). */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { AUDIT_METRIC } from '../../../src/audit/metrics';
import type { SinkFs } from '../../../src/audit/file-sink';
import { verifyFiles } from '../../../src/audit/verify';
import { AuditWriter } from '../../../src/audit/writer';
import { verifierFromKey } from '../../../src/audit/checkpoint';
import { checkpointKeys, clock, sampleEntries, signing, tempDir } from '../../helpers/audit-fixtures';
import { waitFor } from '../../helpers/wait';

function capture() {
  const out = new PassThrough();
  const lines: string[] = [];
  let buf = '';
  out.on('data', (c: Buffer) => {
    buf += c.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  return { out, lines };
}

const rotated = (path: string) => [5, 4, 3, 2, 1].map((i) => `${path}.${i}`).filter((p) => fs.existsSync(p)).concat(path);

/** An fs whose writes fail while `broken.on` is true. */
function flakyFs(code: string) {
  const broken = { on: false };
  const fail = () => {
    const e = new Error(code) as NodeJS.ErrnoException;
    e.code = code;
    throw e;
  };
  const f: SinkFs = {
    ...fs,
    openSync: ((...a: Parameters<typeof fs.openSync>) => (broken.on ? fail() : fs.openSync(...a))),
    writeSync: ((...a: Parameters<typeof fs.writeSync>) => (broken.on ? fail() : (fs.writeSync as (...x: unknown[]) => number)(...a))) as typeof fs.writeSync,
  };
  return { f, broken };
}

async function counter(reg: Registry, name: string) {
  return (await reg.getSingleMetric(name)!.get()).values.reduce((n, v) => n + v.value, 0);
}

describe('AuditWriter file sink', () => {
  it('rotates by size and the chain runs on across files, oldest first', async () => {
    const path = join(tempDir(), 'audit.log');
    const { out, lines } = capture();
    const w = new AuditWriter({ source: 'sidecar', stdout: out, now: clock(), file: { path, maxBytes: 1200, keep: 3 } });
    for (let i = 0; i < 4; i++) for (const e of sampleEntries()) w.record(e);
    await w.close();
    const files = rotated(path);
    expect(files).toHaveLength(4);
    for (const f of files) expect(fs.statSync(f).size).toBeLessThanOrEqual(1200);
    const fileLines = files.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean));
    expect(fileLines).toEqual(lines.slice(lines.length - fileLines.length));
    const r = await verifyFiles(files, { allowPartial: true });
    expect(r.breaks).toEqual([]);
    expect(r.head.seq).toBe(36);
  });

  it('a restarted writer rotates a file that ends in a torn line, so the torn line stays last in its file, and continues the chain', async () => {
    const path = join(tempDir(), 'audit.log');
    const w1 = new AuditWriter({ source: 'sidecar', stdout: new PassThrough(), now: clock(), file: { path } });
    for (const e of sampleEntries()) w1.record(e);
    await w1.close();
    fs.appendFileSync(path, '{"ts":"2026-11-22T10:00:10.000Z","seq":10,"pr');
    const w2 = new AuditWriter({ source: 'sidecar', stdout: new PassThrough(), now: clock(), file: { path } });
    expect(w2.chainHead.seq).toBe(9);
    w2.record(sampleEntries()[0]!);
    await w2.close();
    expect(fs.readFileSync(`${path}.1`, 'utf8').endsWith('"pr')).toBe(true);
    expect(fs.readFileSync(path, 'utf8').split('\n')).toHaveLength(2);
    const r = await verifyFiles([`${path}.1`, path]);
    expect(r.breaks).toEqual([]);
    expect(r.head.seq).toBe(10);
    expect(r.warnings).toEqual([expect.objectContaining({ file: `${path}.1`, line: 10, message: expect.stringMatching(/torn last line/) })]);
  });

  it('after a crash, a restarted signing writer covers the unsigned tail with its first checkpoint', async () => {
    const path = join(tempDir(), 'audit.log');
    const { privateKey, publicKey } = checkpointKeys();
    const opts = async () => ({ source: 'sidecar' as const, stdout: new PassThrough(), now: clock(), file: { path }, ...(await signing(privateKey, 4)) });
    const w1 = new AuditWriter(await opts());
    for (const e of sampleEntries()) w1.record(e); // 9 records, checkpoints after 4 and 8, one unsigned: a crash, no flush
    await waitFor('both checkpoints signed and the queue written', () => w1.chainHead.seq === 11);
    const w2 = new AuditWriter(await opts());
    for (const e of sampleEntries().slice(0, 5)) w2.record(e);
    await w2.close();
    const r = await verifyFiles([path], { key: await verifierFromKey(publicKey) });
    expect(r).toMatchObject({ breaks: [], warnings: [] });
    expect(r.checkpoints).toBe(4);
  });

  it.each([
    { what: 'ENOSPC (tmpfs full)', code: 'ENOSPC' },
    { what: 'EACCES (permission)', code: 'EACCES' },
    { what: 'EROFS (read-only mount)', code: 'EROFS' },
  ])('$what: stdout keeps every record, the file catches up from its backlog, nothing throws', async ({ code }) => {
    const path = join(tempDir(), 'audit.log');
    const { f, broken } = flakyFs(code);
    const registry = new Registry();
    const errors: string[] = [];
    const { out, lines } = capture();
    let now = Date.parse('2026-11-22T10:00:00.000Z');
    const w = new AuditWriter({
      source: 'sidecar', stdout: out, registry, now: () => new Date((now += 1000)),
      file: { path, fs: f, retryMs: 3000 }, onError: (what, c) => errors.push(`${what}:${c}`),
    });
    const entries = sampleEntries();
    w.record(entries[0]!);
    broken.on = true;
    expect(() => entries.slice(1, 5).forEach((e) => w.record(e))).not.toThrow();
    broken.on = false;
    for (const e of entries.slice(5)) w.record(e);
    await w.close();
    expect(lines).toHaveLength(9);
    expect(errors[0]).toBe(`file:${code}`);
    expect(await counter(registry, AUDIT_METRIC.sinkErrors)).toBeGreaterThan(0);
    expect(await counter(registry, AUDIT_METRIC.lost)).toBe(0);
    expect(fs.readFileSync(path, 'utf8').split('\n').filter(Boolean)).toEqual(lines);
    expect((await verifyFiles([path])).breaks).toEqual([]);
  });

  it('a full backlog drops the oldest lines, counts them in the loss metric, and verify shows the gap', async () => {
    const path = join(tempDir(), 'audit.log');
    const { f, broken } = flakyFs('ENOSPC');
    const registry = new Registry();
    const { out, lines } = capture();
    let now = 0;
    const w = new AuditWriter({ source: 'sidecar', stdout: out, registry, now: () => new Date((now += 10_000)), file: { path, fs: f, backlogLines: 2 } });
    const entries = sampleEntries();
    w.record(entries[0]!);
    broken.on = true;
    entries.slice(1, 6).forEach((e) => w.record(e));
    broken.on = false;
    entries.slice(6).forEach((e) => w.record(e));
    await w.close();
    expect(lines).toHaveLength(9);
    expect(w.lostToFile).toBe(3);
    expect(await counter(registry, AUDIT_METRIC.lost)).toBe(3);
    const r = await verifyFiles([path]);
    expect(r.breaks[0]).toMatchObject({ line: 2, seq: 5, message: expect.stringMatching(/removed/) });
  });

  it('an audit file that can never be opened leaves the sidecar serving: stdout complete, loss counted', async () => {
    const dir = tempDir();
    const registry = new Registry();
    const { out, lines } = capture();
    const w = new AuditWriter({ source: 'sidecar', stdout: out, registry, now: clock(), file: { path: join(dir, 'no-such-dir', 'audit.log'), backlogLines: 4 } });
    for (let i = 0; i < 3; i++) for (const e of sampleEntries()) w.record(e);
    await expect(w.close()).resolves.toBeUndefined();
    expect(lines).toHaveLength(27);
    expect(await counter(registry, AUDIT_METRIC.lost)).toBe(23);
  });
});
