/** Plain-text tables for the terminal. Record fields are attacker-influenced: every cell goes through `printable` first. */
import { printable } from '../printable';

/**
 * Column widths fitted to the rows, in one pass: a loop, never `Math.max(...cells)`, whose
 * arguments go on the stack and overflow it beyond about 125,000 rows.
 */
export function fitWidths(headers: readonly string[], rows: Iterable<readonly string[]>): number[] {
  const widths = headers.map((h) => h.length);
  for (const r of rows) {
    for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, printable(r[i] ?? '').length);
  }
  return widths;
}

/** A table with widths fitted to its rows. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const t = new StreamTable(headers, fitWidths(headers, rows));
  let out = t.header();
  for (const r of rows) out += t.row(r);
  return out;
}

/** A streamed table with fixed column widths (long cells push the line wider). */
export class StreamTable {
  constructor(
    private readonly headers: readonly string[],
    private readonly widths: readonly number[],
  ) {}

  header(): string {
    return this.row(this.headers);
  }

  row(cells: readonly string[]): string {
    return `${cells.map((c, i) => printable(c).padEnd(this.widths[i] ?? 0)).join('  ').trimEnd()}\n`;
  }
}
