/** `sidecar --once`: log in, render every secret, retry a little, report what failed. */
import type { Controller } from '../src/sidecar/controller';
import type { Logger } from '../src/log';

export interface OnceResult {
  ok: boolean;
  /** `<name>: reason` for every secret that could not be rendered, or the login failure. */
  failed: string[];
}

const sleep = (s: number): Promise<void> => new Promise((r) => setTimeout(r, Math.round(s * 1000)));

export async function runOnce(c: Controller, log: Logger, attempts = 3): Promise<OnceResult> {
  let login = await c.tokenStep('login');
  for (let i = 1; i < attempts && !login.ok; i++) {
    await sleep(login.delaySeconds);
    login = await c.tokenStep('login');
  }
  if (!login.ok) return { ok: false, failed: ['login: could not log in to Vault (see the log)'] };
  const failed: string[] = [];
  await Promise.all(
    c.sources.map(async (s) => {
      let step = await c.sourceStep(s, 'fetch');
      for (let i = 1; i < attempts && !step.ok; i++) {
        if (step.relogin) await c.tokenStep('login');
        else await sleep(step.delaySeconds);
        step = await c.sourceStep(s, step.action);
      }
      if (!step.ok) for (const spec of s.specs.filter((x) => !s.rendered.has(x.name))) failed.push(`${spec.name}: ${s.lastError ?? 'failed'}`);
    }),
  );
  log.info({ rendered: c.sources.reduce((n, s) => n + s.rendered.size, 0), failed: failed.length }, 'once: done');
  return { ok: failed.length === 0, failed: failed.sort() };
}
