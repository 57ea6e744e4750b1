/**
 * The scan as a whole: load the ignore files, scan every target, split accepted
 * findings from the rest. Output formatting and exit codes live in the CLI.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors';
import type { Finding } from './finding';
import { ignoredBy, parseIgnore, pathSkipped, type IgnoreEntry } from './ignore';
import type { ScanCounts } from './image';
import { ALL_RULE_INFO } from './rules';
import { merge, scanTarget } from './walk';

/** Default ignore file name, looked up in each target's directory. */
export const IGNORE_FILE = '.secrets-broker-ignore';

/** What to scan. */
export interface ScanOptions {
  targets: readonly string[];
  /** An explicit ignore file; without it, `.secrets-broker-ignore` in each target's directory. */
  ignoreFile?: string;
}

/** A finding accepted by the ignore file, with the reason given there. */
export interface IgnoredFinding {
  finding: Finding;
  reason: string;
}

/** The outcome of a scan. */
export interface ScanReport {
  targets: readonly string[];
  findings: Finding[];
  ignored: IgnoredFinding[];
  /** Unreadable input: one line each; the CLI exits 2 when there are any. */
  problems: string[];
  counts: ScanCounts;
}

async function ignoreFiles(opts: ScanOptions): Promise<string[]> {
  if (opts.ignoreFile !== undefined) return [opts.ignoreFile];
  const dirs = await Promise.all(
    opts.targets.map(async (t) => ((await stat(t).then((s) => s.isDirectory(), () => false)) ? t : dirname(t))),
  );
  const found: string[] = [];
  for (const d of new Set(dirs.map((x) => resolve(x)))) {
    const f = join(d, IGNORE_FILE);
    if (await stat(f).then((s) => s.isFile(), () => false)) found.push(f);
  }
  return found;
}

/** Reads and checks the ignore files; throws UsageError listing every bad line. */
export async function loadIgnore(opts: ScanOptions): Promise<IgnoreEntry[]> {
  const ids = ALL_RULE_INFO.map((r) => r.id);
  const entries: IgnoreEntry[] = [];
  const problems: string[] = [];
  for (const file of await ignoreFiles(opts)) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      problems.push(`${file}: cannot read ignore file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      continue;
    }
    const parsed = parseIgnore(text, file, dirname(resolve(file)), ids);
    for (const e of parsed.entries) entries.push(e);
    for (const p of parsed.problems) problems.push(p);
  }
  if (problems.length > 0) throw new UsageError(problems);
  return entries;
}

/** Scans every target and applies the ignore entries. */
export async function runScan(opts: ScanOptions): Promise<ScanReport> {
  const entries = await loadIgnore(opts);
  const all = { findings: [] as Finding[], problems: [] as string[], counts: { files: 0, bytes: 0, binary: 0, symlinks: 0, ignored: 0 } };
  for (const target of opts.targets) merge(all, await scanTarget(target, (display) => pathSkipped(display, entries)));
  const report: ScanReport = { targets: opts.targets, findings: [], ignored: [], problems: all.problems, counts: all.counts };
  for (const f of all.findings) {
    const by = ignoredBy(f, entries);
    if (by) report.ignored.push({ finding: f, reason: by.reason });
    else report.findings.push(f);
  }
  return report;
}
