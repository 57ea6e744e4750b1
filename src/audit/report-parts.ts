/** Pure HTML pieces of the report, and the capped collections it keeps. Every value is escaped. */
import { DistinctCount } from './distinct';
import { podKey } from './query';
import type { AuditRecord } from './record';

/** Characters escaped in HTML text and attribute values. */
export const HTML_SPECIAL = /[&<>"'`]/g;

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(v: string | number | undefined): string {
  return String(v ?? '').replace(HTML_SPECIAL, (c) => `&#${c.charCodeAt(0)};`);
}

/** `1000000` as `1,000,000`. */
export const num = (n: number): string => n.toLocaleString('en-US');

const COLUMNS = ['Time', 'Seq', 'Event', 'Outcome', 'Pod', 'Secret', 'Path', 'Version', 'Role', 'Error'];

/** One record as a table row (kept as text, not as the record: far smaller). */
export function recordRow(r: AuditRecord): string {
  const v = r.vault;
  const cells = [r.ts, r.seq, r.event, r.outcome, podKey(r), r.secret ?? '', v?.path ?? '', v?.version ?? '', v?.role ?? '', r.error ?? ''];
  return `<tr class="${r.outcome === 'failure' ? 'fail' : 'ok'}">${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
}

export function recordTable(rows: readonly string[], kind: string): string {
  if (rows.length === 0) return '<p class="none">None.</p>';
  return `<table class="records ${esc(kind)}"><thead><tr>${COLUMNS.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** The newest `cap` items; older ones are counted. */
export class Newest<T> {
  readonly items: T[] = [];
  dropped = 0;

  constructor(private readonly cap: number) {}

  push(x: T): void {
    this.items.push(x);
    if (this.items.length > this.cap) {
      this.items.shift();
      this.dropped += 1;
    }
  }
}

export interface Timeline {
  rows: Newest<string>;
  records: number;
  failures: number;
}

/**
 * Timelines for at most `maxKeys` keys (the first seen), each with its newest `maxRows`
 * rows; every key is counted (exactly, then estimated past 100,000).
 */
export class Timelines {
  readonly kept = new Map<string, Timeline>();
  readonly distinct: DistinctCount;

  constructor(
    private readonly maxKeys: number,
    private readonly maxRows: number,
    exactLimit?: number,
  ) {
    this.distinct = new DistinctCount(exactLimit);
  }

  add(key: string, r: AuditRecord): void {
    this.distinct.add(key);
    let t = this.kept.get(key);
    if (!t) {
      if (this.kept.size >= this.maxKeys) return;
      t = { rows: new Newest<string>(this.maxRows), records: 0, failures: 0 };
      this.kept.set(key, t);
    }
    t.records += 1;
    if (r.outcome === 'failure') t.failures += 1;
    t.rows.push(recordRow(r));
  }

  /** `1,000` or `about 1,000,000`. */
  total(): string {
    return `${this.distinct.estimated ? 'about ' : ''}${num(this.distinct.value)}`;
  }

  /** The page section: a `showing N of M` note when capped, then one `<details>` per kept key. */
  *render(kind: string, noun: string): Generator<string> {
    if (this.kept.size === 0) {
      yield '<p class="none">None.</p>';
      return;
    }
    if (this.distinct.value > this.kept.size || this.distinct.estimated) {
      yield `<p class="meta capped">Showing ${num(this.kept.size)} of ${this.total()} ${noun} (the first seen, newest ${num(this.maxRows)} records each); every failure is listed above.</p>\n`;
    }
    for (const [key, t] of [...this.kept.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const more = t.rows.dropped > 0 ? `<p class="meta">${num(t.rows.dropped)} older records not shown.</p>` : '';
      const fails = t.failures > 0 ? ` <span class="badge">${num(t.failures)} failed</span>` : '';
      yield `<details class="timeline" data-${kind}="${esc(key)}"${t.failures > 0 ? ' open' : ''}><summary><span class="key">${esc(key)}</span> <span class="n">${t.records} records</span>${fails}</summary>${more}${recordTable(t.rows.items, kind)}</details>\n`;
    }
  }
}

/** Counts per key for at most `maxKeys` keys; the rest go to one `other` count. */
export class CappedCounts {
  readonly counts = new Map<string, number>();
  other = 0;

  constructor(private readonly maxKeys: number) {}

  add(key: string, n = 1): void {
    const c = this.counts.get(key);
    if (c === undefined && this.counts.size >= this.maxKeys) this.other += n;
    else this.counts.set(key, (c ?? 0) + n);
  }
}
