/** Audit trails generated at test time with the real writer. */
import * as crypto from 'node:crypto';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { signerFromKey } from '../../src/audit/checkpoint';
import type { AuditEntry } from '../../src/audit/record';
import { AuditWriter, type AuditWriterOptions } from '../../src/audit/writer';

export function tempDir(prefix = 'audit-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A clock that advances one second per call from a fixed start. */
export function clock(start = '2026-11-22T10:00:00.000Z'): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

/** A realistic sidecar sequence for pod `name` in `namespace`. */
export function podEntries(namespace: string, name: string, opts: { role?: string; version?: number; fail?: boolean } = {}): AuditEntry[] {
  const pod = { namespace, name, uid: `uid-${name}`, serviceAccount: 'app', node: 'node-1' };
  const path = 'secret/data/app/db';
  const entries: AuditEntry[] = [
    { event: 'auth.login', outcome: 'success', pod, vault: { role: opts.role ?? 'app', accessor: `acc-${name}`, requestId: `req-login-${name}` } },
    { event: 'secret.read', outcome: 'success', pod, secret: 'db', file: 'db.json', vault: { path, version: opts.version ?? 3, requestId: `req-read-${name}` } },
  ];
  if (opts.fail) entries.push({ event: 'secret.error', outcome: 'failure', pod, secret: 'db', vault: { path }, error: 'permission denied' });
  return entries;
}

/** Writes entries through an AuditWriter; returns the lines it wrote to stdout. */
export async function writeLines(entries: AuditEntry[], extra: Partial<AuditWriterOptions> = {}): Promise<string[]> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const w = new AuditWriter({ source: 'sidecar', stdout: out, now: clock(), ...extra });
  for (const e of entries) w.record(e);
  await w.flush();
  await new Promise((r) => setImmediate(r));
  return Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l.length > 0);
}

/** Writes lines as a file (each followed by a newline unless `torn`). */
export function writeTrail(dir: string, name: string, lines: string[], torn?: string): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => `${l}\n`).join('') + (torn ?? ''));
  return path;
}

/** A fresh Ed25519 or P-256 key pair for checkpoints. */
export function checkpointKeys(kind: 'ed25519' | 'ec' = 'ed25519'): { privateKey: KeyObject; publicKey: KeyObject } {
  return kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
}

/** Writer options that sign a checkpoint after every `every` records. */
export async function signing(privateKey: KeyObject, every: number, stream = 'sidecar/shop/web-1'): Promise<Partial<AuditWriterOptions>> {
  return { checkpoint: { signer: await signerFromKey(privateKey), every, stream } };
}

/** Nine records of three pods, one failing. */
export function sampleEntries(): AuditEntry[] {
  return [...podEntries('shop', 'web-1'), ...podEntries('shop', 'web-2', { version: 4 }), ...podEntries('pay', 'api-1', { role: 'payments', fail: true }), ...podEntries('shop', 'web-1', { version: 4 })];
}

const oneShot = (crypto as { hash?: (alg: string, data: string) => string }).hash;
const sha256 = (s: string): string => (oneShot ? oneShot('sha256', s) : createHash('sha256').update(s).digest('hex'));

/**
 * `n` chained record lines built directly (no writer): fast enough for 200,000 lines.
 * `fields(i)` gives each record's fields after ts, seq, prev and source.
 */
export function chainedLines(n: number, fields: (i: number) => Record<string, unknown>): string[] {
  const lines: string[] = [];
  let prev = '0'.repeat(64);
  for (let i = 1; i <= n; i++) {
    const line = JSON.stringify({ ts: new Date(Date.UTC(2026, 10, 22) + i * 1000).toISOString(), seq: i, prev, source: 'sidecar', ...fields(i) });
    lines.push(line);
    prev = sha256(line);
  }
  return lines;
}

/** One read per pod: `ns-<i % 7>/pod-<i>`; every 10th fails. */
export const readOfPod = (i: number): Record<string, unknown> => ({
  event: 'secret.read',
  outcome: i % 10 === 0 ? 'failure' : 'success',
  pod: { namespace: `ns-${i % 7}`, name: `pod-${i}` },
  secret: 'db',
  vault: { path: 'secret/data/app/db', version: 3 },
});
