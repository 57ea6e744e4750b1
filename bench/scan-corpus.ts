/**
 * Real-world corpora for the precision benchmark: the first N MB of an installed package
 * tree, copied under a neutral directory name (so no tool's path allowlist applies), with
 * fake secrets planted at run time in random text files.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { FAKE_KINDS, plant, rng, type FakeKind } from '../test/helpers/fake-secrets';

/** Where a planted secret went: path relative to the corpus root, 1-based line. */
export interface PlantedAt {
  kind: FakeKind;
  file: string;
  line: number;
}

/** A corpus ready to scan. */
export interface Corpus {
  label: string;
  source: string;
  dir: string;
  bytes: number;
  files: number;
  planted: PlantedAt[];
}

/** Directories of installed dependencies on this machine, found through the tools that own them; absent ones are skipped. */
export function corpusSources(repo: string): Array<{ label: string; what: string; source: string | undefined }> {
  const out = (cmd: string, args: string[]): string | undefined => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const site = out('python3', ['-c', 'import site; print(site.getsitepackages()[0])']);
  const modcache = out('go', ['env', 'GOMODCACHE']);
  const k8s = modcache && existsSync(join(modcache, 'k8s.io'))
    ? readdirSync(join(modcache, 'k8s.io')).filter((d) => d.startsWith('kubernetes@')).sort().pop()
    : undefined;
  return [
    { label: 'corpus-a', what: "the project's node_modules", source: join(repo, 'node_modules') },
    { label: 'corpus-b', what: 'a Python site-packages', source: site },
    { label: 'corpus-c', what: `the Go module k8s.io/${k8s ?? 'kubernetes'}`, source: modcache && k8s ? join(modcache, 'k8s.io', k8s) : undefined },
  ];
}

/** Regular files under `root` in a fixed (sorted) order, symlinks not followed. */
function* filesUnder(root: string): Generator<string> {
  const entries = readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const full = join(root, e.name);
    if (e.isDirectory() && e.name !== '.git') yield* filesUnder(full);
    else if (e.isFile()) yield full;
  }
}

/** Copies the first `maxBytes` of regular files (whole files, sorted walk) from `source` to `dest`. */
function copyCapped(source: string, dest: string, maxBytes: number): { bytes: number; files: string[] } {
  let bytes = 0;
  const files: string[] = [];
  for (const full of filesUnder(source)) {
    const size = lstatSync(full).size;
    if (size > 4 << 20) continue;
    if (bytes + size > maxBytes) break;
    const rel = relative(source, full);
    mkdirSync(dirname(join(dest, rel)), { recursive: true });
    copyFileSync(full, join(dest, rel));
    bytes += size;
    files.push(rel);
  }
  return { bytes, files };
}

/** Files a planted line reads naturally in, and that neither tool skips by name (lock files, vendored trees, minified bundles). */
const PLANTABLE = /\.(?:js|ts|py|go|md|txt|json|ya?ml|cfg|ini|sh)$/;
const NOT_PLANTABLE = /(?:^|\/)(?:node_modules|vendor|site-packages|dist-packages)\/|\.min\.|(?:^|\/)(?:package-lock\.json|go\.sum|[^/]*\.lock)$/;

function isText(path: string): boolean {
  const head = readFileSync(path).subarray(0, 8000);
  return !head.includes(0);
}

/** Copies `source` (capped) to `dir` and plants two of each fake kind in random text files, one per file. */
export function buildCorpus(label: string, source: string, dir: string, maxBytes: number, seed: number): Corpus {
  const { bytes, files } = copyCapped(source, dir, maxBytes);
  const next = rng(seed);
  const candidates = files.filter((f) => PLANTABLE.test(f) && !NOT_PLANTABLE.test(f) && isText(join(dir, f)));
  const planted: PlantedAt[] = [];
  const used = new Set<string>();
  for (let i = 0; i < 2 * FAKE_KINDS.length && used.size < candidates.length; i++) {
    const kind = FAKE_KINDS[i % FAKE_KINDS.length]!;
    let file = candidates[Math.floor(next() * candidates.length)]!;
    while (used.has(file)) file = candidates[Math.floor(next() * candidates.length)]!;
    used.add(file);
    const path = join(dir, file);
    const lines = readFileSync(path, 'latin1').split('\n');
    const at = Math.floor(next() * lines.length);
    lines.splice(at, 0, plant(kind, seed + i).text);
    writeFileSync(path, lines.join('\n'), 'latin1');
    planted.push({ kind, file, line: at + 1 });
  }
  return { label, source, dir, bytes, files: files.length, planted };
}
