/**
 * The scanner benchmarks' peer: gitleaks, from the cache the test stack's build fills
 * (test/stack/build.sh: `$SB_CACHE_DIR/bin`, by default ~/.cache/secrets-broker/bin),
 * built there first when it is missing. A build that fails is said on standard error, and
 * the peer's columns read "n/a".
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheDir } from '../test/helpers/cache-dir';

/** Where the test stack's build puts gitleaks, for the environment `env`. */
export const gitleaksPath = (env: NodeJS.ProcessEnv = process.env): string => join(cacheDir(env), 'bin', 'gitleaks');

/** The build, as the README gives it; its output goes to standard error, so the tables on standard output stay whole. */
function build(): void {
  const script = resolve(__dirname, '../../test/stack/build.sh');
  process.stderr.write(`bench scan: gitleaks is not built yet; building it (bash test/stack/build.sh gitleaks)\n`);
  try {
    execFileSync('bash', [script, 'gitleaks'], { stdio: ['ignore', 2, 2] });
  } catch (err) {
    process.stderr.write(`bench scan: building gitleaks failed (${(err as Error).message.split('\n')[0]}); its columns will read n/a\n`);
  }
}

let checked = false;

/** gitleaks's path, built first when missing (once a process); undefined when it is still missing. */
export function gitleaks(): string | undefined {
  const bin = gitleaksPath();
  if (!checked && !existsSync(bin)) build();
  checked = true;
  return existsSync(bin) ? bin : undefined;
}
