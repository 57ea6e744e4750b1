/**
 * Two launches of our sidecar against each other, A, B, A, B in the same minutes: wall
 * time and CPU time (all threads' schedstat) from spawn to the first secret file, against
 * the stack's Vault with a pod-bound token, as `npm run bench sidecar` starts it. Needs the
 * test stack and a build.
 *
 *   SB_BENCH_NODE=<node> npm run bench sidecar-ab -- --runs=9 --a=cli --b=snapshot:<blob> [--cache-a=<dir>] [--cache-b=<dir>]
 *
 * A launch is `cli` (this build's dist/src/cli/bin.js), `bundle:<file>` (a bundled
 * sidecar entry), `snapshot:<blob>` (node --snapshot-blob <blob> with the CLI's path, as
 * the image runs it) or `agent` (Vault Agent, as `npm run bench sidecar` starts it).
 * `--cache-a`/`--cache-b` set NODE_COMPILE_CACHE for that side.
 */
import { readdirSync, readFileSync, existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { sidecarLaunch } from '../src/sidecar-env';
import { stack } from '../test/e2e/helpers/stack';
import { arg, BUILT_CLI, median, setup, spawnOurs, start, stop, teardown, waitFor, type Setup } from './sidecar';

export interface Variant {
  name: string;
  nodeArgs: string[];
  env: Record<string, string>;
  /** Vault Agent instead of ours. */
  agent?: boolean;
}

/** A launch named on the command line, with the stack's CA flags (sidecarLaunch) before it. */
export function parseVariant(spec: string, caFile: string, cache: string | undefined): Variant {
  if (spec === 'agent') return { name: 'Vault Agent', nodeArgs: [], env: {}, agent: true };
  const [kind, ...rest] = spec.split(':');
  const path = rest.join(':');
  const target = kind === 'cli' ? [BUILT_CLI] : kind === 'bundle' && path ? [path] : kind === 'snapshot' && path ? ['--snapshot-blob', path, BUILT_CLI] : undefined;
  if (!target) throw new Error(`launch "${spec}": expected cli, bundle:<file>, snapshot:<blob> or agent`);
  const launch = sidecarLaunch(caFile);
  return { name: cache ? `${spec} (compile cache)` : spec, nodeArgs: [...launch.nodeFlags, ...target], env: { ...launch.env, ...(cache && { NODE_COMPILE_CACHE: cache }) } };
}

/** CPU time of a process so far, all its threads (ms); NaN once it is gone. */
export function cpuMs(pid: number, proc = '/proc'): number {
  try {
    return readdirSync(`${proc}/${pid}/task`).reduce((sum, tid) => sum + Number(readFileSync(`${proc}/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6, 0);
  } catch {
    return NaN;
  }
}

async function oneStart(v: Variant, s: Setup): Promise<{ wall: number; cpu: number }> {
  const out = mkdtempSync(join(s.dir, 'ab-'));
  const file = join(out, 'bench.json');
  const t0 = process.hrtime.bigint();
  const child = v.agent ? start('agent', s, out) : spawnOurs(s, out, v.nodeArgs, v.env);
  try {
    if (!(await waitFor(() => existsSync(file) || child.exitCode !== null, 30_000)) || !existsSync(file)) throw new Error(`${v.name}: no file (exit code ${String(child.exitCode)})`);
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    return { wall, cpu: cpuMs(child.pid!) };
  } finally {
    await stop(child);
  }
}

const fmt = (xs: number[]): string => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;

/** Entry point for `npm run bench sidecar-ab`. */
export async function main(args: string[]): Promise<void> {
  const runs = arg(args, 'runs', 9);
  const opt = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const ca = stack().VAULT_CACERT;
  const variants = [parseVariant(opt('a') ?? 'cli', ca, opt('cache-a')), parseVariant(opt('b') ?? 'cli', ca, opt('cache-b'))];
  const s = await setup();
  const results = variants.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  try {
    await oneStart(variants[0]!, s); // one start each first, unrecorded: the page cache, Vault's first login
    await oneStart(variants[1]!, s);
    for (let i = 0; i < runs * 2; i++) {
      const r = await oneStart(variants[i % 2]!, s);
      results[i % 2]!.wall.push(r.wall);
      results[i % 2]!.cpu.push(r.cpu);
    }
  } finally {
    await teardown(s);
  }
  process.stdout.write('| launch | first file, wall ms median (min–max) | CPU ms to first file, median (min–max) |\n| --- | --- | --- |\n');
  variants.forEach((v, i) => process.stdout.write(`| ${v.name} | ${fmt(results[i]!.wall)} | ${fmt(results[i]!.cpu)} |\n`));
  process.stdout.write(`\n${runs} starts each, alternating; node ${process.env.SB_BENCH_NODE ?? process.execPath}.\n`);
}
