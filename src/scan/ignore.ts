/**
 * The ignore file: accepted findings, each with a reason.
 *
 *     # comment
 *     3f9c0a1b2c3d4e5f:github-token   # revoked test token, kept for the parser tests
 *     test/fixtures/**:*               # fixtures are generated fakes
 *
 * The key is a finding fingerprint (16 hex chars) or a path glob (`*`, `**`, `?`), the
 * rule is a rule id or `*`, and the reason after `#` is required.
 */
import { relative } from 'node:path';
import type { Finding } from './finding';

/** One accepted finding or path. */
export interface IgnoreEntry {
  key: string;
  rule: string;
  reason: string;
  /** Directory of the ignore file; path globs are relative to it. */
  base: string;
  fingerprint: boolean;
  glob?: RegExp;
}

/** Parsed entries and one problem per bad line. */
export interface ParsedIgnore {
  entries: IgnoreEntry[];
  problems: string[];
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*' && glob.charAt(i + 1) === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}${glob.endsWith('/') ? '.*' : ''}$`);
}

/** Parses an ignore file's text; `source` names it in problems, `base` anchors its path globs. */
export function parseIgnore(text: string, source: string, base: string, ruleIds: readonly string[]): ParsedIgnore {
  const out: ParsedIgnore = { entries: [], problems: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\S+):([A-Za-z0-9*-]+)\s*(?:#\s*(.*))?$/.exec(line);
    const where = `${source}:${i + 1}`;
    if (!m) return void out.problems.push(`${where}: expected "fingerprint-or-path:rule  # reason"`);
    const [, key = '', rule = '', reason = ''] = m;
    if (reason.trim() === '') return void out.problems.push(`${where}: every entry needs a reason after #`);
    if (rule !== '*' && !ruleIds.includes(rule)) return void out.problems.push(`${where}: unknown rule "${rule}"`);
    const fingerprint = /^[0-9a-f]{16}$/.test(key);
    const entry: IgnoreEntry = { key, rule, reason: reason.trim(), base, fingerprint };
    if (!fingerprint) entry.glob = globToRegExp(key.replace(/^\.\//, ''));
    out.entries.push(entry);
  });
  return out;
}

function pathsOf(f: Finding, base: string): string[] {
  const rel = relative(base, f.file).split('\\').join('/');
  return [f.file, rel, f.image?.path].filter((p): p is string => p !== undefined);
}

/** The entry that accepts this finding, if any. */
export function ignoredBy(f: Finding, entries: readonly IgnoreEntry[]): IgnoreEntry | undefined {
  return entries.find((e) => {
    if (e.rule !== '*' && e.rule !== f.ruleId) return false;
    if (e.fingerprint) return e.key === f.fingerprint;
    return pathsOf(f, e.base).some((p) => e.glob?.test(p) === true);
  });
}

/** Is every rule ignored for this file, so it need not be read at all? */
export function pathSkipped(display: string, entries: readonly IgnoreEntry[]): boolean {
  return entries.some((e) => e.rule === '*' && !e.fingerprint && [display, relative(e.base, display).split('\\').join('/')].some((p) => e.glob?.test(p) === true));
}
