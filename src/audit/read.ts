/**
 * The one reader behind `audit query`, `report` and `correlate`: it streams the files
 * through the chain verifier and passes on only records that verify. A record is passed
 * once the line after it links on to it (or it is the last); from the first break on,
 * nothing is passed: those records are counted as unverified and the break is named.
 * Memory is constant: one held-back record and the verifier's head.
 */
import { forEachLine } from './lines';
import type { AuditRecord } from './record';
import { ChainVerifier, type Finding } from './verify';
import { fullParse } from './verify-parse';

/** One line as a record, strictly typed; undefined when it is not a well-formed record (the chain is not checked). */
export function parseRecord(line: Buffer | string): AuditRecord | undefined {
  return fullParse(typeof line === 'string' ? Buffer.from(line) : line)?.record;
}

/** What a read saw. */
export interface ReadStats {
  /** Records passed on (verified). */
  records: number;
  /** Records after the first break, not passed on. */
  unverified: number;
  /** Lines that were not well-formed records (a torn last line included). */
  badLines: number;
  /** The first break, where the unverified records start. */
  firstBreak?: Finding;
}

export interface ReadOptions {
  /** Accept a first file that starts after seq 1 (older rotated files deleted). */
  allowPartial?: boolean;
  /** Awaited between chunks (the caller may write output and wait for drain). */
  afterChunk?: () => Promise<void>;
  /** True for a raw line the caller will certainly not use: its full parse may be skipped. */
  skip?: (line: Buffer) => boolean;
}

/**
 * Calls `onRecord` for every verified record of `files` (rotation order, oldest first,
 * as for `audit verify`), in order.
 */
export async function readRecords(files: readonly string[], onRecord: (r: AuditRecord, file: string) => void, o: ReadOptions = {}): Promise<ReadStats> {
  const stats: ReadStats = { records: 0, unverified: 0, badLines: 0 };
  let broken = false;
  const onBreak = (f: Finding): void => {
    broken = true;
    const first = stats.firstBreak;
    if (!first || f.fileIndex < first.fileIndex || (f.fileIndex === first.fileIndex && f.line < first.line)) stats.firstBreak = f;
  };
  const v = new ChainVerifier({ allowPartial: o.allowPartial, onBreak });
  let held: { r: AuditRecord; file: string } | undefined;
  const release = (tainted: boolean): void => {
    if (!held) return;
    if (tainted) stats.unverified += 1;
    else {
      stats.records += 1;
      onRecord(held.r, held.file);
    }
    held = undefined;
  };
  for (const [i, file] of files.entries()) {
    await forEachLine(
      file,
      (line, no, state) => {
        const use = !o.skip?.(line);
        const before = broken;
        const seen = v.records;
        const r = v.line(line, file, i, no, state, use);
        // Only the next record can confirm the held one: a line that is no record says nothing of it.
        if (v.records === seen) return;
        // A record that does not link on casts doubt on the held one, too (the line after tells which);
        // any other break (this line's shape, a line put in before it) leaves the held one, linked onto, as it was.
        if (v.inDoubt) broken = true;
        release(v.inDoubt || before);
        if (r && use) held = { r, file };
      },
      o.afterChunk,
    );
    v.endFile();
  }
  await v.end();
  release(broken);
  stats.badLines = v.badLines;
  return stats;
}
