/**
 * `audit report --html`: one self-contained page (inline CSS, no script, no external
 * asset; a CSP forbids loading anything) with summary counts, every failure, and a
 * timeline per secret and per pod. Every record value is HTML-escaped: pod names and
 * error strings are attacker-influenced.
 */
import { podKey } from './query';
import type { AuditRecord } from './record';

/** Rows kept per timeline (the newest); older rows are counted, not shown. */
export const TIMELINE_ROWS = 500;
/** Failures listed in full (the newest); the count covers all. */
export const FAILURE_ROWS = 2000;

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(v: string | number | undefined): string {
  return String(v ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Timeline {
  rows: AuditRecord[];
  dropped: number;
  failures: number;
}

/** Collects records (bounded memory per timeline) and renders the page. */
export class ReportBuilder {
  private records = 0;
  private failures = 0;
  private readonly events = new Map<string, number>();
  private readonly failed: AuditRecord[] = [];
  private readonly bySecret = new Map<string, Timeline>();
  private readonly byPod = new Map<string, Timeline>();
  private first = '';
  private last = '';

  add(r: AuditRecord): void {
    if (r.event === 'audit.checkpoint') return;
    this.records += 1;
    this.events.set(r.event, (this.events.get(r.event) ?? 0) + 1);
    if (!this.first || r.ts < this.first) this.first = r.ts;
    if (r.ts > this.last) this.last = r.ts;
    if (r.outcome === 'failure') {
      this.failures += 1;
      this.failed.push(r);
      if (this.failed.length > FAILURE_ROWS) this.failed.shift();
    }
    const secret = r.vault?.path ?? r.secret;
    if (secret !== undefined) push(this.bySecret, secret, r);
    if (r.pod) push(this.byPod, podKey(r), r);
  }

  /** The whole page. */
  render(title: string, generated: Date): string {
    const failuresByNs = new Map<string, number>();
    for (const t of this.byPod.entries()) {
      const ns = t[0].split('/')[0]!;
      failuresByNs.set(ns, (failuresByNs.get(ns) ?? 0) + t[1].failures);
    }
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">Generated ${esc(generated.toISOString())}; records from ${esc(this.first || '-')} to ${esc(this.last || '-')}.</p>
<section id="summary"><h2>Summary</h2>
<dl class="counts">
${count('records', 'Records', this.records)}${count('failures', 'Failures', this.failures, this.failures > 0)}${count('pods', 'Pods', this.byPod.size)}${count('secrets', 'Secrets', this.bySecret.size)}
</dl>
${smallTable('events', ['Event', 'Records'], [...this.events.entries()].sort())}
${smallTable('failures-by-namespace', ['Namespace', 'Failures'], [...failuresByNs.entries()].filter(([, n]) => n > 0).sort())}
</section>
<section id="failures"><h2>Failures (${this.failures})</h2>
${this.failures > this.failed.length ? `<p class="meta">Showing the newest ${this.failed.length}.</p>` : ''}${recordTable(this.failed, 'failures')}
</section>
<section id="by-secret"><h2>Timeline per secret</h2>
${timelines(this.bySecret, 'secret')}
</section>
<section id="by-pod"><h2>Timeline per pod</h2>
${timelines(this.byPod, 'pod')}
</section>
</body></html>
`;
  }
}

function push(map: Map<string, Timeline>, key: string, r: AuditRecord): void {
  const t = map.get(key) ?? { rows: [], dropped: 0, failures: 0 };
  t.rows.push(r);
  if (r.outcome === 'failure') t.failures += 1;
  if (t.rows.length > TIMELINE_ROWS) {
    t.rows.shift();
    t.dropped += 1;
  }
  map.set(key, t);
}

function count(id: string, label: string, n: number, alert = false): string {
  return `<div class="count${alert ? ' alert' : ''}" data-count="${esc(id)}"><dt>${esc(label)}</dt><dd>${n}</dd></div>\n`;
}

function smallTable(id: string, headers: string[], rows: [string, number][]): string {
  if (rows.length === 0) return '';
  const body = rows.map(([k, n]) => `<tr><td>${esc(k)}</td><td>${n}</td></tr>`).join('\n');
  return `<table id="${esc(id)}"><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const COLUMNS = ['Time', 'Seq', 'Event', 'Outcome', 'Pod', 'Secret', 'Path', 'Version', 'Role', 'Error'];

function recordTable(rows: AuditRecord[], kind: string): string {
  if (rows.length === 0) return '<p class="none">None.</p>';
  const body = rows
    .map((r) => {
      const v = r.vault;
      const cells = [r.ts, r.seq, r.event, r.outcome, podKey(r), r.secret ?? '', v?.path ?? '', v?.version ?? '', v?.role ?? '', r.error ?? ''];
      return `<tr class="${r.outcome === 'failure' ? 'fail' : 'ok'}">${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table class="records ${esc(kind)}"><thead><tr>${COLUMNS.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function timelines(map: Map<string, Timeline>, kind: string): string {
  if (map.size === 0) return '<p class="none">None.</p>';
  return [...map.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, t]) => {
      const more = t.dropped > 0 ? `<p class="meta">${t.dropped} older records not shown.</p>` : '';
      const fails = t.failures > 0 ? ` <span class="badge">${t.failures} failed</span>` : '';
      return `<details class="timeline" data-${kind}="${esc(key)}"${t.failures > 0 ? ' open' : ''}><summary><span class="key">${esc(key)}</span> <span class="n">${t.rows.length + t.dropped} records</span>${fails}</summary>${more}${recordTable(t.rows, kind)}</details>`;
    })
    .join('\n');
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1d2330}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccd}
.meta,.none{color:#667}.counts{display:flex;gap:1rem;margin:0}
.count{border:1px solid #ccd;border-radius:6px;padding:.5rem 1rem}.count dt{font-size:.8rem;color:#556}
.count dd{margin:0;font-size:1.6rem;font-weight:600}.count.alert{border-color:#c22;background:#fde8e8}
table{border-collapse:collapse;margin:.5rem 0;font-size:13px}th,td{border:1px solid #dde;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f2f3f7}tr.fail td{background:#fde8e8;color:#8a1010;font-weight:600}
td{max-width:32rem;overflow-wrap:anywhere}details{margin:.3rem 0}summary{cursor:pointer}
.badge{background:#c22;color:#fff;border-radius:9px;padding:0 .5rem;font-size:.8rem}`;
