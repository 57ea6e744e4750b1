/** Reading the repository's markdown in tests: tables by their header row. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root, found from this file. */
export const REPO = join(__dirname, '..', '..');

export function readRepoFile(relative: string): string {
  return readFileSync(join(REPO, relative), 'utf8');
}

/** The cells of one table row; `\|` inside a cell is a literal bar. */
export function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** The body rows of the first table whose header row has exactly these cells; throws when there is none. */
export function table(markdown: string, header: readonly string[]): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim().startsWith('|') && JSON.stringify(cells(l)) === JSON.stringify(header));
  if (start < 0) throw new Error(`no table with header | ${header.join(' | ')} |`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.trim().startsWith('|')) break;
    rows.push(cells(line));
  }
  return rows;
}

/** Text without markdown code ticks. */
export function plain(text: string): string {
  return text.replace(/`/g, '');
}
