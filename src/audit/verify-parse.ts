/**
 * Pure: what the chain verifier reads from one line. A full parse checks the record's
 * whole shape with strict types; the quick read takes seq, prev and event from the
 * fixed-order prefix the writer emits, for lines nobody will look at beyond the chain.
 */
import type { AuditRecord, CheckpointRef } from './record';
import { HEX64, recordProblem } from './record-shape';

/** The chain fields of a line, and the record when its shape is valid. */
export interface Parsed {
  seq: number;
  prev: string;
  event?: unknown;
  checkpoint?: CheckpointRef;
  /** Set by a full parse of a well-formed record. */
  record?: AuditRecord;
  /** Set by a full parse when the chain fields hold but another field is wrong. */
  problem?: string;
}

const PREFIX = '{"ts":"';
const LOG_PREFIX = '{"level":';

/**
 * A log line of the project's own (pino: `level` first, a `msg`, no chain fields), which
 * `kubectl logs` interleaves with the records. Passing over one loses nothing: a record
 * rewritten to look like one leaves a gap the next record's link shows.
 */
export function isLogLine(line: Buffer): boolean {
  if (line.length < LOG_PREFIX.length || line.toString('latin1', 0, LOG_PREFIX.length) !== LOG_PREFIX) return false;
  const o = jsonObject(line);
  return o !== undefined && typeof o.msg === 'string' && !('seq' in o) && !('prev' in o);
}

/** Reads the prefix without parsing the line; undefined on any doubt (checkpoints included). */
export function quickParse(line: Buffer): Parsed | undefined {
  if (line[line.length - 1] !== 0x7d) return undefined;
  const s = line.toString('latin1', 0, 200);
  if (!s.startsWith(PREFIX)) return undefined;
  const i = s.indexOf(',"seq":');
  const j = s.indexOf(',"prev":"', i);
  const k = s.indexOf('"event":"', j);
  if (i < 0 || j < 0 || k < 0 || s[j + 73] !== '"') return undefined;
  const seq = Number(s.slice(i + 7, j));
  const prev = s.slice(j + 9, j + 73);
  const event = s.slice(k + 9, s.indexOf('"', k + 9));
  if (!Number.isSafeInteger(seq) || seq < 1 || !HEX64.test(prev) || event === 'audit.checkpoint') return undefined;
  return { seq, prev, event };
}

/**
 * Parses the whole line. Undefined when it has no usable chain fields (not a record at
 * all); `problem` when it links into the chain but is not a well-formed record.
 */
export function fullParse(line: Buffer): Parsed | undefined {
  const v = jsonObject(line);
  if (v === undefined) return undefined;
  const r = v as Partial<Parsed>;
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 1 || typeof r.prev !== 'string' || !HEX64.test(r.prev)) return undefined;
  const problem = recordProblem(v);
  if (problem) return { seq: r.seq as number, prev: r.prev, problem };
  const record = v as unknown as AuditRecord;
  return { seq: record.seq, prev: record.prev, event: record.event, checkpoint: record.checkpoint, record };
}

/** The line as a JSON object, or undefined (not JSON, or not an object). */
function jsonObject(line: Buffer): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line.toString('utf8'));
  } catch {
    return undefined;
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
