/** Plain-text tables for the terminal. Every cell is made terminal-safe first. */

/** C0 and C1 controls, DEL and the Unicode line separators. */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
export const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Record fields are attacker-influenced: control characters (escape sequences) are shown escaped. */
export function termSafe(s: string): string {
  if (!HAS_CONTROL.test(s)) return s;
  return s.replace(CONTROL_CHARS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Column widths fitted to the rows, in one pass: a loop, never `Math.max(...cells)`, whose
 * arguments go on the stack and overflow it beyond about 125,000 rows.
 */
export function fitWidths(headers: readonly string[], rows: Iterable<readonly string[]>): number[] {
  const widths = headers.map((h) => h.length);
  for (const r of rows) {
    for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, termSafe(r[i] ?? '').length);
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
    return `${cells.map((c, i) => termSafe(c).padEnd(this.widths[i] ?? 0)).join('  ').trimEnd()}\n`;
  }
}
