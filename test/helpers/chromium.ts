/** Where browser tests find Chromium: `CHROMIUM_PATH`, else Debian's package path. Never downloaded. */
import { existsSync } from 'node:fs';

/** Where Debian's `chromium` package installs it (`npm run stack:build` installs that package). */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** The Chromium executable to launch, or a message saying how to get one. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): { path: string } | { missing: string } {
  const path = env.CHROMIUM_PATH || DEBIAN_CHROMIUM;
  if (exists(path)) return { path };
  return {
    missing:
      `Chromium not found at ${path}. The audit report's browser test needs it: run \`npm run stack:build\` ` +
      '(test/stack/build.sh installs Debian\'s chromium package), or set CHROMIUM_PATH to a Chromium executable.',
  };
}
