/**
 * Breadth against gitleaks: its default configuration is read at benchmark time from the
 * Go module cache (never copied here), a sample is drawn from each rule's regex
 * (test/helpers/regex-sample.ts), planted one per file, and both tools scan the files.
 * A format counts when gitleaks finds its own sample; ours finds it when it reports any
 * rule but the generic one in that file. Rules without a distinctive format are skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { rng } from '../test/helpers/fake-secrets';
import { groupSource, literalRuns, parseRegex, sampleOf } from '../test/helpers/regex-sample';

interface PeerRule {
  id: string;
  regex?: string;
  secretGroup: number;
}

/** The default configuration of the newest gitleaks v8 in the Go module cache, or undefined. */
export function gitleaksConfig(): { path: string; version: string } | undefined {
  let cache: string;
  try {
    cache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
  for (const owner of ['zricethezav', 'gitleaks']) {
    const dir = join(cache, 'github.com', owner, 'gitleaks');
    if (!existsSync(dir)) continue;
    const versions = readdirSync(dir).filter((d) => d.startsWith('v8@')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const v = versions.pop();
    if (v && existsSync(join(dir, v, 'config', 'gitleaks.toml'))) return { path: join(dir, v, 'config', 'gitleaks.toml'), version: v.slice(3) };
  }
  return undefined;
}

/** The `[[rules]]` of a gitleaks TOML file: id, regex (a '''literal''' or "basic" string) and secretGroup. */
export function parseRules(toml: string): PeerRule[] {
  return toml.split(/^\[\[rules\]\]$/m).slice(1).map((block) => {
    const body = block.split(/^\[/m)[0] ?? '';
    const id = /^id = "([^"]+)"/m.exec(body)?.[1] ?? '?';
    const literal = /^regex = '''(.*)'''$/m.exec(body)?.[1];
    const basic = /^regex = "((?:[^"\\]|\\.)*)"$/m.exec(body)?.[1];
    const regex = literal ?? (basic === undefined ? undefined : (JSON.parse(`"${basic}"`) as string));
    return { id, regex, secretGroup: Number(/^secretGroup = (\d+)/m.exec(body)?.[1] ?? 0) };
  });
}

/** The assignment operators gitleaks's keyword=value rules share: such a rule's format is a key name, not the value. */
const ASSIGNMENT = '(?:=|>|:{1,3}=|\\|\\||:|=>|\\?=|,)';

/** Why a rule's format is not distinctive, or undefined when it is. */
export function skipReason(rule: PeerRule): string | undefined {
  if (rule.regex === undefined) return 'a file-name rule, no content format';
  if (rule.regex.includes(ASSIGNMENT)) return 'a keyword=value rule: the format is the key name';
  let secret: string;
  try {
    const hasGroup = /\((?!\?)/.test(rule.regex);
    secret = groupSource(rule.regex, rule.secretGroup || (hasGroup ? 1 : 0));
    parseRegex(rule.regex);
  } catch {
    return 'outside the sample generator';
  }
  if (!literalRuns(parseRegex(secret)).some((r) => r.length >= 3)) return 'no fixed literal of 3 or more characters in the secret';
  return undefined;
}

export interface Coverage {
  version: string;
  total: number;
  skipped: Map<string, string[]>;
  /** Distinctive rules whose sample gitleaks did not report under that rule (a generator or allowlist limit). */
  unverified: string[];
  verified: string[];
  found: string[];
  missed: string[];
}

/** Plants one sample per distinctive rule under `dir`, scans with both tools, and tells which formats ours finds. */
export function formatCoverage(dir: string, gitleaksBin: string | undefined, ours: string[]): Coverage | undefined {
  const cfg = gitleaksConfig();
  if (!cfg || gitleaksBin === undefined || !existsSync(gitleaksBin)) return undefined;
  const rules = parseRules(readFileSync(cfg.path, 'utf8'));
  const skipped = new Map<string, string[]>();
  const planted = new Map<string, string>();
  const next = rng(2024);
  mkdirSync(dir, { recursive: true });
  for (const rule of rules) {
    const why = skipReason(rule);
    if (why) {
      skipped.set(why, [...(skipped.get(why) ?? []), rule.id]);
      continue;
    }
    const file = join(dir, `f${planted.size}.txt`);
    writeFileSync(file, `${sampleOf(rule.regex ?? '', next)}\n`);
    planted.set(rule.id, file);
  }
  const theirsOut = join(dir, '..', 'formats-gitleaks.json');
  const oursOut = join(dir, '..', 'formats-ours.json');
  const run = (cmd: string, args: string[]): void => {
    try {
      execFileSync(cmd, args, { stdio: 'ignore' });
    } catch {
      // exit 1: findings
    }
  };
  run(gitleaksBin, ['dir', dir, '--no-banner', '--report-format', 'json', '--report-path', theirsOut]);
  run(ours[0] ?? 'node', [...ours.slice(1), 'scan', '--format', 'json', '--output', oursOut, dir]);
  const theirs = JSON.parse(readFileSync(theirsOut, 'utf8')) as Array<{ File: string; RuleID: string }>;
  const mine = (JSON.parse(readFileSync(oursOut, 'utf8')) as { findings: Array<{ file: string; ruleId: string }> }).findings;
  const rel = (f: string) => relative(dir, resolve(f));
  const out: Coverage = { version: cfg.version, total: rules.length, skipped, unverified: [], verified: [], found: [], missed: [] };
  for (const [id, file] of planted) {
    if (!theirs.some((h) => h.RuleID === id && rel(h.File) === rel(file))) out.unverified.push(id);
    else {
      out.verified.push(id);
      (mine.some((h) => h.ruleId !== 'generic-secret' && rel(h.file) === rel(file)) ? out.found : out.missed).push(id);
    }
  }
  return out;
}
