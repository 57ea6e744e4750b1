import type { Finding } from './finding';
import { printable } from '../printable';
import type { ScanReport } from './run';
import { SEVERITIES } from './severity';

/** Heading of the group a finding is listed under: the file, or the file plus its place in the image. */
export function groupOf(f: Finding): string {
  const i = f.image;
  if (!i) return f.file;
  if (i.config !== undefined) return `${f.file}  image config ${i.config}`;
  if (i.layer === undefined && i.layerDigest === undefined) return `${f.file}  ${i.path ?? ''}`;
  const layer = i.layer === undefined ? `layer ${i.layerDigest ?? '?'}` : `layer ${i.layer} (${shortDigest(i.layerDigest)})`;
  return `${f.file}  ${layer}  ${i.path ?? ''}`;
}

function shortDigest(d: string | undefined): string {
  return d === undefined ? '?' : d.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1…');
}

function describe(f: Finding): string {
  const at = f.line !== undefined && f.line > 0 ? `${f.line}:${f.column ?? 1}` : '-';
  const deleted = f.image?.deletedInLayer === undefined ? '' : `  (deleted in layer ${f.image.deletedInLayer} but still in the image)`;
  return `  ${at.padEnd(8)} ${f.severity.padEnd(8)} ${f.ruleId}  ${f.title}  ${printable(f.redacted)}  fp:${f.fingerprint}${deleted}`;
}

function summary(r: ScanReport): string {
  const by = SEVERITIES.map((s) => [s, r.findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const sev = by.length > 0 ? ` (${by.map(([s, n]) => `${s} ${n}`).join(', ')})` : '';
  const mb = (r.counts.bytes / 1e6).toFixed(1);
  const extra = [
    r.ignored.length > 0 ? `${r.ignored.length} ignored by the ignore file` : '',
    r.counts.binary > 0 ? `${r.counts.binary} binary files not searched` : '',
    r.counts.symlinks > 0 ? `${r.counts.symlinks} symlinks not followed` : '',
    r.counts.ignored > 0 ? `${r.counts.ignored} files skipped by the ignore file` : '',
  ].filter((s) => s !== '');
  const n = r.findings.length;
  return `${n} finding${n === 1 ? '' : 's'}${sev} in ${r.counts.files} files (${mb} MB)${extra.length > 0 ? '; ' + extra.join(', ') : ''}\n`;
}

/**
 * Human-readable report grouped by file; secrets appear only redacted, and names from
 * the scanned content are escaped (`printable`). Lines are collected and joined once.
 */
export function formatText(r: ScanReport): string {
  const groups = new Map<string, Finding[]>();
  for (const f of r.findings) {
    const head = groupOf(f);
    const list = groups.get(head);
    if (list) list.push(f);
    else groups.set(head, [f]);
  }
  const lines: string[] = [];
  for (const [head, list] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(printable(head));
    for (const f of list.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))) lines.push(describe(f));
    for (const advice of new Set(list.map((f) => f.advice).filter((a): a is string => a !== undefined))) lines.push(`  advice: ${advice}`);
    lines.push('');
  }
  lines.push(summary(r));
  return lines.join('\n');
}

/** Machine-readable report: findings, accepted findings with reasons, problems and counts. */
export function formatJson(r: ScanReport): string {
  return `${JSON.stringify({ findings: r.findings, ignored: r.ignored, problems: r.problems, counts: r.counts }, null, 2)}\n`;
}
