/**
 * Image config checks (pure): `config.Env` entries and `history[].created_by` lines,
 * which show ENV values and the build arguments RUN steps were given.
 */
import { analyseDockerfile } from './dockerfile';
import type { RawMatch } from './match';

/** The parts of an image config the scanner reads. */
export interface ImageConfig {
  config?: { Env?: unknown };
  history?: Array<{ created_by?: unknown }>;
  rootfs?: { diff_ids?: unknown };
}

/** A config match and where in the config it is (`Env` or `history[N]`). */
export interface ConfigMatch {
  where: string;
  match: RawMatch;
}

const ENV_RULES = ['dockerfile-secret-env', 'generic-secret'];
const HISTORY_RULES = ['dockerfile-secret-env', 'dockerfile-secret-arg', 'generic-secret'];

function retitle(m: RawMatch, env: boolean): RawMatch {
  if (env && ENV_RULES.includes(m.ruleId)) return { ...m, ruleId: 'image-env-secret', title: 'Image config Env holds a secret', severity: 'high' };
  if (!env && HISTORY_RULES.includes(m.ruleId)) {
    return { ...m, ruleId: 'image-history-secret', title: 'Image history records a secret build argument or ENV value', severity: 'high' };
  }
  return m;
}

const BUILDKIT = '# buildkit';
const isSpace = (c: string | undefined): boolean => c !== undefined && c.trim() === '' && c !== '';

function skipSpace(s: string, i: number): number {
  let j = i;
  while (isSpace(s[j])) j++;
  return j;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

function isNameStart(c: string | undefined): boolean {
  return c !== undefined && (c === '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
}

/** `NAME=value ` at `i` (value up to the next space, then at least one space); the end, or -1. */
function buildArgEnd(s: string, i: number): number {
  let j = i;
  if (!isNameStart(s[j])) return -1;
  while (isNameStart(s[j]) || isDigit(s[j])) j++;
  if (s[j] !== '=') return -1;
  while (s[j] !== undefined && !isSpace(s[j])) j++;
  const k = skipSpace(s, j);
  return k === j ? -1 : k;
}

/** `[RUN ]|N A=1 B=2 cmd`: the build arguments and the command, scanned by hand in one pass. */
function buildArgs(s: string): { args: string[]; command: string } | undefined {
  let i = 0;
  if (s.startsWith('RUN')) {
    const j = skipSpace(s, 3);
    if (j > 3 && s[j] === '|') i = j;
  }
  if (s[i] !== '|') return undefined;
  let j = i + 1;
  while (isDigit(s[j])) j++;
  let k = skipSpace(s, j);
  if (j === i + 1 || k === j) return undefined;
  const args: string[] = [];
  for (let end = buildArgEnd(s, k); end !== -1; end = buildArgEnd(s, k)) {
    args.push(s.slice(k, end).trim());
    k = end;
  }
  const command = s.slice(k);
  return args.length === 0 || /[\n\r\u2028\u2029]/.test(command) ? undefined : { args, command };
}

/** `|2 A=1 B=2 /bin/sh -c cmd` and `/bin/sh -c #(nop)  ENV X=1` turned back into Dockerfile lines. */
export function historyToDockerfile(createdBy: string): string {
  let s = createdBy.endsWith(BUILDKIT) ? createdBy.slice(0, -BUILDKIT.length).trimEnd() : createdBy;
  s = s.replace(/^\/bin\/sh -c #\(nop\)\s+/, '');
  const parsed = buildArgs(s);
  if (parsed) return [...parsed.args.map((kv) => `ARG ${kv}`), `RUN ${parsed.command.replace(/^\/bin\/sh -c /, '')}`].join('\n');
  return s.startsWith('/bin/sh -c ') ? `RUN ${s.slice(11)}` : s;
}

/** Findings in an image config's Env and history. */
export function analyseConfig(cfg: ImageConfig): ConfigMatch[] {
  const out: ConfigMatch[] = [];
  const env = cfg.config?.Env;
  if (Array.isArray(env)) {
    for (const e of env) {
      if (typeof e !== 'string' || !e.includes('=')) continue;
      for (const m of analyseDockerfile(`ENV ${e}`)) out.push({ where: 'Env', match: retitle(m, true) });
    }
  }
  (cfg.history ?? []).forEach((h, i) => {
    if (typeof h.created_by !== 'string') return;
    for (const m of analyseDockerfile(historyToDockerfile(h.created_by))) {
      // A bare `ARG NAME` in history records no value; the values show on the RUN lines.
      if (m.ruleId !== 'dockerfile-secret-build-arg') out.push({ where: `history[${i}]`, match: retitle(m, false) });
    }
  });
  return out;
}
