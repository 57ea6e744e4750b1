/** `audit query`: streams records through a filter and prints rows, groups or current versions. */
import { once } from 'node:events';
import { RecordFilter, type QueryFilter } from './query';
import { CurrentVersions, GroupCounter, type GroupKey } from './query-aggregate';
import { readRecords, type ReadStats } from './read';
import type { AuditRecord } from './record';
import { formatTable, StreamTable } from './table';

export interface QueryRunOptions {
  filter: QueryFilter;
  format: 'table' | 'json';
  groupBy?: GroupKey;
  currentVersions?: boolean;
  /** Accept a first file that starts after seq 1. */
  allowPartial?: boolean;
}

/** How many records matched, besides the read counts, and what the caps left out. */
export interface QueryStats extends ReadStats {
  matched: number;
  /** Matching records counted in the `(other groups)` row or left out of --current-versions (caps). */
  overflow: number;
  /** Logins whose role was not remembered (--role may miss those pods' later records). */
  rolesNotKept: number;
}

const COLUMNS = ['TIME', 'EVENT', 'OUTCOME', 'NAMESPACE', 'POD', 'SECRET', 'PATH', 'VERSION', 'ROLE', 'ERROR'];
const WIDTHS = [24, 16, 7, 12, 20, 10, 28, 7, 10, 0];

function cells(r: AuditRecord, role: string | undefined): string[] {
  const v = r.vault;
  return [r.ts, r.event, r.outcome, r.pod?.namespace ?? '-', r.pod?.name ?? '-', r.secret ?? '-', v?.path ?? '-', v?.version !== undefined ? String(v.version) : '-', role ?? '-', r.error ?? ''];
}

/** Runs a query over `files` (rotation order, oldest first), writing to `out`; only verified records count. */
export async function runQuery(files: readonly string[], o: QueryRunOptions, out: NodeJS.WritableStream): Promise<QueryStats> {
  const filter = new RecordFilter(o.filter);
  const groups = o.groupBy ? new GroupCounter(o.groupBy) : undefined;
  const versions = o.currentVersions ? new CurrentVersions() : undefined;
  const table = new StreamTable(COLUMNS, WIDTHS);
  const listing = !groups && !versions;
  let pending = '';
  let matched = 0;
  if (listing) pending = o.format === 'json' ? '[' : table.header();
  const emit = async (): Promise<void> => {
    if (pending.length === 0) return;
    const ok = out.write(pending);
    pending = '';
    if (!ok) await once(out, 'drain');
  };
  const stats = await readRecords(
    files,
    (r) => {
      if (!filter.accept(r)) return;
      const role = filter.roleOf(r);
      matched += 1;
      if (groups) groups.add(r, role);
      else if (versions) versions.add(r);
      else if (o.format === 'json') pending += `${matched > 1 ? ',' : ''}\n${JSON.stringify(r)}`;
      else pending += table.row(cells(r, role));
    },
    { allowPartial: o.allowPartial, afterChunk: emit, skip: (line) => filter.quickReject(line) },
  );
  pending += listing ? (o.format === 'json' ? '\n]\n' : '') : aggregates(o.format, groups, versions);
  await emit();
  return { ...stats, matched, overflow: (groups?.overflow ?? 0) + (versions?.overflow ?? 0), rolesNotKept: filter.rolesNotKept };
}

function aggregates(format: 'table' | 'json', groups: GroupCounter | undefined, versions: CurrentVersions | undefined): string {
  if (groups) return render(format, ['GROUP', 'RECORDS', 'FAILURES', 'FIRST', 'LAST'], groups.result(), (g) => [g.group, String(g.records), String(g.failures), g.first, g.last]);
  return render(format, ['NAMESPACE', 'POD', 'SECRET', 'PATH', 'VERSION', 'SINCE'], versions!.result(), (v) => [v.namespace, v.pod, v.secret, v.path, v.version, v.since]);
}

function render<T>(format: 'table' | 'json', headers: string[], rows: T[], toCells: (row: T) => string[]): string {
  return format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : formatTable(headers, rows.map(toCells));
}
