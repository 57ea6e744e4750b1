import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { GENESIS } from '../../../src/audit/chain';
import { AuditWriter } from '../../../src/audit/writer';

describe('audit chain', () => {
  it('links every line to the SHA-256 of the previous line, verifiable with standard tools', () => {
    const out = new PassThrough();
    let t = Date.parse('2026-11-22T10:00:00.000Z');
    const w = new AuditWriter({ source: 'sidecar', stdout: out, now: () => new Date((t += 1)) });
    w.record({ event: 'auth.login', outcome: 'success', pod: { namespace: 'shop', name: 'web-1' } });
    w.record({ event: 'secret.read', outcome: 'success', secret: 'db', vault: { path: 'secret/data/db', version: 3 } });
    w.record({ event: 'secret.error', outcome: 'failure', secret: 'db', error: 'permission denied' });
    const lines = (out.read() as Buffer).toString('utf8').split('\n').filter(Boolean);
    const records = lines.map((l) => JSON.parse(l));
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records[0].prev).toBe(GENESIS);
    for (let i = 1; i < lines.length; i++) {
      expect(records[i].prev).toBe(createHash('sha256').update(lines[i - 1]!).digest('hex'));
    }
    expect(Object.keys(records[0]).slice(0, 6)).toEqual(['ts', 'seq', 'prev', 'source', 'event', 'outcome']);
    expect(records[0].ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(w.chainHead.seq).toBe(3);
  });
});
