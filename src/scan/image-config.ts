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

/** `|2 A=1 B=2 /bin/sh -c cmd` and `/bin/sh -c #(nop)  ENV X=1` turned back into Dockerfile lines. */
export function historyToDockerfile(createdBy: string): string {
  let s = createdBy.replace(/\s*# buildkit$/, '');
  s = s.replace(/^\/bin\/sh -c #\(nop\)\s+/, '');
  const args = /^(?:RUN\s+)?\|\d+\s+((?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)+)(.*)$/.exec(s);
  if (args) {
    const lines = (args[1] ?? '').trim().split(/\s+/).map((kv) => `ARG ${kv}`);
    return [...lines, `RUN ${(args[2] ?? '').replace(/^\/bin\/sh -c /, '')}`].join('\n');
  }
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
