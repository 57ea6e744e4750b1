/**
 * `audit report --html`: one self-contained page (inline CSS, no script, no external
 * asset; a CSP forbids loading anything) with summary counts, every failure, and a
 * timeline per secret and per pod. Every record value is HTML-escaped: pod names and
 * error strings are attacker-influenced. Memory is bounded whatever the number of pods:
 * timelines are kept for the first TIMELINES pods and secrets, rows as text.
 */
import { podKey } from './query';
import type { ReadStats } from './read';
import type { AuditRecord } from './record';
import { CappedCounts, esc, Newest, num, recordRow, recordTable, Timelines } from './report-parts';

export { esc } from './report-parts';

/** Rows kept per timeline (the newest); older rows are counted, not shown. */
export const TIMELINE_ROWS = 50;
/** Pods (and secrets) with a timeline: the first seen; the rest are counted. */
export const TIMELINES = 1000;
/** Failures listed in full (the newest); the count covers all. */
export const FAILURE_ROWS = 2000;
/** Namespaces in the failures-per-namespace table; the rest are summed in one row. */
export const NAMESPACES = 1000;

/** Collects records (bounded memory) and renders the page in pieces. */
export class ReportBuilder {
  private records = 0;
  private failures = 0;
  private readonly events = new CappedCounts(NAMESPACES);
  private readonly failed = new Newest<string>(FAILURE_ROWS);
  private readonly failuresByNs = new CappedCounts(NAMESPACES);
  readonly bySecret = new Timelines(TIMELINES, TIMELINE_ROWS);
  readonly byPod = new Timelines(TIMELINES, TIMELINE_ROWS);
  private first = '';
  private last = '';

  add(r: AuditRecord): void {
    if (r.event === 'audit.checkpoint') return;
    this.records += 1;
    this.events.add(r.event);
    if (!this.first || r.ts < this.first) this.first = r.ts;
    if (r.ts > this.last) this.last = r.ts;
    if (r.outcome === 'failure') {
      this.failures += 1;
      this.failed.push(recordRow(r));
      if (r.pod) this.failuresByNs.add(r.pod.namespace);
    }
    const secret = r.vault?.path ?? r.secret;
    if (secret !== undefined) this.bySecret.add(secret, r);
    if (r.pod) this.byPod.add(podKey(r), r);
  }

  /** The whole page, in pieces to write one after the other. */
  *render(title: string, generated: Date, read?: ReadStats): Generator<string> {
    const byNs: [string, number][] = [...this.failuresByNs.counts.entries()].sort();
    if (this.failuresByNs.other > 0) byNs.push(['(other namespaces)', this.failuresByNs.other]);
    yield `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">Generated ${esc(generated.toISOString())}; records from ${esc(this.first || '-')} to ${esc(this.last || '-')}.</p>
${integrity(read)}<section id="summary"><h2>Summary</h2>
<dl class="counts">
${count('records', 'Records', num(this.records))}${count('failures', 'Failures', num(this.failures), this.failures > 0)}${count('pods', 'Pods', this.byPod.total())}${count('secrets', 'Secrets', this.bySecret.total())}
</dl>
${smallTable('events', ['Event', 'Records'], [...this.events.counts.entries()].sort())}
${smallTable('failures-by-namespace', ['Namespace', 'Failures'], byNs)}
</section>
<section id="failures"><h2>Failures (${num(this.failures)})</h2>
${this.failed.dropped > 0 ? `<p class="meta">Showing the newest ${num(this.failed.items.length)}.</p>` : ''}${recordTable(this.failed.items, 'failures')}
</section>
<section id="by-secret"><h2>Timeline per secret</h2>
`;
    yield* this.bySecret.render('secret', 'secrets');
    yield '</section>\n<section id="by-pod"><h2>Timeline per pod</h2>\n';
    yield* this.byPod.render('pod', 'pods');
    yield '</section>\n</body></html>\n';
  }
}

/** A red banner when the chain breaks: the records from there on are not in the page. */
function integrity(read: ReadStats | undefined): string {
  if (!read || (!read.firstBreak && read.badLines === 0)) return '';
  const b = read.firstBreak;
  const broke = b ? `The audit chain breaks at ${esc(b.file)}:${b.line}: ${esc(b.message)}. ${num(read.unverified)} record(s) from there on are not included. ` : '';
  const bad = read.badLines > 0 ? `${num(read.badLines)} line(s) were not valid records. ` : '';
  return `<section id="integrity" class="${b ? 'alert' : 'meta'}"><p>${broke}${bad}Run <code>secrets-broker audit verify</code> on these files.</p></section>\n`;
}

function count(id: string, label: string, n: string, alert = false): string {
  return `<div class="count${alert ? ' alert' : ''}" data-count="${esc(id)}"><dt>${esc(label)}</dt><dd>${esc(n)}</dd></div>\n`;
}

function smallTable(id: string, headers: string[], rows: [string, number][]): string {
  if (rows.length === 0) return '';
  const body = rows.map(([k, n]) => `<tr><td>${esc(k)}</td><td>${n}</td></tr>`).join('\n');
  return `<table id="${esc(id)}"><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1d2330}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccd}
.meta,.none{color:#667}.counts{display:flex;gap:1rem;margin:0}
.count{border:1px solid #ccd;border-radius:6px;padding:.5rem 1rem}.count dt{font-size:.8rem;color:#556}
.count dd{margin:0;font-size:1.6rem;font-weight:600}.count.alert{border-color:#c22;background:#fde8e8}
table{border-collapse:collapse;margin:.5rem 0;font-size:13px}th,td{border:1px solid #dde;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f2f3f7}tr.fail td{background:#fde8e8;color:#8a1010;font-weight:600}
td{max-width:32rem;overflow-wrap:anywhere}details{margin:.3rem 0}summary{cursor:pointer}
#integrity.alert{border:2px solid #c22;background:#fde8e8;color:#8a1010;padding:.5rem 1rem;font-weight:600}
.badge{background:#c22;color:#fff;border-radius:9px;padding:0 .5rem;font-size:.8rem}`;
