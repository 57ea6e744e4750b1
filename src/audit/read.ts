/** Streams audit records out of files, skipping lines that are not records. */
import { forEachLine } from './lines';
import type { AuditRecord } from './record';

/** Counts of what a read saw besides records. */
export interface ReadStats {
  records: number;
  skipped: number;
}

/** Parses one line; undefined when it is not an audit record. */
export function parseRecord(line: Buffer | string): AuditRecord | undefined {
  try {
    const r = JSON.parse(typeof line === 'string' ? line : line.toString('utf8')) as Partial<AuditRecord> | null;
    if (!r || typeof r !== 'object' || typeof r.seq !== 'number' || typeof r.ts !== 'string' || typeof r.event !== 'string') return undefined;
    return r as AuditRecord;
  } catch {
    return undefined;
  }
}

/**
 * Calls `onRecord` for every record of every file, in order, with constant memory.
 * Lines `skip` rejects are counted as records without being parsed.
 */
export async function readRecords(
  files: readonly string[],
  onRecord: (r: AuditRecord, file: string) => void,
  afterChunk?: () => Promise<void>,
  skip?: (line: Buffer) => boolean,
): Promise<ReadStats> {
  const stats: ReadStats = { records: 0, skipped: 0 };
  for (const file of files) {
    await forEachLine(file, (line) => {
      if (skip?.(line)) {
        stats.records += 1;
        return;
      }
      const r = parseRecord(line);
      if (!r) {
        stats.skipped += 1;
        return;
      }
      stats.records += 1;
      onRecord(r, file);
    }, afterChunk);
  }
  return stats;
}
