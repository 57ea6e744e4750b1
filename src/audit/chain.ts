import * as crypto from 'node:crypto';
import type { AuditEntry, AuditRecord, AuditSource } from './record';

/** `prev` of the first record of a stream. */
export const GENESIS = '0'.repeat(64);

/** One-shot hashing where the runtime has it (Node >= 20.12): no Hash object per line. */
const oneShot = (crypto as { hash?: (alg: string, data: string | Buffer) => string }).hash;

/** Hex SHA-256 of a string's UTF-8 bytes or of a Buffer. */
export function sha256Hex(data: string | Buffer): string {
  return oneShot ? oneShot('sha256', data) : crypto.createHash('sha256').update(data).digest('hex');
}

/** Hex SHA-256 of a record line's exact bytes (without the newline). */
export function lineHash(line: string): string {
  return sha256Hex(line);
}

/** The head of a chain: the last sequence number and the hash of the last line. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS };

/**
 * Pure: turns an entry into the next line of the chain and the new head.
 * Field order is ts, seq, prev, source, then the entry's fields in contract order.
 */
export function chainLine(head: ChainHead, source: AuditSource, entry: AuditEntry, now: Date): { line: string; head: ChainHead } {
  const record: AuditRecord = {
    ts: now.toISOString(),
    seq: head.seq + 1,
    prev: head.hash,
    source,
    event: entry.event,
    outcome: entry.outcome,
    ...(entry.pod && { pod: entry.pod }),
    ...(entry.actor && { actor: entry.actor }),
    ...(entry.secret !== undefined && { secret: entry.secret }),
    ...(entry.file !== undefined && { file: entry.file }),
    ...(entry.vault && { vault: entry.vault }),
    ...(entry.error !== undefined && { error: entry.error }),
    ...(entry.detail && { detail: entry.detail }),
    ...(entry.checkpoint && { checkpoint: entry.checkpoint }),
  };
  const line = JSON.stringify(record);
  return { line, head: { seq: record.seq, hash: lineHash(line) } };
}
