/** bench scan looks for gitleaks where the test stack's build puts it (test/stack/lib.sh's SB_BIN). */
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { gitleaksPath } from '../../../bench/scan-peer';

const lib = resolve(__dirname, '../../../test/stack/lib.sh');

/** SB_BIN as lib.sh sets it for SB_CACHE_DIR `cache` (undefined: not set). */
function stackBin(cache: string | undefined): string {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: homedir() };
  if (cache !== undefined) env.SB_CACHE_DIR = cache;
  return execFileSync('bash', ['-c', 'source "$0"; printf %s "$SB_BIN"', lib], { env, encoding: 'utf8' });
}

describe('gitleaksPath', () => {
  it.each<[string, string | undefined]>([
    ['SB_CACHE_DIR set', '/var/tmp/sb-cache'],
    ['SB_CACHE_DIR empty, so the default', ''],
    ['SB_CACHE_DIR unset, so the default', undefined],
  ])('%s: the directory lib.sh builds into', (_what, cache) => {
    const env: NodeJS.ProcessEnv = cache === undefined ? {} : { SB_CACHE_DIR: cache };
    expect(dirname(gitleaksPath(env))).toBe(stackBin(cache));
  });

  it('names the gitleaks binary there', () => {
    expect(gitleaksPath({ SB_CACHE_DIR: '/c' })).toBe('/c/bin/gitleaks');
    expect(gitleaksPath({})).toBe(`${homedir()}/.cache/secrets-broker/bin/gitleaks`);
  });
});
