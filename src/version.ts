import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package's version, read from the nearest package.json above this file (works from src and dist). */
export function packageVersion(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'secrets-broker' && typeof pkg.version === 'string') return pkg.version;
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}
