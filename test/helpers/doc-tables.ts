/**
 * Reads the settings tables of the README and docs/*.md: the first Markdown table after a
 * heading, as one entry per backticked setting name (the first cell that has any).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..');

export interface DocRow {
  /** The row's whole line, for "mentions" checks. */
  line: string;
  /** The default cell; for a row naming several settings (`A` / `B`), that setting's part. */
  default: string;
}

function cells(line: string): string[] {
  return line.replace(/^\|/, '').replace(/\|\s*$/, '').split('|').map((c) => c.trim());
}

/** name -> row, for the table that follows `heading` (the first table after it). */
export function docTable(file: string, heading: string): Map<string, DocRow> {
  const lines = readFileSync(join(REPO, file), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('#') && l.includes(heading));
  if (start < 0) throw new Error(`${file}: no heading ${heading}`);
  const first = lines.findIndex((l, i) => i > start && l.startsWith('|'));
  const header = cells(lines[first]!);
  const col = header.indexOf('default');
  const rows = new Map<string, DocRow>();
  for (let i = first + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    const c = cells(lines[i]!);
    // The names: the first cell before the default column that names settings (`UPPER_CASE`).
    const names = c.slice(0, col).map((cell) => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!)).find((n) => n.length > 0) ?? [];
    const defaults = c[col]!.split(' / ');
    names.forEach((name, n) => rows.set(name, { line: lines[i]!, default: (names.length > 1 && defaults.length === names.length ? defaults[n]! : c[col]!).trim() }));
  }
  return rows;
}

/** The default cell says "required", "empty"/"none", or shows the default in backticks. */
export function defaultCellMatches(cell: string, def: string | undefined): boolean {
  if (def === undefined) return cell === 'required';
  if (def === '') return /^(empty|none|stdout only|Node's bundled roots)\b/.test(cell);
  return cell.includes(`\`${def}\``);
}
