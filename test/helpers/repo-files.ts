/** The repository's own text files under some roots: no dependencies, build output, lock or checksum files. */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from './markdown';

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'coverage']);
const TEXT = /\.(ts|js|json|md|sh|ya?ml|tpl|txt|mod)$|(^|\/)(Dockerfile|run|\.[a-z-]+ignore)$/;
const SKIP_FILES = /(^|\/)(package-lock\.json|go\.sum)$/;

/** Paths relative to the repository root, sorted, for files and directories given relative to it. */
export function repoFiles(roots: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path)) if (!SKIP_DIRS.has(name)) walk(join(path, name));
      return;
    }
    const rel = relative(REPO, path);
    if (TEXT.test(rel) && !SKIP_FILES.test(rel)) out.push(rel);
  };
  for (const root of roots) walk(join(REPO, root));
  return out.sort();
}
