/** Plain-text tables for the terminal. Every cell is made terminal-safe first. */

/** Record fields are attacker-influenced: control characters (escape sequences) are shown escaped. */
export function termSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A table with widths fitted to its rows. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((r) => r.map((c) => termSafe(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const fmt = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [fmt(headers), ...cells.map(fmt)].map((l) => `${l}\n`).join('');
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
