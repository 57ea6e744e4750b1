/**
 * The peer cache of the test stack's scripts (test/stack/lib.sh): `SB_CACHE_DIR`, or
 * ~/.cache/secrets-broker when it is unset or empty, as the shell's `${SB_CACHE_DIR:-...}`
 * reads it. The peers are in its `bin`, the stack's state in `stack`, the image in `image`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const cacheDir = (env: NodeJS.ProcessEnv = process.env): string => env.SB_CACHE_DIR || join(homedir(), '.cache', 'secrets-broker');
